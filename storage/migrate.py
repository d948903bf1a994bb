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
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


class SchemaBehind(Exception):
    """The database is not at the code's migration head: `gridbot db upgrade` first."""


def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


async def current(url: str) -> str | None:
    """The revision the database at `url` is at (None: never migrated)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await engine.dispose()


async def require_head(url: str) -> None:
    """Refuse to work on a database the code does not match (migrations run only by
    `gridbot db upgrade`, never as a side effect of another command)."""
    at, want = await current(url), head()
    if at != want:
        raise SchemaBehind(f"数据库结构版本为 {at or '空（尚未建表）'}，此版本需要 {want}："
                           "请先运行 gridbot db upgrade")


async def upgrade(url: str, revision: str = "head") -> list[str]:
    """Bring the database at `url` (sqlite+aiosqlite or postgresql+asyncpg) to `revision`;
    the revisions applied, oldest first (empty: it was there already)."""
    before = await current(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()
    after = await current(url)
    if after == before or after is None:
        return []
    script = ScriptDirectory.from_config(alembic_config())
    applied = [r.revision for r in script.iterate_revisions(after, before or "base")]
    logger.info("database migrated to %s", after)
    return applied[::-1]


def _upgrade(conn: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)
