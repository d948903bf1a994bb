"""The hot path's writes on the inline writer's own sqlite3 connection (storage.fast) store
exactly what SQLAlchemy Core stores, are counted like any statement, and fail like Core; a new
ticket and resident written without the ORM's flush are attached as if loaded."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import DateTime, bindparam, event, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from storage import fast, repo
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Identity, Outbox, Person, Ticket, TicketEvent
from storage.repos import people
from storage.repos import tickets as tickets_repo
from tests.support.db import PG_URL, fresh

AT = datetime(2026, 12, 2, 9, 30, 15, 123456)


@pytest.fixture(params=["inline", "thread"])
async def db(request, tmp_path: Path):  # noqa: ANN001, ANN201
    url = f"sqlite+aiosqlite:///{tmp_path / 'fast.db'}"
    await upgrade(url)
    database = Database(url, sqlite_writer=request.param)
    yield database, tmp_path / "fast.db"
    await database.close()


RESIDENT_ROW = {"id": "r-1", "name": "", "roles": ["resident"], "departments": [],
                "bind_code_used": False, "active": True, "from_district_file": False,
                "created_at": AT}


def notice(text: str) -> dict[str, object]:
    return {"channel": "mp", "recipient": "o1", "person_id": None, "ticket_id": None,
            "payload": {"kind": "text", "text": text}, "state": "pending", "attempts": 0,
            "next_attempt_at": AT, "created_at": AT}


async def test_rows_are_stored_as_core_stores_them(db) -> None:  # noqa: ANN001
    database, path = db
    table = Outbox.__table__

    async def unit(session: AsyncSession) -> None:
        await fast.execute_many(session, table.insert(), [notice("a"), notice("b")])
        conn = await session.connection()
        await conn.execute(table.insert(), notice("c"))  # SQLAlchemy Core, for comparison

    await database.run(unit)
    con = sqlite3.connect(path)
    rows = con.execute("SELECT payload, next_attempt_at, created_at, state FROM outbox "
                       "ORDER BY id").fetchall()
    con.close()
    assert len({r[1:] for r in rows}) == 1  # datetimes and state as Core wrote them
    assert rows[0][0] == rows[2][0].replace("c", "a")  # JSON as Core wrote it
    back = await database.read(lambda s: s.scalars(select(Outbox).order_by(Outbox.id)))
    assert [(o.payload["text"], o.next_attempt_at) for o in back] == [
        ("a", AT), ("b", AT), ("c", AT)]


async def test_each_row_keeps_its_own_instants(db) -> None:  # noqa: ANN001
    """Datetimes are converted once per instant for all columns: rows mixing the same
    instant, an equal copy of it, other instants and none still store each their own."""
    database, path = db
    later = datetime(2026, 12, 2, 9, 30, 16)
    copy = AT.replace()  # equal to AT, another object
    stamps = [(AT, AT), (AT, later), (copy, None), (later, AT), (AT.replace(microsecond=0), copy)]
    rows = [{**notice(str(i)), "next_attempt_at": due, "sent_at": sent}
            for i, (due, sent) in enumerate(stamps)]
    table = Outbox.__table__

    async def unit(session: AsyncSession) -> None:
        await fast.execute_many(session, table.insert(), rows)
        for row in rows:  # and one at a time, with Core beside it
            await fast.execute(session, table.insert(), row)
            await (await session.connection()).execute(table.insert(), row)

    await database.run(unit)
    con = sqlite3.connect(path)
    stored = con.execute("SELECT payload, next_attempt_at, sent_at FROM outbox "
                         "ORDER BY id").fetchall()
    con.close()
    by_fast = stored[:5] + stored[5::2]
    by_core = stored[6::2]
    assert [r[1:] for r in by_fast] == [r[1:] for r in by_core] * 2
    back = await database.read(lambda s: s.scalars(select(Outbox).order_by(Outbox.id)))
    assert [(o.next_attempt_at, o.sent_at) for o in back][:5] == stamps


async def test_statements_are_counted_and_a_unique_key_raises_integrity_error(
        db) -> None:  # noqa: ANN001
    database, _ = db
    seen: list[str] = []
    event.listen(database.engine.sync_engine, "before_cursor_execute",
                 lambda *a: seen.append(a[2]))
    async def unit(session: AsyncSession) -> int:
        return await fast.execute(session, Person.__table__.insert(), RESIDENT_ROW)

    assert await database.run(unit) == 1
    assert sum(s.startswith("INSERT INTO people") for s in seen) == 1
    with pytest.raises(IntegrityError):
        await database.run(unit)


async def test_a_new_resident_and_ticket_are_attached_without_a_flush(db) -> None:  # noqa: ANN001
    database, _ = db
    seen: list[str] = []
    event.listen(database.engine.sync_engine, "before_cursor_execute",
                 lambda *a: seen.append(" ".join(a[2].split()[:3:2])))

    async def unit(session: AsyncSession) -> tuple[int, int]:
        person, ident = await people.new_resident(session, "mp", "oNew", AT)
        ticket = Ticket(code="GD20261202-~abcdef01", category="municipal", urgency="normal",
                        text="路灯坏了", reporter_id=person.id, created_at=AT, updated_at=AT)
        ticket.reporter = person
        session.add(ticket)
        await tickets_repo.flush_new(session, ticket)
        assert not session.new and not session.dirty
        assert ticket.id is not None and ident.id is not None
        assert ticket.code.startswith("GD20261202-0")
        assert ticket.status == "new" and ticket.source == "resident"  # Python defaults
        assert ticket.reporter is person and ticket.assignee is None  # no SQL, no raise
        assert await session.get(Ticket, ticket.id) is ticket
        return ticket.id, ident.id

    ticket_id, ident_id = await database.run(unit)
    # the ticket's code is drawn in its own INSERT: no statement for the counter
    assert [s for s in seen if s.startswith("INSERT")] == [
        "INSERT people", "INSERT identities", "INSERT tickets"]
    stored = await database.read(lambda s: s.get(Ticket, ticket_id))
    assert stored.reporter_id.startswith("r-") and stored.status == "new"
    assert stored.created_at == AT
    ident = await database.read(lambda s: s.get(Identity, ident_id))
    assert ident.external_id == "oNew" and ident.pushes_since_inbound == 0


async def test_a_rollback_after_the_insert_takes_the_new_rows_out_of_the_session(
        db) -> None:  # noqa: ANN001
    """Written as a flush writes them, so a rollback forgets them as it forgets flushed rows:
    the session does not go on holding a ticket and resident the database never kept."""
    database, _ = db
    async with database.sessions() as session:
        await session.begin()
        person, ident = await people.new_resident(session, "mp", "oGone", AT)
        ticket = Ticket(code="GD20261202-~abcdef02", category="municipal", urgency="normal",
                        text="路灯坏了", reporter_id=person.id, created_at=AT, updated_at=AT)
        session.add(ticket)
        await tickets_repo.flush_new(session, ticket)
        assert ticket in session and ident in session and ticket.id is not None
        await session.rollback()
        assert ticket not in session and person not in session and ident not in session
        assert await session.get(Person, person.id) is None  # asked again: not there
    assert await database.read(lambda s: s.scalar(select(func.count(Ticket.id)))) == 0


@pytest.fixture
async def pg():  # noqa: ANN201
    if not PG_URL:
        pytest.skip("GRIDBOT_TEST_DATABASE_URL is not set")
    database = await fresh(PG_URL)
    yield database
    await database.close()


@pytest.mark.postgres
async def test_on_postgresql_rows_are_stored_as_core_stores_them_in_the_unit(pg) -> None:  # noqa: ANN001
    table = Outbox.__table__
    seen: list[str] = []
    event.listen(pg.engine.sync_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))

    async def unit(session: AsyncSession) -> None:
        await fast.execute_many(session, table.insert(), [notice("a"), notice("b")])
        conn = await session.connection()
        await conn.execute(table.insert(), notice("c"))  # SQLAlchemy Core, for comparison

    await pg.run(unit)
    assert sum(s.startswith("INSERT INTO outbox") for s in seen) == 2  # heard, counted once

    async def raw(session: AsyncSession) -> list[tuple[str, ...]]:
        return [tuple(r) for r in await session.execute(text(
            "SELECT payload::text, next_attempt_at::text, created_at::text, state "
            "FROM outbox ORDER BY id"))]

    rows = await pg.read(raw)
    assert len({r[1:] for r in rows}) == 1 and rows[0][0] == rows[2][0].replace("c", "a")

    async def then_fails(session: AsyncSession) -> None:
        await fast.execute(session, table.insert(), notice("d"))
        raise RuntimeError("the unit fails after the write")

    with pytest.raises(RuntimeError):
        await pg.run(then_fails)
    assert len(await pg.read(raw)) == 3  # the write was inside the unit's transaction


@pytest.mark.postgres
async def test_on_postgresql_a_unique_key_raises_integrity_error_and_rowcounts_are_read(
        pg) -> None:  # noqa: ANN001
    async def unit(session: AsyncSession) -> int:
        return await fast.execute(session, Person.__table__.insert(), RESIDENT_ROW)

    assert await pg.run(unit) == 1
    with pytest.raises(IntegrityError):
        await pg.run(unit)
    rename = Person.__table__.update().where(Person.id == bindparam("pid")).values(
        name=bindparam("name"))

    async def update(session: AsyncSession) -> tuple[int, int]:
        return (await fast.execute(session, rename, {"pid": "r-1", "name": "王"}),
                await fast.execute(session, rename, {"pid": "r-x", "name": "李"}))

    assert await pg.run(update) == (1, 0)
    assert (await pg.read(lambda s: s.get(Person, "r-1"))).name == "王"


@pytest.mark.postgres
async def test_on_postgresql_a_pooled_connection_killed_while_idle_is_replaced(
        pg, monkeypatch, caplog) -> None:  # noqa: ANN001
    from storage import db as db_module

    async def count(session: AsyncSession) -> int:
        assert fast._asyncpg(await session.connection()) is not None  # noqa: SLF001
        return await session.scalar(select(func.count()).select_from(Person))

    assert await pg.run(count) == 0  # a connection now rests in the pool
    other = create_async_engine(PG_URL)  # the database restarts, as far as it knows
    async with other.connect() as conn:
        killed = await conn.scalar(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    await other.dispose()
    assert killed >= 1
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE", 0.0)  # it rested long enough
    assert await pg.run(count) == 0  # pinged, found dead, replaced: the unit never saw it
    assert "a pooled database connection was dead" in caplog.text


def _pg_port() -> int:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).port or 5432


@pytest.mark.postgres
async def test_on_postgresql_the_senders_lock_begins_the_unit_in_the_same_message(
        pg) -> None:  # noqa: ANN001
    """BEGIN and the lock are one round trip; the lock is the unit's, held to its commit,
    and what the unit wrote after it commits or rolls back with the unit."""
    from storage import dialect
    from tests.support.wire import round_trips

    async def probe(session: AsyncSession) -> bool:  # another connection asks for the lock
        return await session.scalar(text(
            "SELECT pg_try_advisory_xact_lock(:ns, :k)"), {"ns": ns, "k": key})

    held = asyncio.Event()
    go_on = asyncio.Event()

    async def unit(session: AsyncSession) -> None:
        await dialect.sender_xact_lock(session, "mp", "o-lock")
        await fast.execute(session, Person.__table__.insert(), RESIDENT_ROW)
        held.set()
        await go_on.wait()

    ns, key = dialect.SENDER_LOCKS, _sender_key("mp", "o-lock")
    await pg.run(lambda s: s.scalar(text("SELECT 1")))  # a pooled connection, warmed
    with round_trips(_pg_port()) as trips:
        task = asyncio.create_task(pg.run(unit))
        await held.wait()
        during = list(trips)
        assert await pg.read(probe) is False  # held by the unit, not released with BEGIN's
        go_on.set()
        await task
    assert during[:1] == [b"Q"]  # BEGIN and the lock: one simple query, then the INSERT
    assert len([t for t in trips if t == b"Q"]) >= 2  # …and COMMIT
    assert await pg.read(probe) is True  # released by the commit
    assert (await pg.read(lambda s: s.get(Person, "r-1"))) is not None

    async def fails(session: AsyncSession) -> None:
        await dialect.sender_xact_lock(session, "mp", "o-lock")
        await fast.execute(session, Person.__table__.insert(), {**RESIDENT_ROW, "id": "r-2"})
        raise RuntimeError("the unit fails after its lock")

    with pytest.raises(RuntimeError):
        await pg.run(fails)
    assert await pg.read(lambda s: s.get(Person, "r-2")) is None  # rolled back with it
    assert await pg.read(probe) is True  # and the lock with it
    for _ in range(3):  # the pooled connections are clean: no transaction left open
        await pg.run(lambda s: dialect.sender_xact_lock(s, "mp", "o-lock"))


def _sender_key(channel: str, sender: str) -> int:
    import hashlib

    digest = hashlib.blake2b(f"{channel}:{sender}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


@pytest.mark.postgres
async def test_on_postgresql_a_senders_next_unit_reads_what_the_one_before_committed(
        pg) -> None:  # noqa: ANN001
    """The lock goes in the message that begins the transaction, but the read after it is a
    statement of its own: at READ COMMITTED it takes its snapshot once the lock is granted,
    so it sees the write of the unit that held the lock before."""
    from storage import dialect

    first_holds = asyncio.Event()
    release = asyncio.Event()

    async def first(session: AsyncSession) -> None:
        await dialect.sender_xact_lock(session, "mp", "o-turn")
        await fast.execute(session, Person.__table__.insert(), RESIDENT_ROW)
        first_holds.set()
        await release.wait()

    async def second(session: AsyncSession) -> int:
        await dialect.sender_xact_lock(session, "mp", "o-turn")
        return await session.scalar(select(func.count()).select_from(Person))

    one = asyncio.create_task(pg.run(first))
    await first_holds.wait()
    two = asyncio.create_task(pg.run(second))
    await asyncio.sleep(0.2)  # the second is waiting for the lock, not reading yet
    assert not two.done()
    release.set()
    await one
    assert await two == 1


@pytest.mark.postgres
async def test_on_postgresql_one_statement_runs_alone_autocommitted(pg) -> None:  # noqa: ANN001
    from tests.support.wire import round_trips

    seen: list[str] = []
    event.listen(pg.engine.sync_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    units: list[tuple[int, str]] = []

    class Observer:
        def burst(self, units: int) -> None: ...

        def unit(self, statements: int, kind: str) -> None:
            units.append((statements, kind))

    pg.observer = Observer()
    await pg.run_one(Person.__table__.insert(), {**RESIDENT_ROW, "id": "r-0"})  # warmed
    with round_trips(_pg_port()) as trips:
        assert await pg.run_one(Person.__table__.insert(), RESIDENT_ROW) == 1
    assert trips == [b"S"]  # the statement alone: no BEGIN, no COMMIT
    assert sum(s.startswith("INSERT INTO people") for s in seen) == 2  # heard
    assert units == [(1, "other"), (1, "other")]
    assert (await pg.read(lambda s: s.get(Person, "r-1"))) is not None  # committed
    with pytest.raises(IntegrityError):
        await pg.run_one(Person.__table__.insert(), RESIDENT_ROW)
    assert await pg.run_one(Person.__table__.update().where(
        Person.id == bindparam("pid")).values(name=bindparam("n")), {"pid": "r-1", "n": "王"}) == 1


@pytest.mark.postgres
async def test_on_postgresql_a_new_resident_ticket_events_and_notices_are_one_statement(
        pg) -> None:  # noqa: ANN001
    """As the three statements store them (SQLite's path), and attached as if loaded: the
    texts written with the stand-in code carry the real one."""
    from storage import outbox
    from storage.statemachine import record

    seen: list[str] = []
    event.listen(pg.engine.sync_engine, "before_cursor_execute",
                 lambda *a: seen.append(" ".join(a[2].split()[:3])))

    async def unit(session: AsyncSession) -> tuple[int, int, str]:
        person, ident = await people.new_resident(session, "mp", "oOne", AT)
        ticket = Ticket(code="GD20261202-~abcdef03", category="municipal", urgency="normal",
                        text="路灯坏了", reporter_id=person.id, created_at=AT, updated_at=AT)
        ticket.reporter = person
        session.add(ticket)
        record(session, ticket, "created", actor_id=person.id, note=f"{ticket.code} 已受理",
               at=AT)
        record(session, ticket, "assigned", actor_id=None, at=AT)
        outbox.enqueue(session, channel="work", recipient="lina", at=AT, ticket=ticket,
                       text=f"新工单 {ticket.code}：路灯坏了（\"3号楼\"）", urgent=True)
        await tickets_repo.flush_new(session, ticket)
        assert not session.new and not session.dirty
        assert ticket.code == "GD20261202-0001" and ticket.id is not None
        assert ident.id is not None and ticket.reporter is person
        assert await session.get(Ticket, ticket.id) is ticket  # as if loaded: no SQL
        return ticket.id, ident.id, person.id

    ticket_id, ident_id, person_id = await pg.run(unit)
    inserts = [s for s in seen if s.split()[0] in ("INSERT", "WITH")]
    # one statement for all of it, after the worker's block of codes (storage.codes) was
    # reserved, autocommitted on a connection of its own: once per block, not per report
    assert inserts == ["INSERT INTO ticket_sequences", "WITH p AS"]

    async def stored(session: AsyncSession):  # noqa: ANN202
        t = await session.get(Ticket, ticket_id)
        evs = (await session.scalars(select(TicketEvent).where(
            TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))).all()
        notes = (await session.scalars(select(Outbox).where(Outbox.ticket_id == ticket_id))).all()
        ident = await session.get(Identity, ident_id)
        person = await session.get(Person, person_id)
        return t, evs, notes, ident, person

    t, evs, notices, ident, person = await pg.read(stored)
    assert (t.code, t.status, t.reporter_id, t.created_at) == (
        "GD20261202-0001", "new", person_id, AT)
    assert [(e.kind, e.note, e.created_at) for e in evs] == [
        ("created", "GD20261202-0001 已受理", AT), ("assigned", None, AT)]
    assert [(n.payload, n.priority, n.state, n.next_attempt_at) for n in notices] == [
        ({"kind": "text", "text": "新工单 GD20261202-0001：路灯坏了（\"3号楼\"）"},
         outbox.URGENT, "pending", AT)]
    assert (ident.person_id, ident.external_id, ident.pushes_since_inbound) == (
        person_id, "oOne", 0)
    assert (person.roles, person.active, person.created_at) == (["resident"], True, AT)

    async def fails_after(session: AsyncSession) -> None:
        person, _ = await people.new_resident(session, "mp", "oTwo", AT)
        ticket = Ticket(code="GD20261202-~abcdef04", category="municipal", urgency="normal",
                        text="井盖没了", reporter_id=person.id, created_at=AT, updated_at=AT)
        session.add(ticket)
        record(session, ticket, "created", actor_id=person.id, at=AT)
        await tickets_repo.flush_new(session, ticket)
        raise RuntimeError("the unit fails after the write")

    with pytest.raises(RuntimeError):
        await pg.run(fails_after)
    assert await pg.read(lambda s: s.scalar(select(func.count(Ticket.id)))) == 1
    assert await pg.read(lambda s: s.scalar(select(func.count(Identity.id)))) == 1
    # the code the failed unit drew from the worker's block (0002, of a block of two, 0002-
    # 0003, reserved soon after the first) is not reused (codes tolerate gaps,
    # storage.codes): the next one is the block's other number
    assert pg.codes.reserved == 2
    assert await pg.run(lambda s: repo.next_ticket_code(s, AT.date())) == "GD20261202-0003"
def test_datetimes_are_written_as_sqlalchemys_sqlite_text() -> None:
    """The C-made text (`datetime.isoformat`) that replaces SQLAlchemy's SQLite DATETIME
    processor is the very text it writes: rows compare as text in SQLite."""
    dialect = sqlite.dialect()
    process = DateTime().dialect_impl(dialect).bind_processor(dialect)
    converted = fast._as_text(process)
    assert converted is not process
    rnd = random.Random(7)
    for _ in range(5000):
        when = datetime(rnd.randint(1, 9999), rnd.randint(1, 12), rnd.randint(1, 28),
                        rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59),
                        rnd.choice([0, rnd.randint(0, 999_999)]))
        assert converted(when) == process(when)
    aware = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert converted(aware) == process(aware)  # not the C path: SQLAlchemy's own
