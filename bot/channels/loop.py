"""The background loop the outbox sender and the media downloader share: it works in rounds,
woken early by `wake()` after a commit. (Their API clients: `bot.channels.clients`.)"""

from __future__ import annotations

import asyncio
import logging

from storage.db import UNIT_KIND

logger = logging.getLogger(__name__)


class PollLoop:
    """`run(stop)` calls `round()` until `stop`; a full round (`batch` items) goes again at
    once, otherwise it waits `poll_seconds` or until `wake()`."""

    name = "background round"
    kind = "loop"  # its units, for gridbot_sql_statements_per_update{kind}

    def __init__(self, *, batch: int = 1, poll_seconds: float = 1.0) -> None:
        self.batch, self.poll_seconds = batch, poll_seconds
        self._wake = asyncio.Event()

    async def round(self) -> int:
        raise NotImplementedError

    def wake(self) -> None:
        """Work was committed: look now instead of at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        UNIT_KIND.set(self.kind)  # this loop's task only
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
