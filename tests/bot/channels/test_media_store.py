"""Evidence is downloaded with media/get into the media store, retried with backoff."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio
from aiohttp import ClientSession

from bot.channels import SendResult, failure
from bot.channels.clients import ChannelClients
from bot.channels.media_store import MediaStore
from bot.demo.standin import WeChatStandIn
from storage.clock import FrozenClock
from storage.config import MediaConfig, Settings
from storage.db import Database
from storage.models import Attachment

JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 10
START = datetime(2026, 11, 23, 2, 0)


@pytest_asyncio.fixture
async def db(any_db: Database) -> Database:
    """Downloads are a leased queue (claim, lease, settle): every test here runs on SQLite and
    PostgreSQL."""
    return any_db


class FlakyClient:
    """media/get that fails `failures` times (a retryable network error), then serves."""

    def __init__(self, failures: int = 1, errcode: int = -2) -> None:
        self.failures, self.errcode = failures, errcode
        self.calls: list[str] = []
        self.called = asyncio.Event()

    async def media_get(self, media_id: str) -> SendResult:
        self.calls.append(media_id)
        self.called.set()
        if self.failures:
            self.failures -= 1
            return failure(self.errcode, "scripted", retryable=True)
        return SendResult(ok=True, content=JPEG, content_type="image/jpeg")


async def _add(db: Database, media_id: str = "MEDIA_1", *, created: datetime = START,
               channel: str = "mp") -> int:
    async def unit(s: Any) -> int:
        row = Attachment(person_id="r-1", channel=channel, kind="image", media_id=media_id,
                         state="pending", next_attempt_at=created, created_at=created)
        s.add(row)
        await s.flush()
        return row.id

    return await db.run(unit)


async def _get(db: Database, aid: int) -> Attachment:
    async def q(s: Any) -> Attachment:
        return await s.get(Attachment, aid)

    return await db.read(q)


async def test_a_failed_download_is_retried_after_backoff_then_stored(
        db: Database, tmp_path: Path) -> None:
    clock, client = FrozenClock(START), FlakyClient(failures=1)
    store = MediaStore(MediaConfig(backoff_seconds=30), tmp_path, db, clock, {"mp": client})
    aid = await _add(db)
    assert await store.run_once() == 1
    row = await _get(db, aid)
    assert (row.state, row.attempts, row.path) == ("pending", 1, None)
    assert row.next_attempt_at == START + timedelta(seconds=30) and "scripted" in row.last_error
    assert await store.run_once() == 0  # not due yet
    clock.advance(seconds=31)
    assert await store.run_once() == 1
    row = await _get(db, aid)
    assert (row.state, row.attempts, row.last_error) == ("downloaded", 2, None)
    assert row.path == f"202611/{aid}-image-2.jpg"
    assert (tmp_path / row.path).read_bytes() == JPEG
    assert client.calls == ["MEDIA_1", "MEDIA_1"]
    assert await store.run_once() == 0  # stored once


async def test_an_invalid_media_id_fails_at_once(db: Database, tmp_path: Path) -> None:
    client = FlakyClient(failures=5, errcode=40007)
    store = MediaStore(MediaConfig(), tmp_path, db, FrozenClock(START), {"mp": client})
    aid = await _add(db)
    await store.run_once()
    row = await _get(db, aid)
    assert (row.state, row.attempts) == ("failed", 1)


async def test_attempts_run_out_and_expired_ids_are_not_fetched(db: Database,
                                                                tmp_path: Path) -> None:
    clock, client = FrozenClock(START), FlakyClient(failures=99)
    store = MediaStore(MediaConfig(max_attempts=3, backoff_seconds=1), tmp_path, db, clock,
                       {"mp": client})
    aid = await _add(db)
    old = await _add(db, "OLD", created=START - timedelta(days=3, minutes=1))
    for _ in range(3):
        await store.run_once()
        clock.advance(seconds=10)
    assert (await _get(db, aid)).state == "failed"
    assert (await _get(db, old)).state == "failed"
    assert client.calls == ["MEDIA_1"] * 3  # the expired id was never asked for


async def test_the_loop_downloads_when_woken_and_stops(db: Database, tmp_path: Path) -> None:
    client = FlakyClient(failures=0)
    store = MediaStore(MediaConfig(poll_seconds=60), tmp_path, db, FrozenClock(START),
                       {"mp": client})
    stop = asyncio.Event()
    task = asyncio.create_task(store.run(stop))
    aid = await _add(db)
    store.wake()
    await asyncio.wait_for(client.called.wait(), timeout=5)
    stop.set()
    store.wake()
    await asyncio.wait_for(task, timeout=5)
    assert (await _get(db, aid)).state == "downloaded"


async def test_downloads_through_the_official_account_api(db: Database, tmp_path: Path) -> None:
    standin = WeChatStandIn()
    base = await standin.start()
    standin.media["MEDIA_MP"] = (JPEG, "image/jpeg")
    standin.fail("media/get", -1, errmsg="system busy")  # once
    settings = Settings(wechat={"mp": {"app_id": "wx1", "app_secret": "s", "api_base_url": base}},
                        http={"retries": 0}, media_dir=str(tmp_path))
    clock = FrozenClock(START)
    try:
        async with ClientSession() as http:
            clients = ChannelClients.build(settings, db, clock, http)
            store = MediaStore(settings.media, settings.media_dir, db, clock,
                               clients.by_channel())
            aid = await _add(db, "MEDIA_MP")
            await store.run_once()
            assert (await _get(db, aid)).last_error == "-1 system busy"
            clock.advance(minutes=1)
            await store.run_once()
    finally:
        await standin.stop()
    row = await _get(db, aid)
    assert row.state == "downloaded" and (tmp_path / row.path).read_bytes() == JPEG
