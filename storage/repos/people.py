"""Queries of people and their channel identities. They take a session and never commit."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, Person


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
    person = Person(id=f"r-{secrets.token_hex(6)}", roles=["resident"], created_at=now)
    session.add(person)
    await session.flush()
    ident = Identity(person_id=person.id, channel=channel, external_id=external_id,
                     created_at=now)
    session.add(ident)
    await session.flush()
    return person, ident


async def by_bind_code(session: AsyncSession, code: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.bind_code == code,
                                                     Person.active.is_(True)))


async def active_named(session: AsyncSession, name: str) -> list[Person]:
    return list((await session.scalars(select(Person).where(
        Person.name == name, Person.active.is_(True)))).all())
