"""PostgreSQL's group commit (storage.pg_group): a worker's concurrent units share one
transaction, nobody hears of a unit before that transaction's COMMIT, and a unit that fails
fails alone."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import event, func, select, text

from storage import dialect
from storage.models import Identity, InboundMessage, Person
from storage.repos import inbound as repo
from tests.support.db import PG_URL, fresh

pytestmark = pytest.mark.postgres

AT = datetime(2026, 12, 3, 12, 0, 0)


@pytest.fixture
async def pg():  # noqa: ANN201
    if not PG_URL:
        pytest.skip("GRIDBOT_TEST_DATABASE_URL is not set")
    database = await fresh(PG_URL)
    database.group.lanes = 1  # one burst at a time: which units share it is then certain
    yield database
    await database.close()


def _row(key: str) -> dict:
    return dict(dedupe_key=key, channel="mp", from_user=f"o-{key}", msg_type="text",
                raw="<xml/>", created_at=AT, attempts=1, status="processing",
                lease_until=AT)


async def _keys(db) -> list[str]:  # noqa: ANN001 - read on a connection of its own
    async def read(session):  # noqa: ANN001, ANN202
        return sorted((await session.scalars(select(InboundMessage.dedupe_key))).all())
    return await db.read(read)


async def _claim(db, key: str) -> int:  # noqa: ANN001
    stmt, params = repo.claim_statement(None, **_row(key))
    return repo.claimed((await db.run_one(stmt, params))[0])[0]


async def test_concurrent_units_share_one_transaction(pg) -> None:  # noqa: ANN001
    pids: list[int] = []

    async def unit(session, key: str) -> str:  # noqa: ANN001
        pids.append(await session.scalar(text("SELECT txid_current()")))
        await repo.claim(session, None, **_row(key))
        return key

    done = await asyncio.gather(*[pg.run(lambda s, k=f"k{n}": unit(s, k)) for n in range(6)],
                                _claim(pg, "alone-style"))
    assert done[:6] == [f"k{n}" for n in range(6)]
    assert await _keys(pg) == sorted(["alone-style", *[f"k{n}" for n in range(6)]])
    assert len(set(pids)) == 1, pids  # one transaction: one transaction id for all six
    assert pg.group.bursts == 1


async def test_a_failing_unit_fails_alone(pg) -> None:  # noqa: ANN001
    await _claim(pg, "taken")

    class Boom(Exception):
        pass

    async def boom(session):  # noqa: ANN001, ANN202
        await repo.claim(session, None, **_row("boom"))  # written, then rolled back
        raise Boom

    results = await asyncio.gather(
        _claim(pg, "a"), pg.run(boom), _claim(pg, "taken"), _claim(pg, "b"),
        pg.run(lambda s: repo.claim(s, None, **_row("c"))), return_exceptions=True)
    assert isinstance(results[1], Boom)
    assert type(results[2]).__name__ == "IntegrityError"  # the duplicate claim: its own error
    assert all(isinstance(r, int) for r in (results[0], results[3])), results
    assert results[4][0] > 0
    # the others committed, each once; nothing of the failing units
    assert await _keys(pg) == ["a", "b", "c", "taken"]


async def test_nothing_is_acknowledged_before_the_bursts_commit(pg) -> None:  # noqa: ANN001
    """A burst killed before its COMMIT (here: its backend terminated while its last unit
    runs, as when the worker or the server dies mid-burst) told nobody its units were
    stored, and none of them is: what was acknowledged is what committed."""
    reached, go_on = asyncio.Event(), asyncio.Event()
    pid: list[int] = []

    async def last(session):  # noqa: ANN001, ANN202
        pid.append(await session.scalar(text("SELECT pg_backend_pid()")))
        await repo.claim(session, None, **_row("last"))
        reached.set()
        await go_on.wait()
        await session.execute(text("SELECT 1"))  # the connection is gone by now

    first = [asyncio.ensure_future(_claim(pg, f"early{n}")) for n in range(4)]
    tail = asyncio.ensure_future(pg.run(last))
    await reached.wait()
    # the early claims ran their INSERTs in this burst, but nobody has heard back
    assert not any(f.done() for f in first)
    assert await _keys(pg) == []  # and nothing is visible: not committed
    async with pg.engine.connect() as other:  # the "crash": the burst's backend dies
        await other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid[0]})
    go_on.set()
    results = await asyncio.gather(*first, tail, return_exceptions=True)
    # the burst failed; each unit ran again alone: the claims committed and only then were
    # answered, the unit that had seen its backend die ran again and committed too
    assert all(isinstance(r, int) for r in results[:4]), results
    assert await _keys(pg) == sorted([f"early{n}" for n in range(4)] + ["last"])
    assert await pg.read(lambda s: s.scalar(
        select(func.count()).select_from(InboundMessage))) == 5


async def test_a_second_lane_runs_while_the_first_waits(pg) -> None:  # noqa: ANN001
    """With two lanes (the default) a burst held up (a unit waiting on another worker's
    lock, say) does not hold up the worker's next units."""
    pg.group.lanes = 2
    entered, go_on = asyncio.Event(), asyncio.Event()

    async def held(session):  # noqa: ANN001, ANN202
        await repo.claim(session, None, **_row("held"))
        entered.set()
        await go_on.wait()

    first = asyncio.ensure_future(pg.run(held))
    await entered.wait()
    await asyncio.wait_for(_claim(pg, "meanwhile"), timeout=5)
    assert await _keys(pg) == ["meanwhile"]
    go_on.set()
    await first
    assert await _keys(pg) == ["held", "meanwhile"]


