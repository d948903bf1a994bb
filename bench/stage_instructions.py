"""Instructions a message of each stage of `Analyzer.analyze`, counted by callgrind (a
benchmark, not a test): the stage budget to decide where speed work pays.

    .venv/bin/python bench/stage_instructions.py [--tree DIR] [--every 4]

In a child under callgrind with instrumentation off, the analyser analyses every `--every`-th
`bench/classify.py` message once while each function `analyze` calls for a stage is wrapped
and records its calls (arguments copied, outermost call only). Then, stage by stage, the
recorded calls are replayed with instrumentation on (`callgrind_control -i on`) and dumped:
each figure is that stage's work for the same messages, in the same warmed process, with
nothing else counted. `analyze` itself is counted last, whole, so "rest" (set algebra,
clauses, `Analysis`) is what no stage holds. `jieba` replays raw `jieba.lcut` (HMM on, as
`bench/classify.py` runs it) on the raw texts, and `jieba_same` `jieba.lcut(HMM=False)` on
exactly the texts the segmenter was given (jieba's own tokenizer, dictionary and code).
`calls` is an empty function replayed as often as all stages' calls together: the replay
loop's own cost, subtracted from nothing but worth knowing. PYTHONHASHSEED=0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from classify import messages  # noqa: E402

CHILD = r"""
import json, os, subprocess, sys
import logging, jieba
from nlp import Analyzer, pipeline
from nlp.heads import Joint
from nlp.model import LinearModel
from nlp.segment import Segmenter
from nlp.text import TextPrep

with open(sys.argv[1], encoding="utf-8") as fh:
    texts = json.load(fh)
STAGES = {
    "normalize": [(TextPrep, "normalise")],
    "segment": [(Segmenter, "cut")],
    "features": [(pipeline, "extract_sets"), (pipeline, "extract_ids")],
    "focus": [(pipeline, "focus_sets"), (pipeline, "focus_view"), (pipeline, "_focus_ids")],
    "scoring": [(Joint, "total"), (Joint, "total_ids"), (Joint, "model_logits"),
                (Joint, "heads_scores"),
                (LinearModel, "ranked"), (LinearModel, "top"), (pipeline, "_clause_problems")],
    "rules": [(pipeline, "boost_category_cues"), (pipeline, "forced_category"),
              (pipeline, "apply_override")],
    "urgency": [(pipeline, "find_hits"), (pipeline, "urgency_for"), (pipeline, "not_now")],
    "location": [(pipeline, "extract_location"), (pipeline, "is_address_only")],
    "intent": [(pipeline, n) for n in ("intent_of", "aside_question", "is_consult",
               "request_kind_of", "rating_of", "rating_value", "story_rating",
               "states_complaint", "is_small_talk", "act_of")]
              + [(Analyzer, "_learned_intent")],
    "keywords": [(Analyzer, "_keywords")],
}
# (a function one tree has and another has not is counted where it exists)
STAGES = {s: [(o, n) for o, n in pairs if n in vars(o)] for s, pairs in STAGES.items()}
if os.environ.get("STAGES_FINE"):  # one stage for each function
    STAGES = {f"{s}.{n}": [(o, n)] for s, pairs in STAGES.items() for o, n in pairs}
for extra in sys.argv[2:]:  # stage=module:attr (a function the tree has that main has not)
    stage, _, where = extra.partition("=")
    mod, _, attr = where.partition(":")
    STAGES.setdefault(stage, []).append((sys.modules[mod], attr))
calls = {s: [] for s in STAGES}
depth = [0]

def copied(x):
    return list(x) if isinstance(x, list) else x

def wrap(stage, owner, name):
    fn = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
    raw = fn.__func__ if isinstance(fn, staticmethod) else fn
    def wrapper(*a, **k):
        if depth[0]:
            return raw(*a, **k)
        calls[stage].append((raw, tuple(map(copied, a)), k))
        depth[0] += 1
        try:
            return raw(*a, **k)
        finally:
            depth[0] -= 1
    setattr(owner, name, staticmethod(wrapper) if isinstance(fn, staticmethod) else wrapper)
    return fn

