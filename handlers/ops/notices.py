"""Notices: queue a message for a person on their best channel,
tell a ticket's reporter and followers."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ops import messages as msg
from handlers.ops.roles import STAFF_ROLES
from storage import district_model, outbox
from storage.models import Identity, Person, Region, Ticket, TicketFollower
from storage.repo import slot_person, triage_people
from storage.repos.people import identities_of

logger = logging.getLogger(__name__)


async def best_identity(session: AsyncSession, person: Person) -> Identity | None:
    """Staff hear from WeCom when they have it; residents on the Official Account."""
    ids = await identities_of(session, person)
    if person.has_role(*STAFF_ROLES) and "work" in ids:
        return ids["work"]
    return ids.get("mp") or ids.get("work")


async def contact(session: AsyncSession, person: Person) -> tuple[str, str] | None:
    """(channel, external id) of the person's best channel: staff from the district's read
    model (no query), residents from the database."""
    staff = person.has_role(*STAFF_ROLES)
    known = await district_model.of(session).contact(session, person, staff)
    if known is not None:
        return known if known[0] else None
    ident = await best_identity(session, person)
    return (ident.channel, ident.external_id) if ident is not None else None


KEPT_WARN_SECONDS = 600.0  # one line per unreachable person per ten minutes, with the count
_kept_since: dict[str, tuple[float, int]] = {}  # person id → (when last said, kept since)


def _warn_kept(person: Person) -> None:
    """An officer nobody can reach gets notices all day: say so once, then once every ten
    minutes with how many were kept meanwhile (a trial saw 168 identical lines in two
    minutes for one officer, hiding everything else)."""
    now = time.monotonic()
    last, count = _kept_since.get(person.id, (float("-inf"), 0))
    if now - last < KEPT_WARN_SECONDS:
        _kept_since[person.id] = (last, count + 1)
        return
    _kept_since[person.id] = (now, 0)
    logger.warning("no channel to reach %s (%s) yet; notice kept until they bind%s",
                   person.id, person.name,
                   f" ({count + 1} kept since the last such line)" if count else "")


async def notify(session: AsyncSession, person: Person | None, text: str, *, at: datetime,
                 ticket: Ticket | None = None, urgent: bool | None = None) -> bool:
    """Queue `text` for `person` on their best channel; False (and a log line) when they have
    no channel at all, so the caller can tell someone who can reach them. A member of staff
    with no channel yet (a bind code not used) has the notice kept: it goes out when they
    bind (`deliver_kept`). A notice about an urgent ticket is urgent unless `urgent` says
    otherwise (escalations say so for any ticket): it goes before the ordinary notices
    waiting for the same person."""
    if person is None:
        return False
    if urgent is None:
        urgent = ticket is not None and ticket.urgency == "urgent"
    found = await contact(session, person)
    text = within_limit(text, ticket)
    if found is None:
        if person.active and person.has_role(*STAFF_ROLES):  # delivered when they bind
            outbox.keep_unreached(session, person_id=person.id, text=text, at=at, ticket=ticket,
                                  urgent=urgent)
            _warn_kept(person)
        else:
            logger.warning("no channel to reach %s (%s); notice not queued",
                           person.id, person.name)
        return False
    outbox.enqueue(session, channel=found[0], recipient=found[1], text=text, at=at,
                   person_id=person.id, ticket=ticket, urgent=urgent)
    return True


def within_limit(text: str, ticket: Ticket | None) -> str:
    """Every push fits the channel's byte limit (WeCom and customer-service texts are cut at
    2,048 bytes): a longer one ends «…（全文见 工单 CODE）», its last line (what to type next)
    kept whole when it is short."""
    if len(text.encode()) <= msg.WECOM_TEXT_BYTES:
        return text
    body, _, last = text.rpartition("\n")
    keep = last if body and len(last.encode()) <= 300 else ""
    return msg.fit(body if keep else text, ticket.code if ticket else None, keep=keep)


async def followers_of(session: AsyncSession, ticket: Ticket) -> list[Person]:
    """Residents who seconded (附议) the ticket, or whose merged ticket it absorbed."""
    rows = await session.scalars(
        select(Person).join(TicketFollower, TicketFollower.person_id == Person.id)
        .where(TicketFollower.ticket_id == ticket.id).order_by(TicketFollower.id))
    return list(rows.unique().all())


async def tell_reporters(session: AsyncSession, ticket: Ticket, text: str, *, at: datetime,
                         reporter_suffix: str = "") -> int:
    """Tell the reporter and every follower the same news; how many were reached.
    `reporter_suffix` is for the reporter alone (the rating prompt: only they rate)."""
    reached = 0
    reporter = await session.get(Person, ticket.reporter_id) if ticket.reporter_id else None
    if reporter is not None:
        reached += await notify(session, reporter, text + reporter_suffix, at=at, ticket=ticket)
    for person in await followers_of(session, ticket):
        if person.id != ticket.reporter_id:
            reached += await notify(session, person, text, at=at, ticket=ticket)
    return reached


async def deliver_kept(session: AsyncSession, person: Person, channel: str, recipient: str, *,
                       at: datetime, fold_after: int = 0) -> int:
    """`person` now has a channel (they bound it): the notices kept for them go out on it,
    urgent first, then oldest first; how many. On the Official Account, which pushes only a
    few messages per reply of theirs, `fold_after` or more of one priority are folded into
    digests."""
    def fold(texts: list[str], urgent: bool) -> list[str]:
        return msg.digests(texts, urgent, 0, why="此前未能送达的通知")

    return await outbox.release_unreached(session, person.id, channel, recipient, at,
                                          fold=fold if channel == "mp" else None,
                                          fold_after=fold_after)


RELAY_HEAD = "【转告】"


async def relay_held(session: AsyncSession, row: Any, *, at: datetime) -> int:
    """An urgent notice to a member of staff who is reached only on the Official Account and
    whose 48-hour window is closed (no template configured) waits for their next message:
    the community's desk and leader get it at once to pass on by phone (trial 14: an officer
    bound on the Official Account never got 【即将超时】 for a lift with a mother inside). A
    resident's notice is not relayed; nor is a relay. How many were told."""
    text = str((row.payload or {}).get("text") or "")
    if not row.person_id or text.startswith((RELAY_HEAD, "【无法送达】")):
        return 0
    person = await session.get(Person, row.person_id)
    if person is None or not person.has_role(*STAFF_ROLES):
        return 0
    ticket = await session.get(Ticket, row.ticket_id) if row.ticket_id else None
    community = await session.get(Region, ticket.community_id) \
        if ticket is not None and ticket.community_id else None
    people = await stand_ins(session, community, person.id)
    # the reason as it is: the 48 hours since their last message, or the pushes one message
    # of theirs allows already spent (trial 15: she had written nine minutes before)
    why = (f"已连续推送 {outbox.WINDOW_PUSHES} 条，需本人回复一条消息后才能继续推送"
           if row.last_error == outbox.PUSHES_USED
           else "48 小时内未发消息")
    head = (f"{RELAY_HEAD}{person.name}只能通过公众号收到通知，{why}，"
            "以下紧急通知暂时发不到，请电话转告：")
    for p in people:
        await notify(session, p, within_limit(f"{head}\n{text}", ticket), at=at,
                     ticket=ticket, urgent=True)
    return len(people)


async def stand_ins(session: AsyncSession, community: Region | None,
                    skip: str) -> list[Person]:
    """Who passes a notice on to someone nobody can reach: the community's triage desk and
    its leader (without a community, the district's triage desk), `skip` left out."""
    people = list(await triage_people(session, community))
    leader = await slot_person(session, community, "leader") if community is not None else None
    if leader is not None:
        people.append(leader)
    seen: set[str] = set()
    out = []
    for p in people:
        if p.id != skip and p.id not in seen and p.active:
            seen.add(p.id)
            out.append(p)
    return out
