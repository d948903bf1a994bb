"""The hot path's writes, run on the SQLite writer's own connection when it is inline.

A report writes a handful of rows with statements that never change (the claim, the code
counter, the ticket, its events and notices, the `done` mark). SQLAlchemy's execution of a
prebuilt Core statement (cache key, execution context, parameter and result objects, the
async adapter's hops) cost several times what SQLite takes to run it. Here each statement is
compiled once per set of columns, its parameters are converted by the compiled statement's
own bind processors (the conversions SQLAlchemy applies: datetimes and JSON as text, booleans
as integers), and it runs on the cursor of the session's sqlite3 connection, inside the
unit's transaction, synchronously (the inline writer's statements never wait: its
transaction already holds the write lock). On PostgreSQL the same compiled statement runs as
a prepared statement of the session's asyncpg connection, inside the transaction SQLAlchemy's
adapter holds for it (started here when this is the unit's first statement, none in
autocommit), without the adapter's greenlet hops. On aiosqlite's thread the statements go
through SQLAlchemy Core as before. The engine's `before_cursor_execute` listeners still hear
every statement (statement counts, /metrics), and a driver error comes back as SQLAlchemy's
own exception (IntegrityError on a unique key, which the gateway's dedupe relies on).

Only plain statements (INSERT, UPDATE, a SELECT of a function) without expanding parameters
belong here. Nothing the ORM
holds is touched: callers write rows the session does not track, or attach them themselves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, exc
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.util.concurrency import greenlet_spawn

from storage.sqlite_inline import InlineConnection

Params = dict[str, Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...]
    processors: dict[str, Callable[[Any], Any]]
    prefetch: tuple[tuple[str, Callable[[Any], Any]], ...]  # Python-side defaults
    literals: dict[str, Any]  # values bound in the statement itself (`status == "processing"`)
    returning: bool
    plan: tuple[tuple[str, Callable[[Any], Any] | None], ...] = ()  # (position, its processor)


# keyed by the parameters' names in the order given: a caller passes the same columns in the
# same order each time, and a tuple of them is cheaper to make than a set (another order is
# one more entry, compiled the same)
_CACHE: dict[tuple[int, str, tuple[str, ...]], tuple[Any, _Compiled]] = {}


def _default_of(column: Any, update: bool) -> Callable[[Any], Any]:
    default = column.onupdate if update else column.default
    if default.is_callable:
        return default.arg  # type: ignore[no-any-return]
    value = default.arg
    return lambda _ctx: value


def _compile(stmt: Any, dialect: Any, keys: tuple[str, ...]) -> _Compiled:
    cache_key = (id(stmt), dialect.name, keys)
    found = _CACHE.get(cache_key)
    if found is not None and found[0] is stmt:
        return found[1]
    # the given columns shape an INSERT or UPDATE; a SELECT's data-modifying CTEs name theirs
    # (given names would add columns to them)
    selecting = bool(getattr(stmt, "is_select", False))
    compiled = stmt.compile(dialect=dialect, column_keys=None if selecting else sorted(keys))
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("storage.fast cannot run statements with expanding parameters")
    if not compiled.positional:
        raise ValueError(f"storage.fast needs a positional paramstyle, not {dialect.name}'s")
    prefetch = tuple(
        [(c.key, _default_of(c, False)) for c in compiled.insert_prefetch]
        + [(c.key, _default_of(c, True)) for c in compiled.update_prefetch])
    given = compiled.construct_params(_check=False)
    literals = {name: given[name] for name, bind in compiled.binds.items()
                if not bind.required and name not in keys and name in given}
    processors = dict(compiled._bind_processors)  # noqa: SLF001
    for name, bind in compiled.binds.items():
        if name in processors and isinstance(bind.type, DateTime):
            processors[name] = _once_per_value(_as_text(processors[name]),
                                               (dialect.name, repr(bind.type)))
    positions = tuple(compiled.positiontup or ())
    rows = bool(compiled.effective_returning) or selecting
    result = _Compiled(compiled.string, positions, processors, prefetch, literals, rows,
                       tuple((key, processors.get(key)) for key in positions))
    _CACHE[cache_key] = (stmt, result)  # the statement is kept so its id is not reused
    return result


_PROBES = (datetime(2026, 12, 3, 14, 34, 0, 897295), datetime(2027, 1, 1),
           datetime(999, 5, 6, 7, 8, 9, 10))


def _iso(value: Any) -> str:
    return value.isoformat(" ", "microseconds")  # type: ignore[no-any-return]


def _as_text(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A datetime processor that writes text the way `datetime.isoformat` does (in C) is
    replaced by it for plain naive datetimes: SQLite's storage format is that text, and
    SQLAlchemy makes it with a Python format string. Checked against the processor itself on
    a few instants, so another storage format (or dialect) keeps its own processor."""
    if any(process(p) != _iso(p) for p in _PROBES):
        return process

    def convert(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is None:
            return _iso(value)
        return process(value)

    return convert


_LAST_TEXT: dict[tuple[str, str], list[Any]] = {}  # (dialect, type) -> [datetime, its text]


def _once_per_value(process: Callable[[Any], Any], kind: tuple[str, str]
                    ) -> Callable[[Any], Any]:
    """A datetime column's bind processor that converts a value once for all columns of its
    type: a unit stamps its rows with one `now` (created_at, updated_at, next_attempt_at of
    every event and notice), and formatting it as text each time was a visible share of a
    report's CPU. Only the very same instant, naive, reuses the text (an aware datetime
    equal to another may carry other wall-clock digits)."""
    last = _LAST_TEXT.setdefault(kind, [None, None])
    null = process(None)  # what the processor makes of None, once (it is None: NULL)

    def convert(value: Any) -> Any:
        if value is None:  # the unset ones (accepted_at, sent_at…) leave the last instant
            return null
        seen = last[0]
        if value is seen or (type(value) is datetime and type(seen) is datetime
                             and value.tzinfo is None and seen.tzinfo is None
                             and value == seen):
            return last[1]
        text = process(value)
        last[0], last[1] = value, text
        return text

    return convert


def _inline(conn: AsyncConnection) -> sqlite3.Connection | None:
    """The SQLite writer's own connection when it runs statements inline, else None."""
    driver = conn.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    return driver.sqlite if isinstance(driver, InlineConnection) else None


def _asyncpg(conn: AsyncConnection) -> Any:
    """SQLAlchemy's adapter of the session's asyncpg connection, else None."""
    adapted = conn.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
    return adapted if hasattr(adapted, "_start_transaction") and hasattr(
        adapted, "_prepare") else None


def _values(c: _Compiled, rows: Sequence[Params]) -> list[list[Any]]:
    """Each row's parameters in the statement's order, converted by its bind processors (one
    list comprehension over the plan made at compile time: this runs for every column of
    every row a report writes)."""
    out = []
    literals, prefetch, plan = c.literals, c.prefetch, c.plan
    for row in rows:
        if prefetch:
            row = dict(row)
            for key, default in prefetch:
                if key not in row:
                    row[key] = default(None)
        if literals:  # what the row has wins (a defaulted column is a literal None too)
            row = {**literals, **row}
        # KeyError: a parameter missing
        out.append([row[key] if proc is None else proc(row[key]) for key, proc in plan])
    return out


def _heard(conn: Connection, cursor: Any, sql: str, out: list[list[Any]],
           many: bool) -> None:
    if conn._has_events or conn.engine._has_events:  # noqa: SLF001
        conn.dispatch.before_cursor_execute(conn, cursor, sql, out if many else out[0],
                                            None, many)


async def _run_pg(conn: Connection, adapted: Any, stmt: Any, rows: Sequence[Params],
                  many: bool, *, autocommit: bool = False) -> Any:
    """`autocommit`: run it outside any transaction, as its own (the statement alone)."""
    c = _compile(stmt, conn.dialect, tuple(rows[0]))
    out = _values(c, rows)
    _heard(conn, None, c.sql, out, many)
    async with adapted._execute_mutex:  # noqa: SLF001 - as the adapter's cursor does
        try:
            if adapted._transaction is None and not autocommit:  # noqa: SLF001
                await adapted._start_transaction()  # noqa: SLF001 - none in autocommit
            prepared, _ = await adapted._prepare(c.sql, 0)  # noqa: SLF001 - its cache
            if many:
                await prepared.executemany(out)
                return None
            found = await prepared.fetch(*out[0])
            if c.returning:
                return [tuple(r) for r in found]
            status = prepared.get_statusmsg() or ""
            return int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else -1
        except Exception as err:  # noqa: BLE001 - translated as SQLAlchemy translates it
            _raise_translated(conn, adapted, c.sql, out, err)


def _raise_translated(conn: Connection, adapted: Any, sql: str, params: Any,
                      err: Exception) -> None:
    try:
        adapted._handle_exception(err)  # noqa: SLF001 - raises the DBAPI error
    except conn.dialect.loaded_dbapi.Error as dbapi_err:
        raise exc.DBAPIError.instance(
            sql, params, dbapi_err, conn.dialect.loaded_dbapi.Error,
            hide_parameters=True, dialect=conn.dialect) from err
    raise err


def _run(conn: Connection, raw: sqlite3.Connection, stmt: Any, rows: Sequence[Params],
         many: bool) -> Any:
    dialect = conn.dialect
    c = _compile(stmt, dialect, tuple(rows[0]))
    out = _values(c, rows)
    cursor = raw.cursor()
    try:
        _heard(conn, cursor, c.sql, out, many)
        try:
            if many:
                cursor.executemany(c.sql, out)
            else:
                cursor.execute(c.sql, out[0])
            return cursor.fetchall() if c.returning else cursor.rowcount
        except sqlite3.Error as err:
            raise exc.DBAPIError.instance(c.sql, out, err, sqlite3.Error,
                                          hide_parameters=True, dialect=dialect) from err
    finally:
        cursor.close()


async def connection(session: AsyncSession) -> AsyncConnection:
    """The session's connection, remembered for its transaction (asking the session again
    costs a greenlet switch each time)."""
    return (await _connection(session))[0]  # type: ignore[no-any-return]


async def _connection(session: AsyncSession) -> tuple[AsyncConnection, Any, Any]:
    """The session's connection with its inline sqlite3 connection or asyncpg adapter (or
    neither), remembered for its transaction: asking the session again costs a greenlet
    switch, and reaching the driver's connection a chain of SQLAlchemy properties."""
    tx = session.sync_session.get_transaction()
    cached = session.info.get(_CONN)
    if tx is not None and cached is not None and cached[0] is tx:
        return cached[1]  # type: ignore[no-any-return]
    conn = await session.connection()
    raw = _inline(conn)
    found = (conn, raw, None if raw is not None else _asyncpg(conn))
    session.info[_CONN] = (session.sync_session.get_transaction(), found)
    return found


_CONN = "fast.connection"


async def execute(session: AsyncSession, stmt: Any, params: Params) -> Any:
    """Run `stmt` once in the session's transaction: its rows (RETURNING) or its rowcount."""
    conn, raw, adapted = await _connection(session)
    if raw is not None:
        return _run(conn.sync_connection, raw, stmt, [params], False)  # type: ignore[arg-type]
    if adapted is not None:
        return await _run_pg(conn.sync_connection, adapted, stmt, [params], False)  # type: ignore[arg-type]
    result = await conn.execute(stmt, params)
    return result.all() if result.returns_rows else result.rowcount


async def execute_many(session: AsyncSession, stmt: Any, rows: Sequence[Params]) -> None:
    """Run `stmt` for each of `rows` (the same columns in each) as one executemany."""
    if not rows:
        return
    conn, raw, adapted = await _connection(session)
    if raw is not None:
        _run(conn.sync_connection, raw, stmt, rows, True)  # type: ignore[arg-type]
    elif adapted is not None:
        await _run_pg(conn.sync_connection, adapted, stmt, rows, True)  # type: ignore[arg-type]
    else:
        await conn.execute(stmt, list(rows))


async def run_alone(engine: AsyncEngine, stmt: Any, params: Params) -> Any:
    """Run `stmt` once as a transaction of its own: its rows (RETURNING) or its rowcount.

    PostgreSQL: autocommitted on a pooled connection, with no session, no BEGIN and COMMIT,
    and no trip through the async adapter (a session, a connection in AUTOCOMMIT and their
    greenlet hops cost several times the statement's own round trip). The pool's checkout and
    checkin events, the statement listeners and the error translation are as for any
    statement. Other databases: a Core statement on a connection of its own, committed."""
    conn: Connection = await greenlet_spawn(engine.sync_engine.connect)
    try:
        adapted = _asyncpg_of(conn)
        if adapted is None:
            return await greenlet_spawn(_core_alone, conn, stmt, params)
        try:
            return await _run_pg(conn, adapted, stmt, [params], False, autocommit=True)
        except exc.DBAPIError:
            if adapted._connection.is_closed():  # noqa: SLF001 - gone: not back to the pool
                await greenlet_spawn(conn.invalidate)
            raise
    finally:
        await greenlet_spawn(conn.close)


def _core_alone(conn: Connection, stmt: Any, params: Params) -> Any:
    result = conn.execute(stmt, params)
    found = result.all() if result.returns_rows else result.rowcount
    conn.commit()
    return found


def _asyncpg_of(conn: Connection) -> Any:
    adapted = conn.connection.dbapi_connection
    return adapted if hasattr(adapted, "_start_transaction") and hasattr(
        adapted, "_prepare") else None


class _Begun:
    """The transaction that `advisory_xact_lock` opened with its BEGIN, in the place of
    asyncpg's Transaction for SQLAlchemy's adapter, which only ever commits or rolls it back
    (and forgets it either way)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def commit(self) -> None:
        await self._conn.execute("COMMIT")

    async def rollback(self) -> None:
        await self._conn.execute("ROLLBACK")


_ISOLATION = {"read_committed": " ISOLATION LEVEL READ COMMITTED",
              "read_uncommitted": " ISOLATION LEVEL READ UNCOMMITTED",
              "repeatable_read": " ISOLATION LEVEL REPEATABLE READ",
              "serializable": " ISOLATION LEVEL SERIALIZABLE"}


def _begin(adapted: Any) -> str:
    """The BEGIN that asyncpg's Transaction would send for the adapter's settings."""
    return ("BEGIN" + _ISOLATION.get(adapted.isolation_level or "", "")
            + (" READ ONLY" if adapted.readonly else "")
            + (" DEFERRABLE" if adapted.deferrable else ""))


# session.info key: the second keys of the SENDER_LOCKS-style advisory locks that this
# session's transaction took at its BEGIN (`advisory_xact_locks`), which need no statement again
HELD_LOCKS = "fast.held_locks"


async def advisory_xact_locks(session: AsyncSession, ns: int, keys: Sequence[int]) -> None:
    """PostgreSQL: `pg_advisory_xact_lock(ns, k)` for each of `keys` (in ascending order, so
    two transactions taking overlapping sets cannot wait on each other for them) as the
    session's first statement, sent with its BEGIN, as `advisory_xact_lock` sends one; the
    keys are noted in `session.info[HELD_LOCKS]`. One round trip for a burst's senders where
    each unit's lock was one."""
    ordered = sorted({int(k) for k in keys})  # integers only in this text
    if not ordered:
        return
    await _locks(session, "SELECT " + ", ".join(
        f"pg_advisory_xact_lock({int(ns)}, {k})" for k in ordered))
    session.info[HELD_LOCKS] = frozenset(ordered)


async def advisory_xact_lock(session: AsyncSession, ns: int, key: int) -> None:
    """PostgreSQL: `pg_advisory_xact_lock(ns, key)` in the session's transaction. As the
    unit's first statement it goes in one message with the unit's BEGIN: the simple-query
    protocol takes several statements in one message when none has parameters, and the two
    keys are integers, written as literals (`int()` of them: digits and a sign only). One
    round trip where BEGIN and a prepared statement took two. The statement is still heard
    by the engine's listeners (BEGIN is not, as it never is)."""
    ns, key = int(ns), int(key)  # never anything but an integer in this text
    await _locks(session, f"SELECT pg_advisory_xact_lock({ns}, {key})")


async def _locks(session: AsyncSession, sql: str) -> None:
    """`sql` (literals only) in the session's transaction, with its BEGIN if it is first."""
    conn = await connection(session)
    adapted = _asyncpg(conn)
    sync = conn.sync_connection
    assert adapted is not None and sync is not None, "PostgreSQL's asyncpg only"
    _heard(sync, None, sql, [[]], False)
    async with adapted._execute_mutex:  # noqa: SLF001 - as the adapter's cursor does
        try:
            if adapted._transaction is not None or adapted.isolation_level == "autocommit":  # noqa: SLF001
                await adapted._connection.execute(sql)  # noqa: SLF001
                return
            # marked begun before it is sent: whatever happens to the message, the unit's
            # rollback sends ROLLBACK (a no-op with a warning if BEGIN never ran)
            adapted._transaction = _Begun(adapted._connection)  # noqa: SLF001
            await adapted._connection.execute(f"{_begin(adapted)}; {sql}")  # noqa: SLF001
        except Exception as err:  # noqa: BLE001 - translated as SQLAlchemy translates it
            _raise_translated(sync, adapted, sql, [], err)
