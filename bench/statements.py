"""SQL statements per update, counted with a SQLAlchemy event listener on the serving code
(PYTHONPATH chooses the tree): a first report from a new resident, a new report from a known
resident, and an officer's 我的工单. BEGIN/COMMIT are not counted; a multi-row insert is one.
Prints one JSON line.

On PostgreSQL (STATEMENTS_DB_URL=postgresql+asyncpg://…) it also counts the round trips of
each update on the wire, whatever the tree's code does: every Sync and simple Query message
the client writes to the server is one (each is answered before the client goes on), BEGIN
and COMMIT included, and the socket writes that carried them (`round_trips`, `pg_writes`)."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

from aiohttp import ClientSession, web
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bot.app import create_app
from bot.demo.run import SAMPLE_DISTRICT, demo_settings
from bot.demo.simulator import MpSide, WorkSide
from storage.db import Database
from storage.district import import_file
from storage.migrate import upgrade

WIRE = {"round_trips": 0, "writes": 0}


def count_wire() -> None:
    """Count what asyncio's socket transports write to PostgreSQL: frontend messages after
    start-up are a type byte and a length, and each Sync ('S') or Query ('Q') waits for the
    server's ReadyForQuery."""
    from asyncio import selector_events

    original = selector_events._SelectorSocketTransport.write  # noqa: SLF001

    def write(self, data) -> None:  # noqa: ANN001
        view = bytes(data)
        if self.get_extra_info("peername", ("", 0))[1] == PG_PORT and view[:1] not in (
                b"", b"\0"):  # not the start-up message (it has no type byte)
            WIRE["writes"] += 1
            at = 0
            while at + 5 <= len(view):
                kind, size = view[at:at + 1], int.from_bytes(view[at + 1:at + 5], "big")
                WIRE["round_trips"] += kind in (b"S", b"Q")
                at += 1 + size
        original(self, data)

    selector_events._SelectorSocketTransport.write = write  # type: ignore[method-assign]  # noqa: SLF001


PG_PORT = 0


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = (os.environ.get("STATEMENTS_DB_URL")  # e.g. a PostgreSQL database of your own
               or f"sqlite+aiosqlite:///{Path(tmp) / 'stmts.db'}")
        wire = url.startswith("postgresql")
        if wire:
            global PG_PORT
            PG_PORT = make_url(url).port or 5432
            count_wire()
        await upgrade(url)
        db = Database(url)
        await import_file(db, SAMPLE_DISTRICT)
        settings = demo_settings(url, "http://127.0.0.1:9")
        seen: list[str] = []

        def count(_c, _cur, statement, _p, _ctx, _many) -> None:  # noqa: ANN001
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                seen.append(statement)

        for engine in {db.engine, db.read_engine}:
            event.listen(engine.sync_engine, "before_cursor_execute", count)
        runner = web.AppRunner(create_app(settings, db=db, background=False))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore
        out: dict[str, int] = {}
        trips: dict[str, int] = {}
        writes: dict[str, int] = {}
        async with ClientSession() as http:
            mp, work = MpSide(http, base, settings), WorkSide(http, base, settings)
            await mp.say("oWarm", "幸福花园1号楼门口垃圾没人清运")
            await mp.event("oKnown", "subscribe")  # known to us (a follower), no ticket yet
            for name, call in (
                ("new_resident_report", lambda: mp.say("oNew1", "幸福花园3号楼楼道有人拉飞线")),
                ("known_resident_report", lambda: mp.say("oKnown", "阳光新村4号楼半夜拖椅子")),
                ("officer_command", lambda: work.say("ZhangWei", "我的工单")),
            ):
                seen.clear()
                before = dict(WIRE)
                await call()
                out[name] = len(seen)
                trips[name] = WIRE["round_trips"] - before["round_trips"]
                writes[name] = WIRE["writes"] - before["writes"]
                if os.environ.get("SHOW_SQL"):
                    flat = [q.replace("\n", " ") for q in seen]
                    print(name, *(f"{q[:110]} … {q[-300:]}" for q in flat), sep="\n  ")
        await runner.cleanup()
        await db.close()
        if wire:
            out = {**out, "round_trips": trips, "pg_writes": writes}  # type: ignore[dict-item]
        print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())