def _sent(db) -> list[str]:  # noqa: ANN001 - every statement the engine runs, from now on
    seen: list[str] = []

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def _heard(_conn, _cur, statement, *_):  # noqa: ANN001, ANN202
        seen.append(statement)

    return seen


def _sender_claim(key: str, sender: str) -> tuple:
    return repo.claim_statement(("mp", sender), **_row(key) | {"from_user": sender})


async def test_a_bursts_claims_are_one_statement(pg) -> None:  # noqa: ANN001
    """The claims of a burst's messages (with a fold, as the gateway queues them) are one
    INSERT: each caller still gets its own row's id, and whether its sender is new."""
    async def known(session):  # noqa: ANN001, ANN202 - a sender with an identity
        session.add(Person(id="p-known", name="K"))
        await session.flush()
        session.add(Identity(person_id="p-known", channel="mp", external_id="o-known"))
    await pg.run(known)
    seen = _sent(pg)
    calls = [_sender_claim(f"m{n}", f"o-new{n}") for n in range(5)]
    calls.insert(2, _sender_claim("m-known", "o-known"))
    rows = await asyncio.gather(*[pg.run_one(s, p, fold=repo.claim_many) for s, p in calls])
    claims = [s for s in seen if s.lstrip().upper().startswith(("INSERT", "WITH"))
              and "inbound_messages" in s]
    assert len(claims) == 1, claims  # six claims, one statement
    assert pg.group.bursts == 1
    ids = await pg.read(lambda s: s.execute(
        select(InboundMessage.dedupe_key, InboundMessage.id)))
    by_key = dict(ids.all())
    keys = [p["dedupe_key"] for _, p in calls]
    assert [repo.claimed(r[0]) for r in rows] == [
        (by_key[k], k != "m-known") for k in keys]


async def test_a_claim_taken_already_fails_alone_in_a_folded_burst(pg) -> None:  # noqa: ANN001
    await _claim(pg, "taken")
    calls = [_sender_claim(k, f"o-{k}") for k in ("a", "taken", "b")]
    results = await asyncio.gather(
        *[pg.run_one(s, p, fold=repo.claim_many) for s, p in calls], return_exceptions=True)
    assert type(results[1]).__name__ == "IntegrityError", results
    assert all(repo.claimed(r[0])[0] > 0 for r in (results[0], results[2])), results
    assert await _keys(pg) == ["a", "b", "taken"]