jieba.setLogLevel(logging.WARNING)
jieba.initialize()
analyzer = Analyzer.load()
for t in texts:
    analyzer.analyze(t)   # warm, unrecorded
saved = [(o, n, wrap(s, o, n)) for s, pairs in STAGES.items() for o, n in pairs]
for t in texts:
    analyzer.analyze(t)   # recorded
for o, n, fn in saved:
    setattr(o, n, fn)

def control(*args):
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def measure(name, run):
    run()  # warm again: the replay's first pass pays for nothing the real one did not
    control("-i", "on")
    run()
    control("-d", name)
    control("-i", "off")

def replay(items):
    def run():
        for fn, a, k in items:
            fn(*a, **k)
    return run

for stage, items in calls.items():
    measure(stage, replay(items))
noop = lambda *a, **k: None
every = [(noop, a, k) for items in calls.values() for _, a, k in items]
measure("calls", replay(every))
cut_inputs = [a[1] for s, items in calls.items() if s.startswith("segment")
              for _, a, _ in items]
lcut = jieba.lcut
measure("jieba", lambda: [lcut(t) for t in texts])
measure("jieba_same", lambda: [lcut(t, HMM=False) for t in cut_inputs])
go = analyzer.analyze
measure("analyze", lambda: [go(t) for t in texts])
print(json.dumps({"messages": len(texts), "calls": {s: len(v) for s, v in calls.items()}}))
"""


def run(tree: Path, texts: list[str], extra: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        given = Path(tmp) / "texts.json"
        given.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(tree)}
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={Path(tmp) / 'cg.out'}", sys.executable, "-c", CHILD,
             str(given), *extra], env=env, cwd=tree, capture_output=True, text=True,
            check=True)
        info = json.loads(out.stdout.strip().splitlines()[-1])
        n = info["messages"]
        known = {*info["calls"], "calls", "jieba", "jieba_same", "analyze"}
        per: dict[str, float] = {}
        for dump in Path(tmp).glob("cg.out*"):
            text = dump.read_text(errors="replace")
            name = re.search(r"^desc: Trigger: .*?([\w.]+)\s*$", text, re.MULTILINE)
            total = re.search(r"^totals: (\d+)", text, re.MULTILINE)
            if name and total and name.group(1) in known:
                per[name.group(1)] = int(total.group(1)) / n
        per["_calls"] = sum(info["calls"].values()) / n
        per.update({f"#{s}": c / n for s, c in info["calls"].items()})
        return per


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, default=HERE.parent)
    ap.add_argument("--every", type=int, default=4)
    ap.add_argument("--fine", action="store_true", help="one stage for each function")
    ap.add_argument("--stage", action="append", default=[],
                    help="stage=module:function, another function to count in a stage")
    args = ap.parse_args()
    texts = messages(None)[::args.every]
    if args.fine:
        os.environ["STAGES_FINE"] = "1"
    per = run(args.tree.resolve(), texts, args.stage)
    whole = per["analyze"]
    stages = [s for s in per if s not in ("analyze", "jieba", "jieba_same", "calls", "_calls")
              and not s.startswith("#")]
    print(f"{args.tree}: {len(texts)} messages, instructions a message (share of analyze)")
    for s in sorted(stages, key=lambda s: -per[s]):
        print(f"  {s:<12}{per[s]:>12,.0f}  {per[s] / whole:6.1%}  "
              f"({per.get('#' + s, 0):.2f} calls a message)")
    rest = whole - sum(per[s] for s in stages)
    print(f"  {'rest':<12}{rest:>12,.0f}  {rest / whole:6.1%}")
    print(f"  {'analyze':<12}{whole:>12,.0f}")
    print(f"  replay loop {per['calls']:>11,.0f} ({per['_calls']:.1f} calls a message)")
    print(f"  jieba.lcut on the raw texts (HMM on)   {per['jieba']:>10,.0f}"
          f"  ({whole / per['jieba']:.2f}x analyze's cost; {per['jieba'] / whole:.3f}x speed)")
    print(f"  jieba.lcut(HMM=False), segmenter's inputs {per['jieba_same']:>8,.0f}"
          f"  (ours: {per.get('segment', per.get('segment.cut', 0)):,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
