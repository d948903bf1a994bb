"""A new ticket's events and notices (storage.held_rows) stay out of the session until the
ticket is written, and are written with it whichever way the ticket is written: by
`flush_new`, by a flush before it, or by the commit; a unit that fails leaves none of them,
and units sharing a burst keep each their own."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from storage import held_rows, outbox, repo
from storage.db import Database
from storage.models import Outbox, Ticket, TicketEvent
from storage.repos import tickets as tickets_repo
from storage.statemachine import record, transition

AT = datetime(2026, 11, 22, 9, 0)
DAY = date(2026, 11, 22)


def report(s, text: str = "路灯坏了") -> Ticket:  # noqa: ANN001
    """A ticket with its events and notice, as create_ticket makes them (nothing written)."""
    ticket = Ticket(code=repo.provisional_code(DAY), category="municipal", urgency="normal",
                    text=text, status="new", created_at=AT, updated_at=AT)
    s.add(ticket)
    record(s, ticket, "created", actor_id=None, note=f"{text} {ticket.code}", at=AT)
    transition(s, ticket, "assign", actor_id=None, actor_role="system", note="派给 张伟", at=AT)
    outbox.enqueue(s, channel="work", recipient="zhangwei", text=f"新工单 {ticket.code}",
                   at=AT, ticket=ticket)
    return ticket


async def written(db: Database) -> list[tuple[str, str, str]]:
    """(ticket code, event kind or 'notice', its text) of everything stored, in order."""
    async def q(s):  # noqa: ANN001, ANN202
        events = (await s.execute(select(Ticket.code, TicketEvent.kind, TicketEvent.note)
                                  .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                                  .order_by(TicketEvent.id))).all()
        notices = (await s.execute(select(Ticket.code, Outbox.payload)
                                   .join(Ticket, Ticket.id == Outbox.ticket_id)
                                   .order_by(Outbox.id))).all()
        return ([tuple(r) for r in events]
                + [(code, "notice", payload["text"]) for code, payload in notices])

    return await db.read(q)


async def test_rows_wait_outside_the_session_and_are_written_with_the_ticket(
        any_db: Database) -> None:
    async def unit(s):  # noqa: ANN001, ANN202
        ticket = report(s)
        assert all(not isinstance(o, TicketEvent | Outbox) for o in s.new)
        assert len(held_rows.pending(s)) == 3
        await tickets_repo.flush_new(s, ticket)
        assert held_rows.pending(s) == []
        return ticket.code

    code = await any_db.run(unit)
    assert await written(any_db) == [(code, "created", f"路灯坏了 {code}"),
                                     (code, "assigned", "派给 张伟"),
                                     (code, "notice", f"新工单 {code}")]


@pytest.mark.parametrize("how", ["flush", "commit"])
async def test_a_flush_before_flush_new_writes_them_linked_to_the_ticket(
        any_db: Database, how: str) -> None:
    async def unit(s):  # noqa: ANN001, ANN202
        ticket = report(s)
        await tickets_repo.settle(s, ticket)  # a real code first, as create_ticket does
        if how == "flush":  # as create_ticket's photo branch: the ticket needs its id
            await s.flush()
            assert held_rows.pending(s) == [] and ticket.id is not None
            await tickets_repo.flush_new(s, ticket)  # nothing left for it: no second copy
        return ticket.code

    code = await any_db.run(unit)
    assert [(c, kind) for c, kind, _ in await written(any_db)] == [
        (code, "created"), (code, "assigned"), (code, "notice")]


async def test_a_failed_unit_leaves_no_rows_and_the_next_unit_only_its_own(
        any_db: Database) -> None:
    async def fails(s):  # noqa: ANN001, ANN202
        report(s, "井盖丢了")
        raise RuntimeError("the handler broke")

    with pytest.raises(RuntimeError):
        await any_db.run(fails)

    async def works(s):  # noqa: ANN001, ANN202
        ticket = report(s)
        await tickets_repo.flush_new(s, ticket)
        return ticket.code

    code = await any_db.run(works)
    assert {c for c, _, _ in await written(any_db)} == {code}
    assert len(await written(any_db)) == 3


async def test_units_of_one_burst_keep_their_own_rows(any_db: Database) -> None:
    """On SQLite queued units share one session and transaction; one of them failing reruns
    the others alone."""
    async def works(s, text: str):  # noqa: ANN001, ANN202
        ticket = report(s, text)
        await tickets_repo.flush_new(s, ticket)
        return ticket.code

    async def fails(s):  # noqa: ANN001, ANN202
        report(s, "井盖丢了")
        raise RuntimeError("the handler broke")

    texts = [f"第{i}盏路灯坏了" for i in range(6)]
    results = await asyncio.wait_for(asyncio.gather(
        *(any_db.run(lambda s, t=t: works(s, t)) for t in texts[:3]),
        any_db.run(fails),
        *(any_db.run(lambda s, t=t: works(s, t)) for t in texts[3:]),
        return_exceptions=True), timeout=20)
    codes = [r for r in results if isinstance(r, str)]
    assert len(codes) == 6 and isinstance(results[3], RuntimeError)
    rows = await written(any_db)
    assert len(rows) == 18
    for code, text in zip(codes, texts, strict=True):
        assert [r for r in rows if r[0] == code] == [
            (code, "created", f"{text} {code}"), (code, "assigned", "派给 张伟"),
            (code, "notice", f"新工单 {code}")]


async def test_a_rollback_drops_them_with_their_ticket(any_db: Database) -> None:
    """A session used again after a rollback does not write the rows of a ticket it dropped
    (nor, through them, the ticket)."""
    async with any_db.sessions() as s:
        await s.begin()
        report(s)
        await s.rollback()
        async with s.begin():
            s.add(Outbox(channel="mp", recipient="o1", payload={"text": "其他"},
                         next_attempt_at=AT, created_at=AT))
    assert await written(any_db) == []
    assert await any_db.read(lambda s: s.scalar(select(func.count(Ticket.id)))) == 0
