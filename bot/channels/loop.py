"""What the outbox sender and the media downloader share: API clients built from settings, and
a background loop that works in rounds, woken early by `wake()` after a commit."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import ClientSession

from bot.channels.http import JsonHttp
from bot.channels.mp import MpClient
from bot.channels.work import WorkClient
from storage.clock import Clock
from storage.config import Settings
from storage.db import Database

logger = logging.getLogger(__name__)


def clients(settings: Settings, db: Database, clock: Clock, session: ClientSession, *,
            backoff_seconds: float = 0.5) -> tuple[MpClient, WorkClient]:
    http = JsonHttp(session, timeout_seconds=settings.http.timeout_seconds,
                    retries=settings.http.retries, backoff_seconds=backoff_seconds)
    return (MpClient(settings.wechat.mp, http, db, clock),
            WorkClient(settings.wechat.work, http, db, clock))


class PollLoop:
    """`run(stop)` calls `round()` until `stop`; a full round (`batch` items) goes again at
    once, otherwise it waits `poll_seconds` or until `wake()`."""

    name = "background round"
    batch = 1
    poll_seconds = 1.0

    def __init__(self) -> None:
        self._wake = asyncio.Event()

    async def round(self) -> int:
        raise NotImplementedError

    def wake(self) -> None:
        """Work was committed: look now instead of at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()  # a wake during the round triggers the next one at once
            try:
                busy = await self.round() >= self.batch
            except Exception:  # the loop must outlive a database hiccup
                logger.exception("%s failed", self.name)
                busy = False
            if not busy:
                await first_of(self._wake, stop, seconds=self.poll_seconds)


async def first_of(*events: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
