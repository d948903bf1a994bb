"""`gridbot db upgrade`: run the Alembic migrations up to head for a database URL.

The script directory is found next to this module, so it works from an installed package and
from any working directory; the URL is handed over as a live connection, never through the
ini file (whose interpolation would mangle a '%' in a password).
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` (sqlite+aiosqlite or postgresql+asyncpg) to `revision`."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()
    logger.info("database migrated to %s", revision)


def _upgrade(conn: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)