async def test_a_bursts_outcomes_are_one_statement_and_a_taken_over_row_fails_alone(
        pg) -> None:  # noqa: ANN001
    """`finish(later=True)` in a burst of several units: the outcomes go as one UPDATE
    before the COMMIT. A row taken over meanwhile (here: its attempt is no longer the
    unit's) fails that statement; the burst runs again unit by unit, and only that unit
    hears False, as it would have alone."""
    ids = [await _claim(pg, f"d{n}") for n in range(4)]
    seen = _sent(pg)

    async def done(session, row_id: int, attempt: int):  # noqa: ANN001, ANN202
        return await repo.finish(session, row_id, attempt, later=True, status="done",
                                 reply=f"r{row_id}", processed_at=AT, reply_outbox_id=None)

    first = await asyncio.gather(*[pg.run(lambda s, i=i: done(s, i, 1)) for i in ids[:2]])
    assert first == [True, True]
    updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1, updates  # two outcomes, one statement
    seen.clear()
    second = await asyncio.gather(pg.run(lambda s: done(s, ids[2], 1)),
                                  pg.run(lambda s: done(s, ids[3], 2)))  # not its attempt
    assert second == [True, False]
    rows = await pg.read(lambda s: s.execute(
        select(InboundMessage.id, InboundMessage.status, InboundMessage.reply)
        .order_by(InboundMessage.id)))
    assert [tuple(r) for r in rows.all()] == [
        (ids[0], "done", f"r{ids[0]}"), (ids[1], "done", f"r{ids[1]}"),
        (ids[2], "done", f"r{ids[2]}"), (ids[3], "processing", None)]


async def test_a_bursts_sender_locks_are_taken_with_its_begin(pg) -> None:  # noqa: ANN001
    """Units queued with their sender: the burst takes all their locks in its first
    statement, held until its COMMIT, and the units' own `sender_xact_lock` sends nothing."""
    seen = _sent(pg)
    entered, go_on = asyncio.Event(), asyncio.Event()

    async def unit(session, sender: str, wait: bool):  # noqa: ANN001, ANN202
        await dialect.sender_xact_lock(session, "mp", sender)
        await session.execute(text("SELECT 1"))
        if wait:
            entered.set()
            await go_on.wait()
        return sender

    senders = ["o-a", "o-b", "o-c"]
    done = asyncio.gather(*[pg.run(lambda s, o=o: unit(s, o, o == "o-c"), sender=("mp", o))
                            for o in senders])
    await entered.wait()
    async with pg.engine.connect() as other:  # each lock is held while the burst runs
        for o in senders:
            assert await other.scalar(text("SELECT pg_try_advisory_xact_lock(:ns, :k)"), {
                "ns": dialect.SENDER_LOCKS, "k": dialect.sender_key("mp", o)}) is False
        await other.rollback()
    go_on.set()
    assert await done == senders
    locks = [s for s in seen if "pg_advisory_xact_lock" in s]
    assert len(locks) == 1 and locks[0].count("pg_advisory_xact_lock") == 3, locks
    assert pg.group.bursts == 1


async def test_a_burst_whose_locks_fail_runs_its_units_alone(pg, monkeypatch) -> None:  # noqa: ANN001
    """The burst's one lock statement failing (a deadlock, the connection lost) is the
    burst's failure: each unit runs again alone and takes its own lock."""
    from storage import fast

    real, failures = fast.advisory_xact_locks, []

    async def once(session, ns, keys):  # noqa: ANN001, ANN202
        if not failures:
            failures.append(keys)
            raise RuntimeError("deadlock detected")
        await real(session, ns, keys)

    monkeypatch.setattr(fast, "advisory_xact_locks", once)

    async def unit(session, key: str):  # noqa: ANN001, ANN202
        await dialect.sender_xact_lock(session, "mp", f"o-{key}")
        await repo.claim(session, None, **_row(key))
        return key

    done = await asyncio.gather(*[pg.run(lambda s, k=k: unit(s, k), sender=("mp", f"o-{k}"))
                                  for k in ("x", "y")])
    assert done == ["x", "y"] and failures
    assert await _keys(pg) == ["x", "y"]
    assert pg.group.bursts == 0  # the failed burst committed nothing; the units went alone
