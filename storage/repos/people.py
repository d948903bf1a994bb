"""Queries of people and their channel identities. They take a session and never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState, Identity, Outbox, Person, add_new, new_row


async def identity(session: AsyncSession, channel: str, external_id: str) -> Identity | None:
    """An MP openid or a WeCom userid (userids match case-insensitively)."""
    if channel == "work":
        external_id = external_id.lower()
    return await session.scalar(select(Identity).where(
        Identity.channel == channel, Identity.external_id == external_id))


async def identities_of(session: AsyncSession, person: Person) -> dict[str, Identity]:
    # a query, not the relationship: a person reached through another eager load may not have
    # it loaded, and a lazy load cannot run under asyncio
    rows = await session.scalars(select(Identity).where(Identity.person_id == person.id))
    return {i.channel: i for i in rows}


async def new_resident(session: AsyncSession, channel: str, external_id: str,
                       now: datetime) -> tuple[Person, Identity]:
    """A first message from an unknown openid: a resident with a pseudonymous id."""
    person = new_row(Person, id=f"r-{secrets.token_hex(6)}", roles=["resident"], created_at=now)
    ident = new_row(Identity, person_id=person.id, channel=channel, external_id=external_id,
                    created_at=now, pushes_since_inbound=0)
    # not flushed: the next flush inserts both, with whatever the caller sets on them first
    add_new(session, person, ident)
    # this unit knows they have no tickets yet (storage.repos.tickets.of_resident asks)
    session.info.setdefault("unit", {}).setdefault("new_people", set()).add(person.id)
    return person, ident


@dataclass
class Sender:
    identity: Identity | None
    state: ConversationState | None  # the conversation state keyed by the raw sender id
    has_held: bool  # notices wait to be delivered with the next reply


# built once: constructing a statement costs more than running it on the hot path
_HELD = select(Outbox.id).where(Outbox.channel == bindparam("channel"),
                                Outbox.recipient == bindparam("raw"),
                                Outbox.state == "held").exists()
_SENDER = (select(Identity, ConversationState, _HELD.label("held"))
           .outerjoin(ConversationState,
                      and_(ConversationState.channel == bindparam("channel"),
                           ConversationState.external_id == bindparam("raw")))
           .where(Identity.channel == bindparam("channel"),
                  Identity.external_id == bindparam("wanted")))


def known_absent(session: AsyncSession, channel: str, external_id: str) -> None:
    """Tell this unit that (channel, external_id) has no identity (the gateway's claim of the
    message found none): `sender` then answers without a query. If one appeared meanwhile
    (another message of theirs), creating it again fails on its unique key and the caller
    reruns the unit without this."""
    session.info.setdefault("unit", {})["absent_sender"] = (channel, external_id)


def stored_id(channel: str, external_id: str) -> str:
    """An address as identities store it (WeCom userids lower-cased)."""
    return external_id.lower() if channel == "work" else external_id


async def sender(session: AsyncSession, channel: str, external_id: str) -> Sender:
    """Who wrote, their conversation state and whether notices are held for them: one
    query for what every update needs first."""
    if session.info.get("unit", {}).get("absent_sender") == (channel, external_id):
        return Sender(None, None, False)  # no identity: no row, whatever state or notices
    wanted = stored_id(channel, external_id)
    row = (await session.execute(_SENDER, {"channel": channel, "raw": external_id,
                                           "wanted": wanted})).first()
    if row is None:
        return Sender(None, None, False)
    return Sender(row[0], row[1], bool(row[2]))


async def by_bind_code(session: AsyncSession, code: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.bind_code == code,
                                                     Person.active.is_(True)))


async def active_named(session: AsyncSession, name: str) -> list[Person]:
    return list((await session.scalars(select(Person).where(
        Person.name == name, Person.active.is_(True)))).all())


async def staff_matching(session: AsyncSession, words: str,
                         roles: tuple[str, ...]) -> list[Person]:
    """Active people with one of `roles` that `words` names: a person id, a WeCom userid
    (case-insensitive) or a name. An exact match wins; else every name containing the words
    (「周晓」 → 周晓燕, 周晓东), for the caller to offer as a choice."""
    words = words.strip()
    if not words:
        return []
    low = words.lower()
    by_work = select(Identity.person_id).where(Identity.channel == "work",
                                               Identity.external_id == low)
    rows = (await session.scalars(select(Person).where(
        Person.active.is_(True),
        or_(func.lower(Person.id) == low, Person.id.in_(by_work), Person.name.contains(words)))
        .order_by(Person.name, Person.id))).all()
    people = [p for p in rows if p.has_role(*roles)]
    work = set((await session.scalars(by_work)).all())
    exact = [p for p in people if p.name == words or p.id.lower() == low or p.id in work]
    return exact or people
