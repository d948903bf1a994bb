"""Gateway under a burst: encrypted reports from many residents at once, over real HTTP.

The same server is measured twice in one run: with a dispatcher that answers at once (the
baseline: HTTP, signature, AES, dedupe claim and the write path) and with the real one
(classification, routing, ticket, events, outbox). It prints requests/s, p50/p99 latency and how
many answers were passive replies within WeChat's budget.
Run: .venv/bin/python bench/gateway.py [--requests N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from aiohttp import ClientSession, TCPConnector, web

from bot.app import create_app
from bot.demo.run import SAMPLE_DISTRICT, demo_settings
from bot.demo.simulator import MpSide
from bot.runtime import RUNTIME
from storage.config import Settings
from storage.db import Database
from storage.district import import_file
from storage.migrate import upgrade

REPORTS = ["幸福花园{b}号楼楼道有人拉飞线给电动车充电", "金色港湾{b}栋门口垃圾三天没人清运",
           "阳光新村{b}号楼楼上天天半夜拖椅子", "幸福花园{b}号楼门口路灯不亮了"]


async def burst(mp: MpSide, n: int, concurrency: int, tag: str) -> tuple[list[float], int]:
    sem = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    passive = 0

    async def one(i: int) -> None:
        nonlocal passive
        text = REPORTS[i % len(REPORTS)].format(b=1 + i % 5)
        async with sem:
            start = time.perf_counter()
            reply = await mp.say(f"o{tag}{i:06d}", text)
            latencies.append(time.perf_counter() - start)
            passive += reply.content is not None

    await asyncio.gather(*(one(i) for i in range(n)))
    return latencies, passive


def show(name: str, lat: list[float], elapsed: float, passive: int) -> float:
    q = statistics.quantiles(lat, n=100)
    rate = len(lat) / elapsed
    print(f"{name:<34} {rate:7.0f} req/s   p50 {q[49] * 1000:6.0f} ms   p99 {q[98] * 1000:6.0f} ms"
          f"   passive {passive}/{len(lat)}")
    return rate


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await upgrade(url)
        db = Database(url)
        await import_file(db, SAMPLE_DISTRICT)
        base = demo_settings(url, "http://127.0.0.1:9").model_dump()
        base["server"]["messages_per_minute"] = 1000
        settings = Settings(**base)
        runner = web.AppRunner(create_app(settings, db=db, background=False), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        dispatcher = runner.app[RUNTIME].dispatcher
        real = dispatcher.handle
        rates = {}
        async with ClientSession(connector=TCPConnector(limit=args.concurrency)) as http:
            mp = MpSide(http, f"http://127.0.0.1:{port}", settings)

            async def instant(session, update):  # noqa: ANN001, ANN202
                return "已收到"

            for name, handle in (("baseline (instant dispatcher)", instant),
                                 ("full pipeline (real dispatcher)", real)):
                dispatcher.handle = handle  # type: ignore[method-assign]
                start = time.perf_counter()
                lat, passive = await burst(mp, args.requests, args.concurrency, name[:4])
                rates[name] = show(name, lat, time.perf_counter() - start, passive)
        await runner.cleanup()
        await db.close()
    full, baseline = rates["full pipeline (real dispatcher)"], rates[
        "baseline (instant dispatcher)"]
    print(f"full pipeline / baseline: {full / baseline:.2f}x  ({args.requests} encrypted "
          f"reports, {args.concurrency} concurrent, SQLite WAL, safe mode)")


if __name__ == "__main__":
    asyncio.run(main())
