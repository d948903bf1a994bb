"""A district, a frozen clock and the dispatcher, as the conversation tests drive them; the jobs
are called directly after moving the clock (never slept on). This `bot` replaces the one of
tests/handlers for the jobs: its services carry the working calendar and default settings."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from storage.db import Database
from tests.support.bot import Bot
from tests.support.jobs import supervised_bot


@pytest_asyncio.fixture
async def bot(db: Database) -> AsyncIterator[Bot]:
    yield await supervised_bot(db)
