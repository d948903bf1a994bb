"""The crash experiment at the issue's sizes (tests/e2e/test_crash.py runs a small one).

    .venv/bin/python bench/crash.py --reports 600 --kills 3 [--db URL] [--chaos 0.3]
        [--ghost 0.5] [--code /path/to/another/checkout]

`--code` runs `gridbot serve` from another checkout (e.g. `git archive main | tar -x -C DIR`)
while the ledger, the senders and the WeChat stand-in stay this one's, to measure "before".
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import crash as crashkit  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reports", type=int, default=600)
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--db", default="", help="database URL (default: a fresh SQLite file)")
    p.add_argument("--chaos", type=float, default=0.0)
    p.add_argument("--ghost", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--code", type=Path, default=crashkit.ROOT)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gridbot-crash-"))
    url = args.db or f"sqlite+aiosqlite:///{tmp / 'crash.db'}"
    plan = crashkit.Plan(reports=args.reports, kills=args.kills, seed=args.seed,
                         chaos=args.chaos, ghost=args.ghost,
                         new_keys=args.code.resolve() == crashkit.ROOT)
    out = asyncio.run(crashkit.run(plan, url, tmp, args.code.resolve()))
    print(f"{url.split(':')[0]}: {out.row()}  (logs in {tmp})")


if __name__ == "__main__":
    main()
