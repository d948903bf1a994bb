"""The example district file (examples/district.toml) and a row count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from storage.db import Database

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "examples" / "district.toml"
EXAMPLE = EXAMPLE_PATH.read_text(encoding="utf-8")


async def count(db: Database, model: Any, *where: Any) -> int:
    return await db.read(lambda s: s.scalar(select(func.count()).select_from(model).where(*where)))
