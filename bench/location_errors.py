"""Building, unit and room as `nlp.Analyzer` reads them against the labels of a corpus.

    python bench/location_errors.py [FILE.jsonl ...] [--list made-up|missed|wrong|all]

Without files it reads every line with a `location` label in `nlp/data/corpus/*.jsonl`.
Prints, per field, exact match on the rows that state the field, the fields produced where
the label states none (made up: count and share of all fields produced), the fields
labelled and not produced (missed) and those produced with another value (wrong); with
--list, the lines of that kind, one per line: kind, field, got, label, text.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp import Analyzer  # noqa: E402

FIELDS = ("building", "unit", "room")


def labelled_rows(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if "location" in row:
                    rows.append(row)
    return rows


def compare(rows: list[dict], analyzer: Analyzer) -> tuple[dict, list[tuple]]:
    stated = dict.fromkeys(FIELDS, 0)
    hit = dict.fromkeys(FIELDS, 0)
    made_up = dict.fromkeys(FIELDS, 0)
    missed = dict.fromkeys(FIELDS, 0)
    wrong = dict.fromkeys(FIELDS, 0)
    produced = 0
    lines: list[tuple] = []
    for row in rows:
        label = row.get("location") or {}
        got = analyzer.analyze(row["text"]).location.as_dict()
        for f in FIELDS:
            want = str(label[f]) if label.get(f) else None
            have = got[f]
            produced += have is not None
            if want is not None:
                stated[f] += 1
                hit[f] += have == want
            if have is not None and want is None:
                made_up[f] += 1
                lines.append(("made-up", f, have, want, row["text"]))
            elif have is None and want is not None:
                missed[f] += 1
                lines.append(("missed", f, have, want, row["text"]))
            elif have != want:
                wrong[f] += 1
                lines.append(("wrong", f, have, want, row["text"]))
    total_stated = sum(stated.values())
    summary = {
        "rows": len(rows),
        "exact": {f: (hit[f], stated[f]) for f in FIELDS},
        "exact_all": (sum(hit.values()), total_stated),
        "produced": produced,
        "made_up": made_up,
        "missed": missed,
        "wrong": wrong,
    }
    return summary, lines


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.4f}" if b else "-"


def print_summary(s: dict) -> None:
    print(f"rows with a location label: {s['rows']}")
    for f in FIELDS:
        h, n = s["exact"][f]
        print(f"  {f:<9} exact {_ratio(h, n)} ({h} of {n})  made up {s['made_up'][f]}  "
              f"missed {s['missed'][f]}  wrong {s['wrong'][f]}")
    h, n = s["exact_all"]
    made = sum(s["made_up"].values())
    print(f"  building/unit/room exact {_ratio(h, n)} ({h} of {n}); made-up fields {made} of "
          f"{s['produced']} produced ({_ratio(made, s['produced'])}); missed "
          f"{sum(s['missed'].values())}; wrong value {sum(s['wrong'].values())}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="*", type=Path)
    p.add_argument("--list", choices=("made-up", "missed", "wrong", "all"))
    args = p.parse_args(argv)
    paths = args.files or sorted((ROOT / "nlp/data/corpus").glob("*.jsonl"))
    summary, lines = compare(labelled_rows(paths), Analyzer.load())
    if args.list:
        for kind, f, have, want, text in lines:
            if args.list in ("all", kind):
                print(f"{kind}\t{f}\tgot={have}\tlabel={want}\t{text}")
    print_summary(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
