"""Alembic environment: migrations for storage.models, on SQLite (batch mode) or PostgreSQL.

`storage.migrate.upgrade` passes a live connection in `config.attributes["connection"]`; the
`alembic` command line (`alembic -c storage/alembic.ini ...`) connects to `sqlalchemy.url` or
$GRIDBOT_DATABASE__URL instead.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.models import Base

config = context.config
if config.config_file_name:  # the command line; gridbot configures its own logging
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = Base.metadata


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    dialect = connection.dialect.name if connection is not None else url.split(":")[0]
    context.configure(
        connection=connection, url=url, target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead
        render_as_batch=dialect.startswith("sqlite"), compare_type=True,
        literal_binds=connection is None,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = os.environ.get("GRIDBOT_DATABASE__URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: set sqlalchemy.url or GRIDBOT_DATABASE__URL")
    return url


async def _run_async(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()
elif (conn := config.attributes.get("connection")) is not None:
    _run(conn)
else:
    asyncio.run(_run_async(_url()))
