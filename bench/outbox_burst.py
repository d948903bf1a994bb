"""A typhoon burst through the outbox sender, in simulated time: how late WeCom notices reach
their members at `wechat.work.max_per_minute` (20) a minute each.

The burst is shaped like trial 11's (finding 4): reports for 135 s, each paging its grid's
officer (one report in three urgent), every urgent one also copied to the one community
leader. The real sender runs against the WeChat stand-in on a SQLite file; the clock is frozen
and moved on a second at a time, so minutes of pacing take seconds. `--as-before` gives every
notice one priority and folds nothing: the order of the sender before this change (oldest
first). Prints one JSON line: lag from enqueue to delivery (whole, or as a digest's line) in
simulated seconds, by kind, and the messages the members received.

    .venv/bin/python bench/outbox_burst.py [--as-before | --fold-after N] [--reports 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import tempfile
from datetime import datetime
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy import select

from bot.channels.clients import ChannelClients
from bot.channels.sender import OutboxSender
from bot.demo.standin import WeChatStandIn
from storage import outbox
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Outbox

OFFICERS = [f"officer{i}" for i in range(6)]
LEADER = "leader"
START = datetime(2026, 12, 3, 1, 0)


def _settings(base: str, fold_after: int) -> Settings:
    return Settings(
        wechat={"mp": {"app_id": "wxbench", "app_secret": "s", "api_base_url": base},
                "work": {"corp_id": "wwbench", "agent_id": 1, "secret": "s",
                         "api_base_url": base, "max_per_minute": 20}},
        outbox={"batch": 200, "fold_after": fold_after})


async def run(reports: int, as_before: bool, fold_after: int) -> dict[str, object]:
    standin = WeChatStandIn()
    base = await standin.start()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'burst.db'}"
        await upgrade(url)
        db = Database(url)
        clock = FrozenClock(START)
        settings = _settings(base, 0 if as_before else fold_after)
        kinds: dict[int, str] = {}
        try:
            async with ClientSession() as http:
                clients = ChannelClients.build(settings, db, clock, http, backoff_seconds=0)
                sender = OutboxSender(settings, db, clock, clients.mp, clients.work)
                per_second = reports / 135
                made = 0.0
                for second in range(4 * 3600):
                    if second < 135:
                        made += per_second
                        batch = range(int(made - per_second), int(made))

                        async def unit(s, batch=batch):  # noqa: ANN001, ANN202
                            rows = []
                            for n in batch:
                                urgent = (n // len(OFFICERS)) % 3 == 0  # a mix each
                                to = OFFICERS[n % len(OFFICERS)]
                                head = "【紧急工单】" if urgent else "【新工单】"
                                rows.append((outbox.enqueue(
                                    s, channel="work", recipient=to, at=clock.now(),
                                    text=f"{head}GD20261203-{n:04d}\n类别：供水排水\n位置：澄园",
                                    urgent=urgent and not as_before), "page urgent"
                                    if urgent else "page ordinary"))
                                if urgent:
                                    rows.append((outbox.enqueue(
                                        s, channel="work", recipient=LEADER, at=clock.now(),
                                        text=f"【紧急工单提醒】GD20261203-{n:04d} 供水排水",
                                        urgent=not as_before), "leader copy urgent"))
                            await s.flush()
                            return [(r.id, k) for r, k in rows]

                        kinds.update(dict(await db.run(unit)))
                    while await sender.drain_once():
                        pass
                    if second > 135 and not await db.read(_waiting):
                        break
                    clock.advance(seconds=1)
                delivered = await db.read(_delivered)
        finally:
            await db.close()
            await standin.stop()
    lags: dict[str, list[float]] = {}
    for row_id, kind in kinds.items():
        lags.setdefault(kind, []).append(delivered[row_id])
    out: dict[str, object] = {"as_before": as_before, "fold_after": settings.outbox.fold_after,
                              "notices": len(kinds),
                              "messages": len(standin.sent)}
    for kind, values in sorted(lags.items()):
        out[kind] = {"n": len(values), "median_s": statistics.median(values),
                     "p90_s": sorted(values)[int(0.9 * (len(values) - 1))],
                     "max_s": max(values)}
    return out


async def _waiting(s) -> int:  # noqa: ANN001
    return len((await s.scalars(select(Outbox.id).where(
        Outbox.state.in_(("pending", "sending"))))).all())


async def _delivered(s) -> dict[int, float]:  # noqa: ANN001
    """Row id → seconds from its creation to its delivery (its digest's, when folded)."""
    rows = {r.id: r for r in await s.scalars(select(Outbox))}
    out = {}
    for r in rows.values():
        sent = r.sent_at
        if r.state == "folded":
            digest = int(re.search(r"#(\d+)", r.last_error or "").group(1))
            sent = rows[digest].sent_at
        if sent is not None and (r.payload or {}).get("kind") != "digest":
            out[r.id] = (sent - r.created_at).total_seconds()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=1500)
    ap.add_argument("--as-before", action="store_true")
    ap.add_argument("--fold-after", type=int, default=10, help="0: urgent first, no digests")
    args = ap.parse_args()
    print(json.dumps(asyncio.run(run(args.reports, args.as_before, args.fold_after)),
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
