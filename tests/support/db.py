"""Which databases the tests run on, and a clean one at a URL."""

from __future__ import annotations

import os

from storage.db import Database
from storage.models import Base

PG_URL = os.environ.get("GRIDBOT_TEST_DATABASE_URL")


async def fresh(url: str) -> Database:
    """A database at `url` with every table dropped and created again."""
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    return db
