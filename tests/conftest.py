"""Shared fixtures: a fresh database per test (SQLite file; PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from storage.db import Database
from tests.support.db import PG_URL, fresh


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await fresh(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    yield database
    await database.close()


@pytest_asyncio.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """The same test on SQLite and, when GRIDBOT_TEST_DATABASE_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        database = await fresh(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    else:
        if not PG_URL:
            pytest.skip("GRIDBOT_TEST_DATABASE_URL is not set")
        database = await fresh(PG_URL)
    yield database
    await database.close()
