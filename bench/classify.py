"""Classifier throughput, cold start and memory (a benchmark, not a test).

    .venv/bin/python bench/classify.py [--rounds N] [--file F.jsonl]

Prints, for the same messages in the same run:

- messages/s of `Analyzer.analyze`, one message at a time, and of raw `jieba.lcut` over the
  same texts (the yardstick: goal ≥ 0.5× its rate). Each is the median of N rounds (default 5);
  the rounds interleave the two so a load spike on a shared machine hits both;
- cold start: a fresh interpreter to its first analysed message (goal ≤ 1.5 s), by wall clock
  and by the child's CPU time, and once with empty caches (a new machine: jieba's dictionary
  cache and ours, see nlp/model.py `cached`, are built then);
- resident memory of a warmed `gridbot classify` process, the serving path as operators run it
  (goal ≤ 250 MB): its peak RSS after classifying every message once.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

logger = logging.getLogger(__name__)

CORPUS = sorted((ROOT / "nlp" / "data" / "corpus").glob("*.jsonl"))
DEV = ROOT.parent / "shared" / "data" / "complaints-dev.jsonl"
COLD = ("import time; t = time.perf_counter(); from nlp import Analyzer; "
        "Analyzer.load().analyze('3号楼楼道里有人飞线充电'); print(time.perf_counter() - t)")
# Runs the classify command in-process, then reports its own peak RSS on stderr.
SERVE = ("import resource, sys; from nlp.cli import classify_stream; "
         f"classify_stream(sys.stdin, open({os.devnull!r}, 'w', encoding='utf-8')); "
         "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")


def messages(extra: Path | None) -> list[str]:
    texts: list[str] = []
    for path in (*CORPUS, extra or DEV):
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return [t.replace("\n", " ") for t in texts]


def rates(fns: list, texts: list[str], rounds: int,
          clock=time.perf_counter) -> list[float]:
    """Median messages/s of each callable over `rounds` interleaved rounds."""
    seen: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            t = clock()
            for text in texts:
                fn(text)
            seen[k].append(len(texts) / (clock() - t))
    return [statistics.median(s) for s in seen]


def cold_start(rounds: int, env: dict[str, str] | None = None,
               ) -> tuple[float, float, float]:
    """Median (seconds from interpreter start to first result, seconds inside Python, CPU
    seconds of the child: what a busy shared machine disturbs least)."""
    outer: list[float] = []
    inner: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True,
                             check=True, cwd=ROOT, env=env)
        outer.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        inner.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(outer), statistics.median(inner), statistics.median(cpu)


def first_start() -> tuple[float, float, float]:
    """A cold start with an empty temporary folder: jieba's cache and ours (the pruned
    dictionary, the packed models, the homophone index) are built, as on a new machine."""
    with tempfile.TemporaryDirectory() as empty:
        return cold_start(1, {**os.environ, "TMPDIR": empty})


def serving_rss(texts: list[str]) -> float:
    """Peak RSS (MB) of a classify process that has analysed every message."""
    out = subprocess.run([sys.executable, "-c", SERVE], input="\n".join(texts) + "\n",
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--file", type=Path, help="extra JSONL with a text field (default: dev set)")
    args = ap.parse_args()

    first, _, first_cpu = first_start()
    total, inner, cpu = cold_start(args.rounds)
    texts = messages(args.file)
    rss_mb = serving_rss(texts)
    import jieba

    from nlp import Analyzer

    jieba.setLogLevel(logging.WARNING)
    analyzer = Analyzer.load()
    jieba.initialize()
    analyzer.analyze(texts[0])
    jieba_rate, ours = rates([jieba.lcut, analyzer.analyze], texts, args.rounds)
    # CPU time of this process: what other jobs on a shared machine disturb least
    jieba_cpu, ours_cpu = rates([jieba.lcut, analyzer.analyze], texts, args.rounds,
                                time.process_time)
    chars = sum(len(t) for t in texts) / len(texts)
    print(f"messages            {len(texts)} (mean {chars:.0f} chars), median of {args.rounds}")
    print(f"jieba.lcut          {jieba_rate:10.0f} msg/s")
    print(f"Analyzer.analyze    {ours:10.0f} msg/s   "
          f"({ours / jieba_rate:.2f}x jieba; goal >= 0.5x)")
    print(f"  by CPU time       {ours_cpu / jieba_cpu:10.2f}x jieba")
    print(f"per message         {1e6 / ours:10.0f} us")
    print(f"cold start          {total:10.2f} s to first result (goal <= 1.5 s; "
          f"{inner:.2f} s after interpreter start; {cpu:.2f} s CPU)")
    print(f"first start         {first:10.2f} s with empty caches ({first_cpu:.2f} s CPU): "
          "jieba's and ours are built once per machine")
    print(f"classify RSS        {rss_mb:10.0f} MB warmed (goal <= 250 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
