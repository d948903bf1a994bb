"""What a console user may see: the whole district, or the regions under their street or
community. Every query of the console goes through a Scope, and a ticket, region or person
outside it is answered as if it did not exist (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsoleUser, Region, Ticket

WHOLE_DISTRICT = ("admin", "centre")


@dataclass(frozen=True)
class Scope:
    regions: dict[int, Region]  # every active or inactive region the user may see, by id
    whole: bool
    area: Region | None

    @property
    def communities(self) -> list[Region]:
        return [r for r in self.regions.values() if r.level == "community"]

    @property
    def community_ids(self) -> set[int]:
        return {r.id for r in self.communities}

    def ticket_filter(self) -> ColumnElement[bool]:
        """Tickets of the user's communities; the whole district sees those without one too."""
        if self.whole:
            return true()
        ids = self.community_ids
        return Ticket.community_id.in_(ids) if ids else false()

    def sees_ticket(self, t: Ticket) -> bool:
        return self.whole or (t.community_id is not None and t.community_id in self.regions)

    def region(self, code: str | None) -> Region | None:
        if not code:
            return None
        return next((r for r in self.regions.values() if r.code == code), None)

    def of_level(self, level: str) -> list[Region]:
        return sorted((r for r in self.regions.values() if r.level == level),
                      key=lambda r: r.code)

    def people_ids(self) -> set[str]:
        """People named in a slot of a visible region."""
        ids: set[str] = set()
        for r in self.regions.values():
            for value in (r.slots or {}).values():
                for pid in value if isinstance(value, list) else [value]:
                    if isinstance(pid, str):
                        ids.add(pid)
        return ids

    def parent(self, r: Region) -> Region | None:
        return self.regions.get(r.parent_id) if r.parent_id else None

    def up_to(self, r: Region | None, level: str) -> Region | None:
        while r is not None and r.level != level:
            r = self.parent(r)
        return r


async def scope_for(session: AsyncSession, user: ConsoleUser) -> Scope:
    regions: dict[int, Region] = {
        r.id: r for r in (await session.scalars(select(Region))).unique().all()}
    if user.role in WHOLE_DISTRICT:
        return Scope(regions, True, None)
    area = next((r for r in regions.values() if r.code == user.area_code), None)
    if area is None or user.role not in ("street", "community") or area.level != user.role:
        return Scope({}, False, None)
    children: dict[int, list[Region]] = {}
    for r in regions.values():
        if r.parent_id is not None:
            children.setdefault(r.parent_id, []).append(r)
    seen: dict[int, Region] = {}
    stack = [area]
    while stack:
        r = stack.pop()
        seen[r.id] = r
        stack.extend(children.get(r.id, []))
    return Scope(seen, False, area)


def describe(user: ConsoleUser, scope: Scope) -> dict[str, Any]:
    return {"area": scope.area.name if scope.area else "全区"}
