"""Who may act on which ticket: role and area, checked together (the chat and the console use
the same answer).

A ticket's holder (its assignee, or the grid officer who owns it while a department has it)
may act on it. Triage staff act on the tickets of the area they serve: a community's leader,
liaisons and triage desk on that community; a street's leader on the street's communities; the
district's command centre and triage desk, and admins, everywhere. A role without a place in
the district's slots reaches nothing beyond the tickets it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ops.roles import TRIAGE_ROLES
from storage.models import Person, Region, Ticket

_COMMUNITY_SLOTS = ("leader", "liaisons", "triage")
_DISTRICT_SLOTS = ("command_centre", "triage", "leader")


@dataclass(frozen=True)
class Reach:
    everywhere: bool = False
    communities: frozenset[int] = field(default_factory=frozenset)

    def covers(self, community_id: int | None) -> bool:
        """A ticket without a community (not placed yet) is the district's desk's."""
        return self.everywhere or (community_id is not None and community_id in self.communities)


def _named(slots: dict | None, names: tuple[str, ...], person_id: str) -> bool:
    for name in names:
        value = (slots or {}).get(name)
        if value == person_id or (isinstance(value, list) and person_id in value):
            return True
    return False


async def reach(session: AsyncSession, person: Person) -> Reach:
    """The area `person` triages (nothing for someone without a triage role)."""
    if not person.active or not person.has_role(*TRIAGE_ROLES):
        return Reach()
    if person.has_role("admin"):
        return Reach(everywhere=True)
    regions = (await session.scalars(select(Region).where(
        Region.level.in_(("district", "street", "community")),
        Region.active.is_(True)))).all()
    if any(r.level == "district" and _named(r.slots, _DISTRICT_SLOTS, person.id)
           for r in regions):
        return Reach(everywhere=True)
    streets = {r.id for r in regions if r.level == "street"
               and _named(r.slots, ("leader",), person.id)}
    return Reach(communities=frozenset(
        r.id for r in regions if r.level == "community"
        and (r.parent_id in streets or _named(r.slots, _COMMUNITY_SLOTS, person.id))))


def holds(person: Person, ticket: Ticket) -> bool:
    return person.id in (ticket.assignee_id, ticket.owner_id)


async def may_act(session: AsyncSession, person: Person, ticket: Ticket, *,
                  holder: bool = True) -> bool:
    """`person` may act on `ticket`: they hold it (when `holder` counts), or it lies in the
    area they triage."""
    if holder and holds(person, ticket):
        return True
    return (await reach(session, person)).covers(ticket.community_id)


async def may_merge(session: AsyncSession, person: Person, keep: Ticket, gone: Ticket) -> bool:
    """Merging closes `gone` into `keep`: both must be in the actor's reach, as tickets they
    hold or in the area they triage (holding one is not enough to close a colleague's)."""
    return await may_act(session, person, keep) and await may_act(session, person, gone)
