"""Fixtures for storage tests: the example district imported into a fresh database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import func, select

from storage.db import Database
from storage.district import import_district

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "examples" / "district.toml"
EXAMPLE = EXAMPLE_PATH.read_text(encoding="utf-8")


@pytest_asyncio.fixture
async def district(any_db: Database) -> Database:
    """SQLite and (when configured) PostgreSQL, each with the example district imported."""
    await any_db.run(lambda s: import_district(s, EXAMPLE, source="example"))
    return any_db


async def count(db: Database, model: Any, *where: Any) -> int:
    return await db.read(lambda s: s.scalar(select(func.count()).select_from(model).where(*where)))

