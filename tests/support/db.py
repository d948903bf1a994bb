"""Which databases the tests run on, and a clean one at a URL."""

from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

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


async def reset_schema(url: str) -> None:
    """Leave PostgreSQL's schema empty, as the other tests expect it after a test that ran
    real servers (which created tables of their own) against `url`."""
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
