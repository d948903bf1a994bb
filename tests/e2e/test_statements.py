"""The hot path's SQL budget: a report is a handful of statements, counted on the real app
with a SQLAlchemy listener. This fails when a change adds a query per report (issue 11)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select

from storage.models import Identity, Outbox, Ticket, TicketEvent
from tests.support.e2e import Quiet, code_of

# claim, sender (+state, +held), the resident's tickets (a rating due? a repeat? a piece?),
# duplicate check, code sequence, ticket, events, notices, done
KNOWN_RESIDENT_REPORT = 9
# the claim tells that the sender is new (no sender query, no tickets to read); the person and
# identity rows instead
FIRST_REPORT = 9


@contextmanager
def counting(quiet: Quiet) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn, _cur, statement, _params, _ctx, _many) -> None:  # noqa: ANN001
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement.split("\n")[0][:90])

    engines = {quiet.db.engine.sync_engine, quiet.db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


async def test_a_report_costs_a_handful_of_statements(quiet: Quiet) -> None:
    quiet.db.district.checked_at = float("inf")  # no version check inside the counted window
    with counting(quiet) as first:
        reply = await quiet.mp.say("o-budget", "幸福花园3号楼楼道有人拉飞线给电动车充电")
    assert "工单号" in (reply.content or "")
    with counting(quiet) as second:
        again = await quiet.mp.say("o-budget", "金色港湾门口垃圾三天没人清运了")
    assert "工单号" in (again.content or "")
    assert len(first) <= FIRST_REPORT, "\n".join(first)
    assert len(second) <= KNOWN_RESIDENT_REPORT, "\n".join(second)

    # and the cheaper path wrote everything: routed ticket, both events, the officer's notice
    code = code_of(again.content)

    async def check(session):  # noqa: ANN001, ANN202
        t = await session.scalar(select(Ticket).where(Ticket.code == code))
        events = await session.scalar(select(func.count()).select_from(TicketEvent)
                                      .where(TicketEvent.ticket_id == t.id))
        notices = (await session.scalars(select(Outbox).where(Outbox.ticket_id == t.id))).all()
        return t.status, t.assignee_id, events, [n.payload["text"] for n in notices]

    status, assignee, events, notices = await quiet.db.read(check)
    assert (status, assignee) == ("assigned", "lina")
    assert events == 2 and len(notices) >= 1
    # the officer's notice, composed before the code was taken, names the ticket by it
    assert all(code in text and "~" not in text for text in notices), notices


async def test_two_first_messages_at_once_make_one_resident(quiet: Quiet) -> None:
    """Both claims say «new sender», so both units would create the resident: the second one
    fails on the identity's unique key and runs again, reading the identity the first made."""
    replies = await asyncio.gather(
        quiet.mp.say("o-twice", "幸福花园3号楼楼道有人拉飞线给电动车充电"),
        quiet.mp.say("o-twice", "金色港湾门口垃圾三天没人清运了"))
    assert all("工单号" in (r.content or "") for r in replies), [r.content for r in replies]

    async def check(session):  # noqa: ANN001, ANN202
        idents = (await session.scalars(select(Identity).where(
            Identity.external_id == "o-twice"))).all()
        reporters = set((await session.scalars(select(Ticket.reporter_id).where(
            Ticket.reporter_id.in_([i.person_id for i in idents])))).all())
        return len(idents), len(reporters), await session.scalar(
            select(func.count()).select_from(Ticket).where(
                Ticket.reporter_id.in_([i.person_id for i in idents])))

    assert await quiet.db.read(check) == (1, 1, 2)
