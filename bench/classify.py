"""Classifier throughput, cold start and memory (a benchmark, not a test).

    .venv/bin/python bench/classify.py [--rounds N] [--file F.jsonl]

Prints, for the same messages in the same run: messages/s of `Analyzer.analyze` one message at
a time, messages/s of raw `jieba.lcut` (the yardstick: goal ≥ 0.5× its rate), the cold start of
a fresh process to its first result (goal ≤ 2 s), and resident memory.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

logger = logging.getLogger(__name__)

CORPUS = ROOT / "nlp" / "data" / "corpus.jsonl"
DEV = ROOT.parent / "shared" / "data" / "complaints-dev.jsonl"
COLD = ("import time; t = time.perf_counter(); from nlp import Analyzer; "
        "Analyzer.load().analyze('3号楼楼道里有人飞线充电'); print(time.perf_counter() - t)")


def messages(extra: Path | None) -> list[str]:
    texts: list[str] = []
    for path in (CORPUS, extra or DEV):
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts


def rates(fns: list, texts: list[str], rounds: int) -> list[float]:  # noqa: ANN001
    """Best messages/s of each callable; rounds interleave them so load spikes hit both."""
    best = [0.0] * len(fns)
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            t = time.perf_counter()
            for text in texts:
                fn(text)
            best[k] = max(best[k], len(texts) / (time.perf_counter() - t))
    return best


def cold_start() -> tuple[float, float]:
    """(seconds from interpreter start to first result, seconds inside Python for the same)."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return time.perf_counter() - t, float(out.stdout.strip())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--file", type=Path, help="extra JSONL with a text field (default: dev set)")
    args = ap.parse_args()

    total, inner = cold_start()
    import jieba

    from nlp import Analyzer

    jieba.setLogLevel(logging.WARNING)
    texts = messages(args.file)
    analyzer = Analyzer.load()
    jieba.initialize()
    analyzer.analyze(texts[0])
    jieba_rate, ours = rates([jieba.lcut, analyzer.analyze], texts, args.rounds)
    chars = sum(len(t) for t in texts) / len(texts)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"messages            {len(texts)} (mean {chars:.0f} chars), best of {args.rounds}")
    print(f"jieba.lcut          {jieba_rate:10.0f} msg/s")
    print(f"Analyzer.analyze    {ours:10.0f} msg/s   ({ours / jieba_rate:.2f}x jieba; goal >= 0.5x)")
    print(f"per message         {1e6 / ours:10.0f} us")
    print(f"cold start          {total:10.2f} s to first result (goal <= 2 s; "
          f"{inner:.2f} s after interpreter start)")
    print(f"max RSS             {rss_mb:10.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
