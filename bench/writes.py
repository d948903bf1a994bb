"""Write path under a burst: one transaction per update vs the group-commit writer.

Each update is what a resident's report writes: an inbound row, a ticket, its event and an
outbox row, atomically. Run: .venv/bin/python bench/writes.py [--updates N] [--concurrency C]
Prints updates/s and latency percentiles of both, and their ratio, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Base, InboundMessage, Outbox, Ticket, TicketEvent


def make_unit(i: int, tag: str):
    async def unit(session: AsyncSession) -> int:
        session.add(InboundMessage(dedupe_key=f"{tag}:{i}", channel="mp", from_user=f"o{i}",
                                   msg_type="text", raw="<xml/>"))
        t = Ticket(code=f"{tag}-{i:06d}", category="noise", urgency="normal", text="楼上吵")
        session.add(t)
        await session.flush()
        session.add(TicketEvent(ticket_id=t.id, kind="created"))
        session.add(Outbox(channel="mp", recipient=f"o{i}", payload={"text": "已受理"}))
        return t.id

    return unit


async def per_update(db: Database, unit) -> None:
    async with db.sessions() as session, session.begin():
        await unit(session)


async def burst(db: Database, n: int, concurrency: int, grouped: bool, tag: str) -> list[float]:
    sem = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(i: int) -> None:
        async with sem:
            start = time.perf_counter()
            unit = make_unit(i, tag)
            if grouped:
                await db.run(unit)
            else:
                await per_update(db, unit)
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(one(i) for i in range(n)))
    return latencies


def report(name: str, lat: list[float], elapsed: float) -> float:
    rate = len(lat) / elapsed
    q = statistics.quantiles(lat, n=100)
    print(f"{name:<28} {rate:8.0f} updates/s   p50 {q[49] * 1000:7.1f} ms   "
          f"p99 {q[98] * 1000:7.1f} ms")
    return rate


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--updates", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=100)
    args = ap.parse_args()
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        for grouped in (False, True):
            db = Database(f"sqlite+aiosqlite:///{Path(tmp) / f'b{int(grouped)}.db'}")
            async with db.engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            start = time.perf_counter()
            lat = await burst(db, args.updates, args.concurrency, grouped, f"g{int(grouped)}")
            name = "group commit (Database.run)" if grouped else "one transaction per update"
            rates[grouped] = report(name, lat, time.perf_counter() - start)
            await db.close()
    print(f"group commit / per-update throughput: {rates[True] / rates[False]:.1f}x "
          f"({args.updates} updates, {args.concurrency} concurrent, SQLite WAL)")


if __name__ == "__main__":
    asyncio.run(main())
