"""The state machine: every transition leaves an event; a forbidden one changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import Person, Ticket, TicketEvent
from storage.statemachine import TransitionError, transition

NOW = datetime(2026, 11, 23, 2, 0)


async def _ticket(db: Database) -> int:
    async def make(s):
        s.add(Person(id="zhangwei", name="张伟", roles=["officer"]))
        t = Ticket(code="GD20261123-0001", category="sanitation", urgency="normal",
                   text="楼道堆满杂物", status="new", created_at=NOW, updated_at=NOW)
        s.add(t)
        await s.flush()
        return t.id

    return await db.run(make)


async def _state(db: Database, tid: int) -> tuple[str, list[tuple]]:
    async def q(s):
        t = await s.get(Ticket, tid)
        events = (await s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == tid)
                                  .order_by(TicketEvent.id))).all()
        return t.status, [(e.kind, e.actor_id, e.from_status, e.to_status, e.note)
                          for e in events]

    return await db.read(q)


async def _act(db: Database, tid: int, action: str, actor: str | None, role: str,
               note: str | None = None) -> None:
    async def unit(s):
        t = await s.get(Ticket, tid)
        transition(s, t, action, actor_id=actor, actor_role=role, note=note, at=NOW)

    await db.run(unit)


async def test_transitions_write_events_with_actor_and_note(any_db: Database) -> None:
    tid = await _ticket(any_db)
    await _act(any_db, tid, "assign", None, "system", "派给 张伟")
    await _act(any_db, tid, "accept", "zhangwei", "assignee", "马上去看")
    await _act(any_db, tid, "resolve", "zhangwei", "assignee", "已清理")
    status, events = await _state(any_db, tid)
    assert status == "resolved"
    assert events == [
        ("assigned", None, "new", "assigned", "派给 张伟"),
        ("accepted", "zhangwei", "assigned", "accepted", "马上去看"),
        ("resolved", "zhangwei", "accepted", "resolved", "已清理"),
    ]


@pytest.mark.parametrize(("action", "role", "message"), [
    ("accept", "assignee", "工单 GD20261123-0001 当前状态为「新建」，不能接单。"),
    ("rate", "assignee", "您无权对工单 GD20261123-0001 执行「评价」。"),
    ("fly", "staff", "未知操作：fly"),
])
async def test_forbidden_transition_is_refused_and_changes_nothing(
        any_db: Database, action: str, role: str, message: str) -> None:
    tid = await _ticket(any_db)
    with pytest.raises(TransitionError) as err:
        await _act(any_db, tid, action, "zhangwei", role)
    assert str(err.value) == message
    assert await _state(any_db, tid) == ("new", [])


async def test_a_refused_transition_leaves_the_ticket_usable_in_the_same_unit(
        db: Database) -> None:
    tid = await _ticket(db)

    async def unit(s):
        t = await s.get(Ticket, tid)
        with pytest.raises(TransitionError):
            transition(s, t, "resolve", actor_id="zhangwei", actor_role="assignee", at=NOW)
        assert t.status == "new"
        transition(s, t, "cancel", actor_id=None, actor_role="staff", note="重复提交", at=NOW)

    await db.run(unit)
    assert await _state(db, tid) == ("cancelled",
                                     [("cancelled", None, "new", "cancelled", "重复提交")])


def _bare(status: str) -> Ticket:
    return Ticket(code="GD20261123-0009", category="water", urgency="normal", text="停水",
                  status=status, respond_by=datetime(2026, 11, 24, 10, 0),
                  resolve_by=datetime(2026, 12, 4, 10, 0), created_at=NOW, updated_at=NOW)


_BARE = Session()  # no database: transition only adds the event to the caller's session


def _Session() -> Session:  # noqa: N802 - stands where a session class was
    return _BARE


def test_working_on_a_ticket_counts_as_taking_it_once() -> None:
    t = _bare("assigned")
    transition(_Session(), t, "progress", actor_id="zhangwei", actor_role="assignee", at=NOW)
    assert t.accepted_at == NOW
    later = datetime(2026, 11, 23, 5, 0)
    transition(_Session(), t, "resolve", actor_id="zhangwei", actor_role="assignee", at=later)
    assert (t.accepted_at, t.resolved_at) == (NOW, later)


def test_a_question_pauses_the_clock_and_the_answer_moves_the_deadlines_on() -> None:
    t = _bare("accepted")
    asked, answered = datetime(2026, 11, 23, 3, 0), datetime(2026, 11, 23, 9, 30)
    transition(_Session(), t, "ask", actor_id="zhangwei", actor_role="assignee", at=asked)
    assert t.waiting_since == asked
    transition(_Session(), t, "answer", actor_id="r-1", actor_role="reporter", at=answered)
    assert t.waiting_since is None
    assert t.respond_by == datetime(2026, 11, 24, 16, 30)
    assert t.resolve_by == datetime(2026, 12, 4, 16, 30)


def test_closing_stamps_closed_and_reopening_forgets_the_resolution() -> None:
    t = _bare("resolved")
    t.resolved_at = NOW
    transition(_Session(), t, "reopen", actor_id="r-1", actor_role="reporter", at=NOW)
    assert t.resolved_at is None
    t = _bare("resolved")
    transition(_Session(), t, "close", actor_id=None, actor_role="system", at=NOW)
    assert t.closed_at == NOW
