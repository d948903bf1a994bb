"""The ticket state machine: the only place a ticket's status changes.

Each action names the statuses it may start from, the status it leads to and who may take it.
Every transition appends a TicketEvent with actor and note in the caller's session, and sets
the timing fields that follow from it (accepted, resolved, closed, the 追问 pause), so no caller
does that arithmetic itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage import held_rows
from storage.models import Ticket, TicketEvent, new_row

OPEN_STATUSES = (
    "new", "pending_verification", "assigned", "accepted", "in_progress", "waiting",
    "transferred", "returned", "reopened",
)
FINAL_STATUSES = ("closed", "cancelled", "duplicate")
STATUSES = OPEN_STATUSES + ("resolved",) + FINAL_STATUSES

STATUS_NAMES = {
    "new": "新建", "pending_verification": "待核实", "assigned": "已派单", "accepted": "已接单",
    "in_progress": "处理中", "waiting": "待补充", "transferred": "已转办", "returned": "已退回",
    "reopened": "重新办理", "resolved": "已办结", "closed": "已关闭", "cancelled": "已撤销",
    "duplicate": "已合并",
}


@dataclass(frozen=True)
class Rule:
    sources: tuple[str, ...]
    target: str | None  # None: the status stays (an event is still written)
    actors: tuple[str, ...]  # reporter | assignee | staff | system


_WORKING = ("assigned", "accepted", "in_progress", "reopened")
RULES: dict[str, Rule] = {
    "assign": Rule(("new", "returned", "pending_verification"), "assigned", ("staff", "system")),
    "reassign": Rule(OPEN_STATUSES, "assigned", ("staff", "system")),
    "verify": Rule(("pending_verification",), "assigned", ("staff",)),
    "accept": Rule(("assigned", "reopened", "transferred"), "accepted", ("assignee",)),
    "progress": Rule(("assigned", "accepted", "in_progress", "reopened", "transferred"),
                     "in_progress", ("assignee",)),
    # staff: the command centre's console may ask and transfer on the officer's behalf
    "ask": Rule(_WORKING, "waiting", ("assignee", "staff")),
    "answer": Rule(("waiting",), "in_progress", ("reporter", "system")),
    "resolve": Rule(_WORKING + ("transferred", "waiting"), "resolved", ("assignee",)),
    "transfer": Rule(_WORKING, "transferred", ("assignee", "staff")),
    "return": Rule(_WORKING + ("transferred",), "returned", ("assignee",)),
    # a department sends a transferred ticket back to the grid officer who transferred it
    "hand_back": Rule(_WORKING + ("transferred",), "assigned", ("assignee",)),
    "reclassify": Rule(OPEN_STATUSES, None, ("assignee", "staff")),
    "rate": Rule(("resolved",), "closed", ("reporter",)),
    "reopen": Rule(("resolved", "closed"), "reopened", ("reporter", "staff")),
    "close": Rule(("resolved",), "closed", ("system", "staff")),
    "cancel": Rule(OPEN_STATUSES, "cancelled", ("reporter", "staff")),
    "merge": Rule(OPEN_STATUSES, "duplicate", ("assignee", "staff")),
}

ACTION_NAMES = {
    "assign": "派单", "reassign": "改派", "verify": "核实", "accept": "接单",
    "progress": "更新进度", "ask": "追问", "answer": "补充", "resolve": "办结", "transfer": "转办",
    "return": "退回",
    "hand_back": "退回网格员", "reclassify": "改类", "rate": "评价", "reopen": "重新办理",
    "close": "关闭", "cancel": "撤销", "merge": "合并",
}


class TransitionError(Exception):
    """A forbidden transition; `str(e)` is a message fit to show the person who tried it."""


def check(ticket: Ticket, action: str, actor_role: str) -> Rule:
    rule = RULES.get(action)
    if rule is None:
        raise TransitionError(f"未知操作：{action}")
    if actor_role not in rule.actors:
        raise TransitionError(f"您无权对工单 {ticket.code} 执行「{ACTION_NAMES[action]}」。")
    if ticket.status not in rule.sources:
        raise TransitionError(
            f"工单 {ticket.code} 当前状态为「{STATUS_NAMES.get(ticket.status, ticket.status)}」，"
            f"不能{ACTION_NAMES[action]}。"
        )
    return rule


def transition(
    session: AsyncSession,
    ticket: Ticket,
    action: str,
    *,
    actor_id: str | None,
    actor_role: str,
    note: str | None = None,
    at: datetime,
) -> TicketEvent:
    """Move `ticket` by `action`, or raise TransitionError and change nothing."""
    rule = check(ticket, action, actor_role)
    before = ticket.status
    ticket.status = rule.target or before
    ticket.updated_at = at
    _stamp(ticket, action, at)
    ev = new_row(
        TicketEvent, ticket_id=ticket.id, kind=_EVENT_KIND.get(action, action),
        actor_id=actor_id, from_status=before, to_status=ticket.status, note=note, created_at=at,
    )
    return _add(session, ticket, ev)


def _add(session: AsyncSession, ticket: Ticket, ev: TicketEvent) -> TicketEvent:
    if ticket.id is None:  # a new ticket: its events are written with it (storage.held_rows)
        held_rows.hold(session, ticket, ev)
    else:
        session.add(ev)
    return ev


# acting on a ticket counts as taking it: a 进度 or 办结 without 接单 still answers respond-by
_TAKES = frozenset({"accept", "progress", "resolve"})


def _stamp(ticket: Ticket, action: str, at: datetime) -> None:
    if action in _TAKES and ticket.accepted_at is None:
        ticket.accepted_at = at
    if action == "resolve":
        ticket.resolved_at = at
    elif action in ("rate", "close"):
        ticket.closed_at = at
    elif action == "reopen":
        ticket.resolved_at = None
    elif action == "ask":
        ticket.waiting_since = at
    elif action == "answer":
        resume_clock(ticket, at)


def resume_clock(ticket: Ticket, at: datetime) -> None:
    """The resident answered a 追问: the deadlines move on by the time the clock stood still."""
    if ticket.waiting_since is None:
        return
    paused = at - ticket.waiting_since
    ticket.respond_by = ticket.respond_by + paused if ticket.respond_by else None
    ticket.resolve_by = ticket.resolve_by + paused if ticket.resolve_by else None
    ticket.waiting_since = None


_EVENT_KIND = {
    "assign": "assigned", "reassign": "assigned", "verify": "verified", "accept": "accepted",
    "progress": "progress", "ask": "asked", "answer": "answered", "resolve": "resolved",
    "transfer": "transferred", "return": "returned", "hand_back": "handed_back",
    "reclassify": "reclassified", "rate": "rated", "reopen": "reopened",
    "close": "closed", "cancel": "cancelled", "merge": "merged",
}


def record(
    session: AsyncSession, ticket: Ticket, kind: str, *, actor_id: str | None,
    note: str | None = None, at: datetime,
) -> TicketEvent:
    """An event that does not change status (created, reminded, escalated, corrected…)."""
    ev = new_row(TicketEvent, ticket_id=ticket.id, kind=kind, actor_id=actor_id,
                 from_status=ticket.status, to_status=ticket.status, note=note, created_at=at)
    return _add(session, ticket, ev)
