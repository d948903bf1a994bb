"""Fixtures for storage tests: the example district imported into a fresh database."""

from __future__ import annotations

import pytest_asyncio

from storage.db import Database
from storage.district import import_district
from tests.support.storage import EXAMPLE


@pytest_asyncio.fixture
async def district(any_db: Database) -> Database:
    """SQLite and (when configured) PostgreSQL, each with the example district imported."""
    await any_db.run(lambda s: import_district(s, EXAMPLE, source="example"))
    return any_db
