"""Making, routing and telling: the ticket operations shared by every role's router."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from handlers.ops import messages as msg
from handlers.ops.attachments import link_ids
from handlers.ops.notices import notify, stand_ins
from handlers.ops.services import Services
from handlers.ops.verification import ask_verification, verifiers_for
from nlp import Analysis
from storage import repo
from storage.clock import SHANGHAI, to_local
from storage.models import Person, Region, Ticket, add_new, new_row
from storage.repo import triage_people
from storage.repos import attachments as attachment_rows
from storage.repos import tickets as tickets_repo
from storage.sla import deadline
from storage.statemachine import record, transition

logger = logging.getLogger(__name__)


@dataclass
class Placement:
    grid: Region | None
    community: Region | None


async def place_for(session: AsyncSession, analysis: Analysis) -> Placement:
    loc = analysis.location
    grid, community = await repo.grid_for_place(session, loc.community, loc.building)
    return Placement(grid, community)


def sla_for(services: Services, category: str, urgency: str) -> tuple[str, str]:
    level = services.settings.sla[urgency]
    respond, resolve = level.respond, level.resolve
    override = services.settings.categories.get(category)
    if urgency == "normal" and override is not None:  # urgent and high keep the urgency table
        respond = override.respond or respond
        resolve = override.resolve or resolve
    return respond, resolve


async def responsible(session: AsyncSession, services: Services, ticket: Ticket,
                      grid: Region) -> tuple[Person | None, list[Person]]:
    """Who handles `ticket` in `grid` (by the category's slot) and who is copied."""
    officer = await repo.slot_person(session, grid, "officer")
    cfg = services.settings.categories.get(ticket.category)
    slot = cfg.slot if cfg else "officer"
    if slot == "officer":
        return officer, []
    person = await repo.slot_person(session, grid, slot)
    if person is None or not person.active:
        return officer, []
    return person, [p for p in (officer,) if p is not None and p.id != person.id]


async def create_ticket(
    session: AsyncSession, services: Services, *, now: datetime, text: str, analysis: Analysis,
    reporter: Person | None, source: str, place: Placement, extra_place: str | None = None,
    lng: float | None = None, lat: float | None = None, route_to_desk: bool = True,
    attachment_ids: Sequence[int] = (), related: Ticket | None = None,
) -> Ticket:
    """Insert the ticket with its deadlines and `created` event, link the photos the resident
    sent with it (so the assignment push counts them), then route it. `related`: an open
    ticket of someone else this urgent report may repeat (same problem, same place): its
    notices name it, so the officer can 合并 instead of going twice."""
    local_day = to_local(now).date() if now else datetime.now(SHANGHAI).date()
    # a stand-in until the ticket is written: the day's counter is locked from then to the
    # commit (storage.repos.tickets.flush_new gives the real code, also in the notices)
    code = repo.provisional_code(local_day)
    respond, resolve = sla_for(services, analysis.category, analysis.urgency)
    loc = analysis.location
    community = place.community
    if community is None and place.grid is not None:
        community = await repo.community_of(session, place.grid)
    # correspondents (issue 5): a non-urgent report may wait for the liaison's 核实 first
    verifiers = await verifiers_for(session, services, source, analysis.urgency, community)
    ticket = new_row(
        Ticket, code=code, category=analysis.category, urgency=analysis.urgency,
        request_kind=analysis.request_kind, text=text,
        community_text=loc.community, building=loc.building, unit=loc.unit, room=loc.room,
        place=loc.place or extra_place, lng=lng, lat=lat,
        region_id=place.grid.id if place.grid else None,
        community_id=community.id if community else None,
        reporter_id=reporter.id if reporter else None, source=source,
        status="pending_verification" if verifiers else "new",
        respond_by=deadline(now, respond, services.calendar),
        resolve_by=deadline(now, resolve, services.calendar),
        confidence=analysis.confidence, created_at=now, updated_at=now,
    )
    # the objects too, as the session holds them: the notices and the reply read the grid's
    # and community's names without a lookup each. Set as loaded (the ids above are what is
    # written; no backref to update), not through the attribute's change events
    set_committed_value(ticket, "region", place.grid)
    set_committed_value(ticket, "community", community)
    # flushed once routed: its events and notices link to it, so one flush writes the ticket
    # already assigned (one INSERT, no UPDATE after it), its events and its notices
    add_new(session, ticket)
    record(session, ticket, "created", actor_id=reporter.id if reporter else None,
           note=f"{analysis.category_name}/{analysis.urgency} 置信度 {analysis.confidence:.2f}",
           at=now)
    # the line its notices carry (the code is the stand-in's until written: substituted)
    related_note = msg.related_line(related, now, ticket.code,
                                    ticket.reporter_id == related.reporter_id) \
        if related is not None else None
    if related_note is not None:
        record(session, ticket, "related", actor_id=None, at=now, note=related_note)
    if attachment_ids:  # the photos link to the ticket's id, so it is written first
        await tickets_repo.settle(session, ticket)
        await session.flush()
        await link_ids(session, ticket, list(attachment_ids), actor_id=ticket.reporter_id, at=now)
    if verifiers:  # correspondents (issue 5): the liaison routes it on 核实
        await ask_verification(session, ticket, verifiers, reporter, now=now)
    elif route_to_desk:  # else the caller assigns it (a complaint about staff goes to a leader)
        await route(session, services, ticket, place.grid, community, now=now,
                    related=related_note)
    await tickets_repo.flush_new(session, ticket)
    return ticket


async def route(session: AsyncSession, services: Services, ticket: Ticket, grid: Region | None,
                community: Region | None, *, now: datetime, actor_id: str | None = None,
                related: str | None = None) -> None:
    """Assign to the responsible person of the grid, or put it on the triage list."""
    if grid is not None:
        assignee, copied = await responsible(session, services, ticket, grid)
        if assignee is not None:
            await assign(session, services, ticket, assignee, now=now, actor_id=actor_id,
                         action="assign", copied=copied, related=related)
            return
    ticket.assignee_id = None
    people = await triage_people(session, community)
    record(session, ticket, "triage", actor_id=actor_id,
           note="未能定位到网格，进入分拨列表：" + "、".join(p.name for p in people), at=now)
    for p in people:
        await notify(session, p, msg.triage_notice(ticket), at=now, ticket=ticket)
    if ticket.urgency == "urgent":
        await page_leader(session, ticket, community, now=now, related=related)


async def assign(session: AsyncSession, services: Services, ticket: Ticket, person: Person, *,
                 now: datetime, actor_id: str | None, action: str,
                 copied: list[Person] | None = None, note: str | None = None,
                 related: str | None = None) -> None:
    transition(session, ticket, action, actor_id=actor_id,
               actor_role="system" if actor_id is None else "staff",
               note=note or f"派给 {person.name}（{person.id}）", at=now)
    ticket.assignee_id = person.id
    set_committed_value(ticket, "assignee", person)  # read by the notices; the id is written
    photos = sum(a.kind == "image" for a in await attachment_rows.of_ticket(session, ticket.id)) \
        if ticket.id is not None else 0
    text = msg.assignment(ticket, services, photos, related=related)
    reached = await notify(session, person, text, at=now, ticket=ticket)
    for p in copied or []:
        await notify(session, p, msg.copy_notice(ticket, person), at=now, ticket=ticket)
    community = ticket.community
    if community is None and ticket.community_id:
        community = await session.get(Region, ticket.community_id)
    told: set[str] = set()
    if not reached:  # nobody may be left not knowing: the desk and the leader pass it on
        told = await tell_stand_ins(session, ticket, person, community, text, now=now)
    if ticket.urgency == "urgent" and not told:
        # nor the leader who has just made this 派单 themself (trial 12)
        await page_leader(session, ticket, community, now=now, skip=(person.id, actor_id),
                          related=related)


async def tell_stand_ins(session: AsyncSession, ticket: Ticket, person: Person,
                         community: Region | None, text: str, *, now: datetime) -> set[str]:
    """`person` has no channel yet: the community's triage desk and leader get the notice to
    pass on (or to 改派), and the history says so; whom it told."""
    people = await stand_ins(session, community, person.id)
    record(session, ticket, "unreached", actor_id=None, at=now,
           note=f"{person.name} 尚未绑定，收不到通知；已告知"
           + ("、".join(p.name for p in people) or "（无人可告知）"))
    for p in people:
        await notify(session, p, msg.unreached_assignee(ticket, person, text), at=now,
                     ticket=ticket)
    return {p.id for p in people}


async def page_leader(session: AsyncSession, ticket: Ticket, community: Region | None, *,
                      now: datetime, skip: tuple[str | None, ...] = (),
                      related: str | None = None) -> None:
    """Urgent: the community leader hears at once, not after an escalation."""
    if community is None:
        return
    leader = await repo.slot_person(session, community, "leader")
    if leader is not None and leader.id not in skip:
        await notify(session, leader, msg.urgent_leader(ticket, related), at=now, ticket=ticket)
