"""Instructions a message of `Analyzer.analyze` and of raw `jieba.lcut`, counted by valgrind's
callgrind (deterministic, unlike a clock on a shared machine: the figure to compare a small CPU
cut by). A benchmark, not a test.

    .venv/bin/python bench/analyze_instructions.py [--tree DIR ...] [--every 4] [--jieba]

The messages are `bench/classify.py`'s (the corpus and the dev sample), every `--every`-th one,
read from this tree and handed to each tree counted, so every tree gets the same list.
Each tree is run in a child under callgrind with instrumentation off (`--instr-atstart=no`):
it loads the analyser, analyses every message once to warm it, then switches instrumentation
on for itself (`callgrind_control -i on`), analyses them all again, and dumps. Loading and the
warm pass are not counted. PYTHONHASHSEED=0, so sets iterate in one order from run to run.
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
with open(sys.argv[2], encoding="utf-8") as fh:
    texts = json.load(fh)
if sys.argv[3] == "jieba":
    import logging, jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    fn = jieba.lcut
else:
    from nlp import Analyzer
    fn = Analyzer.load().analyze
for t in texts:
    fn(t)
def control(*args):
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
control("-i", "on")
for t in texts:
    fn(t)
control("-d", "measured")
control("-i", "off")
print(len(texts))
"""


def count(tree: Path, texts: list[str], what: str) -> tuple[int, float]:
    """(messages, instructions a message) of `what` ("analyze" or "jieba") in `tree`."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        given = Path(tmp) / "texts.json"
        given.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(tree)}
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={out}", sys.executable, "-c", CHILD, str(tree), str(given),
             what], env=env, cwd=tree, capture_output=True, text=True, check=True)
        n = int(run.stdout.strip().splitlines()[-1])
        for dump in Path(tmp).glob("callgrind.out*"):
            text = dump.read_text(errors="replace")
            if re.search(r"^desc: Trigger: .*measured$", text, re.MULTILINE):
                found = re.search(r"^totals: (\d+)", text, re.MULTILINE)
                if found:
                    return n, int(found.group(1)) / n
    raise RuntimeError("no dump of the measured pass")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, action="append",
                    help="the code to count (repeat to compare); default this tree")
    ap.add_argument("--every", type=int, default=4, help="every n-th message (default 4)")
    ap.add_argument("--jieba", action="store_true", help="count raw jieba.lcut too")
    args = ap.parse_args()
    trees = [t.resolve() for t in (args.tree or [HERE.parent])]
    texts = messages(None)[::args.every]  # this tree's list, whichever tree is counted
    for tree in trees:
        n, per = count(tree, texts, "analyze")
        print(f"{tree}: analyze {per:,.0f} instructions a message ({n} messages)", flush=True)
    if args.jieba:
        n, per = count(trees[0], texts, "jieba")
        print(f"raw jieba.lcut {per:,.0f} instructions a message ({n} messages)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
