"""Alembic: `upgrade` builds exactly the schema of storage/models.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import Database
from storage.district import import_district
from storage.migrate import alembic_config, upgrade
from storage.models import Base
from tests.support.db import PG_URL
from tests.support.storage import EXAMPLE


def _diff(conn: Connection) -> list:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    return compare_metadata(ctx, Base.metadata)


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


async def _check(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert await conn.run_sync(_revision) == head
    finally:
        await engine.dispose()


async def test_upgrade_builds_the_models_schema_on_a_fresh_sqlite_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the scripts are found next to the package, not the CWD
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    await upgrade(url)
    await upgrade(url)  # at head already: a no-op
    await _check(url)
    db = Database(url)  # and the migrated database takes a district
    try:
        report = await db.run(lambda s: import_district(s, EXAMPLE))
        assert report.regions.created == 19
    finally:
        await db.close()


@pytest.mark.postgres
async def test_upgrade_builds_the_models_schema_on_postgresql() -> None:
    if not PG_URL:
        pytest.skip("GRIDBOT_TEST_DATABASE_URL is not set")
    engine = create_async_engine(PG_URL)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        await engine.dispose()
    await upgrade(PG_URL)
    await _check(PG_URL)
