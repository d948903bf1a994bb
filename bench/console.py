"""The console at scale: page render times with N tickets (default 100,000) in the database,
and the memory an export of every one of them takes (CSV and XLSX).

Run: .venv/bin/python bench/console.py [--tickets N] [--runs R] [--database URL]
Seeds a throwaway SQLite file (or the given database, emptied first) with the sample district
and N tickets over a year (the last two weeks a mix of every status, 95 % of the older ones
done: about 8,000 open at 100,000), then times each page R times in process over HTTP (aiohttp test
client: routing, session, query and template, as a browser gets it) and samples the process's
resident memory every 5 ms while the exports stream.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

import psutil
from aiohttp import ClientTimeout
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.console.accounts import add_user
from bot.demo.run import SAMPLE_DISTRICT
from nlp.taxonomy import CATEGORIES
from storage.clock import FrozenClock, utcnow
from storage.db import Database
from storage.district import import_file
from storage.models import Base, Region, Ticket
from tests.console.conftest import build_app, sign_in

PASSWORD = "bench-password-1"
DAYS = 365  # 100,000 tickets a year: ~270 a day, a district of a few hundred thousand people
STATUSES = ["assigned"] * 3 + ["accepted"] * 2 + ["in_progress", "closed", "closed", "closed",
                                                    "resolved", "new", "returned", "cancelled"]


async def seed(db: Database, n: int) -> str:
    await import_file(db, SAMPLE_DISTRICT)
    grids = await db.read(lambda s: s.scalars(select(Region).where(Region.level == "grid")))
    grids = list(grids)
    now = utcnow()
    rnd = random.Random(1)
    cats = list(CATEGORIES)
    batch: list[dict] = []
    code = ""
    for i in range(n):
        g = grids[i % len(grids)]
        created = now - timedelta(minutes=rnd.randint(0, DAYS * 24 * 60))
        # a district's history: what is older than two weeks is almost all done
        status = STATUSES[i % len(STATUSES)]
        if created < now - timedelta(days=14) and rnd.random() < 0.95:
            status = rnd.choice(["closed", "closed", "closed", "resolved", "cancelled"])
        done = status in ("closed", "resolved")
        code = f"GD{created:%Y%m%d}-{i:06d}"
        batch.append(dict(
            code=code, category=cats[i % len(cats)], urgency=("urgent" if i % 50 == 0 else
                                                              "high" if i % 7 == 0 else "normal"),
            request_kind="投诉", text=f"第{i}号诉求：楼道堆放杂物，电话 1391234{i % 10000:04d}",
            community_text="幸福花园", building=str(i % 10 + 1), region_id=g.id,
            community_id=g.parent_id, source="resident", status=status,
            assignee_id=(g.slots or {}).get("officer") if status != "new" else None,
            respond_by=created + timedelta(hours=24), resolve_by=created + timedelta(days=3),
            accepted_at=created + timedelta(hours=rnd.randint(1, 30)) if status not in (
                "new", "assigned", "returned") else None,
            resolved_at=created + timedelta(days=rnd.randint(1, 5)) if done else None,
            rating=rnd.choice([1, 2, 3, 4, None]) if status == "closed" else None,
            escalation_level=0, created_at=created, updated_at=created))
        if len(batch) == 5000:
            rows = batch
            await db.run(lambda s, rows=rows: s.execute(insert(Ticket), rows))
            batch = []
    if batch:
        await db.run(lambda s: s.execute(insert(Ticket), batch))
    await db.run(lambda s: add_user(s, "bench", role="centre", password=PASSWORD))
    await db.run(lambda s: add_user(s, "bench-lj", role="community", area="FC-LJ",
                                    password=PASSWORD))
    return code


class Peak:
    """The highest RSS seen while it runs (sampled by a thread every 5 ms)."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.base = self.proc.memory_info().rss
        self.peak = self.base
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.005)

    def __enter__(self) -> Peak:
        self._t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._t.join()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--database")
    ap.add_argument("--no-xlsx", action="store_true", help="skip the (slow) XLSX export")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.run_sync(Base.metadata.create_all)
        t0 = time.perf_counter()
        last = await seed(db, args.tickets)
        print(f"seeded {args.tickets:,} tickets in {time.perf_counter() - t0:.1f} s "
              f"({db.dialect}); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        app = build_app(db, FrozenClock(utcnow()))
        # no client timeout: the XLSX export under tracemalloc takes minutes
        async with TestClient(TestServer(app, host="127.0.0.1"),
                              timeout=ClientTimeout(total=None)) as c:
            assert (await sign_in(c, "bench", PASSWORD)).status == 302
            pages = {
                "overview (30 days, by street)": "/console/",
                "overview (90 days, by community)": "/console/?by=community&since="
                                                    f"{(utcnow() - timedelta(days=89)):%Y-%m-%d}",
                "queue, first page": "/console/tickets",
                "queue, open + grid + category": "/console/tickets?status=open&grid=FC-LJ-01"
                                                 "&category=noise",
                "queue, overdue, page 20": "/console/tickets?overdue=1&page=20",
                "queue, text search": "/console/tickets?q=%E6%9D%82%E7%89%A9%EF%BC%8C",
                "ticket": f"/console/tickets/{last}",
                "triage desk": "/console/triage",
                "map": "/console/map",
                "people": "/console/people",
                "audit": "/console/audit",
            }
            print(f"\n{'page':<34} {'median ms':>10} {'max ms':>8}")
            for name, path in pages.items():
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    resp = await c.get(path)
                    await resp.read()
                    assert resp.status == 200, (path, resp.status)
                    times.append((time.perf_counter() - t) * 1000)
                print(f"{name:<34} {statistics.median(times):>10.0f} {max(times):>8.0f}")
            print(f"\n{'export (all rows)':<18} {'rows':>8} {'seconds':>8} {'RSS +MiB':>9} "
                  f"{'heap peak MiB':>14} {'file MiB':>9}")
            for fmt in ("csv",) if args.no_xlsx else ("csv", "xlsx"):
                tracemalloc.start()
                with Peak() as peak:
                    t = time.perf_counter()
                    resp = await c.get(f"/console/export/tickets.{fmt}")
                    size = 0
                    async for chunk in resp.content.iter_chunked(1 << 16):
                        size += len(chunk)  # read and dropped, as a browser saves it
                    secs = time.perf_counter() - t
                heap = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                print(f"{'tickets.' + fmt:<18} {args.tickets:>8,} {secs:>8.1f} "
                      f"{(peak.peak - peak.base) / 2**20:>9.1f} {heap / 2**20:>14.1f} "
                      f"{size / 2**20:>9.1f}")
            print("(heap peak: the most Python memory allocated at once during the export, "
                  "server and client together, by tracemalloc; it slows the export down)")
        await db.close()


if __name__ == "__main__":
    asyncio.run(main())
