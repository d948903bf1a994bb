"""Every field of `Analyzer.analyze` for a fixed set of texts, to prove a speed change changed
nothing (a check, not a test: the texts include the dev set, which is never trained on).

    .venv/bin/python bench/outputs.py dump OUT.jsonl     # before a change
    .venv/bin/python bench/outputs.py compare OUT.jsonl  # after it: differences, or none

Texts: nlp/data/corpus/*.jsonl, tests/nlp/*.jsonl (never tests/nlp/blind/), the dev sample
(complaints-dev.jsonl beside the repository's parent, when present); each analysed twice, by an
analyser without a gazetteer and by one with a few place names (set_gazetteer adds words to the
segmenter). `compare` reports a row byte-different from the dump, and says whether only floats
moved (by at most 1e-12) or a decision did; a differing row of a held-out set or the dev sample
is reported by its number only, so a check never shows their sentences.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GAZETTEER = [("阳光新村", ["阳光小区"]), ("金色港湾", ["金色港湾小区"]), ("城关社区", ["城关"]),
             ("幸福花园", ["幸福花园小区"]), ("连江农贸市场", ["连江市场"])]


DEV = ROOT.parent / "shared" / "data" / "complaints-dev.jsonl"


def sources() -> list[Path]:
    tests = sorted((ROOT / "tests" / "nlp").glob("*.jsonl"))
    return [*sorted((ROOT / "nlp" / "data" / "corpus").glob("*.jsonl")), *tests,
            *([DEV] if DEV.exists() else [])]


def _unread(path: Path) -> bool:
    """A set whose sentences are not to be read (held out, or the dev sample)."""
    return "heldout" in path.name or path == DEV


def texts() -> list[tuple[str, bool]]:
    """(text, whether a difference may show it)."""
    out: list[tuple[str, bool]] = []
    for path in sources():
        with path.open(encoding="utf-8") as fh:
            out += [(json.loads(line)["text"], not _unread(path)) for line in fh if line.strip()]
    return out


def rows() -> tuple[list[str], list[bool]]:
    from nlp import Analyzer

    plain = Analyzer.load()
    placed = Analyzer.load()
    placed.set_gazetteer(GAZETTEER)
    out: list[str] = []
    shown: list[bool] = []
    for text, show in texts():
        for an in (plain, placed):
            out.append(json.dumps(dataclasses.asdict(an.analyze(text)), ensure_ascii=False))
            shown.append(show)
    return out, shown


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_close, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def main() -> int:
    mode, path = sys.argv[1], Path(sys.argv[2])
    now, shown = rows()
    if mode == "dump":
        path.write_text("\n".join(now) + "\n", encoding="utf-8")
        print(f"{len(now)} rows to {path}")
        return 0
    before = path.read_text(encoding="utf-8").splitlines()
    if len(before) != len(now):
        print(f"row count {len(before)} != {len(now)}")
        return 1
    floats = decisions = 0
    for i, (a, b) in enumerate(zip(before, now, strict=True)):
        if a == b:
            continue
        if _close(json.loads(a), json.loads(b)):
            floats += 1
        else:
            decisions += 1
            if decisions <= 5:
                print(f"row {i}:\n  before {a}\n  now    {b}" if shown[i]
                      else f"row {i}: (a held-out or dev row, not shown)")
    print(f"{len(now)} rows: {len(now) - floats - decisions} identical, {floats} floats within "
          f"1e-12, {decisions} different")
    return 1 if decisions else 0


if __name__ == "__main__":
    sys.exit(main())
