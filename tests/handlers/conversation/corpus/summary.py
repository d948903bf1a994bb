"""`python -m tests.handlers.conversation.corpus.summary [ID…]`: pass counts per class, and the
failures of the dialogues named (or of all, with -v). Not a test: a tool to read the corpus."""

from __future__ import annotations

import asyncio
import collections
import sys
import tempfile
from pathlib import Path

from tests.support.corpus import corpus_run, load
from tests.support.db import fresh


async def main(args: list[str]) -> None:
    verbose = "-v" in args
    wanted = {a for a in args if not a.startswith("-")}
    totals: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    with tempfile.TemporaryDirectory() as tmp:
        for source in ("dialogues.jsonl", "extra.jsonl"):
            for i, d in enumerate(load(source)):
                if wanted and d["id"] not in wanted and d["class"] not in wanted:
                    continue
                db = await fresh(f"sqlite+aiosqlite:///{Path(tmp) / f'{source}{i}.db'}")
                try:
                    failures = await (await corpus_run(db)).play(d)
                except Exception as e:  # a crash is a failure to read
                    failures = [f"crash: {e!r}"]
                await db.close()
                key = ("ours:" if source == "extra.jsonl" else "") + d["class"]
                totals[key][1] += 1
                totals[key][0] += not failures
                if failures and (verbose or wanted):
                    print(f"-- {d['id']}: {d['note']}")
                    print("\n".join("   " + f for f in failures))
    for k, (ok, n) in sorted(totals.items()):
        print(f"{k:24} {ok:3}/{n}")
    print(f"{'total':24} {sum(v[0] for v in totals.values()):3}/"
          f"{sum(v[1] for v in totals.values())}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
