"""Small queries over regions, people and ticket codes. They take a session and never commit."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import codes, dialect, district_model, fast
from storage.district_match import MIN_MATCH, normalize_building
from storage.models import Identity, Person, Region, TicketSequence

logger = logging.getLogger(__name__)

__all__ = ["MIN_MATCH", "normalize_building"]  # kept here for their callers


async def person_by_identity(session: AsyncSession, channel: str,
                             external_id: str) -> Person | None:
    """The person behind an MP openid or a WeCom userid (userids match case-insensitively)."""
    if channel == "work":
        external_id = external_id.lower()
    return await session.scalar(select(Person).join(Identity).where(
        Identity.channel == channel, Identity.external_id == external_id))


async def region_by_code(session: AsyncSession, code: str, *,
                         include_inactive: bool = False) -> Region | None:
    stmt = select(Region).where(Region.code == code)
    if not include_inactive:
        stmt = stmt.where(Region.active.is_(True))
    return await session.scalar(stmt)


# The district's read model answers these (storage.district_model): no SQL per report.

async def community_of(session: AsyncSession, region: Region | None) -> Region | None:
    """The community a grid or place belongs to (a community is its own)."""
    return await district_model.of(session).community_of(session, region)


async def slot_person(session: AsyncSession, region: Region | None, slot: str) -> Person | None:
    """Whoever fills `slot` nearest to `region`, walking up: a grid's `leader` is its
    community's, `triage` and `command_centre` lists give their first active member."""
    return await district_model.of(session).slot_person(session, region, slot)


async def grid_for_place(session: AsyncSession, community_text: str | None,
                         building: str | None) -> tuple[Region | None, Region | None]:
    """(grid, community) for a place or community named in a message.

    A place split over grids needs the building to pick one: without it the answer is
    (None, community) so the caller can ask for the building; so is a community name alone.
    """
    return await district_model.of(session).grid_for_place(session, community_text, building)


async def grid_for_point(session: AsyncSession, lng: float, lat: float) -> Region | None:
    """The grid whose polygon holds the point; a special grid wins, then the smallest."""
    return await district_model.of(session).grid_for_point(session, lng, lat)


async def district_fresh(session: AsyncSession) -> None:
    """Bring the worker's district read model up to date now, if the district changed (an
    import or a console edit): its listeners (the analyser's gazetteer) hear of it before the
    message is read. Costs nothing between checks."""
    await district_model.of(session).fresh(session)


async def only_grid_of(session: AsyncSession, person_id: str) -> Region | None:
    """The one grid where `person_id` is the officer, if exactly one."""
    return await district_model.of(session).only_grid_of(session, person_id)


async def is_compound(session: AsyncSession, name: str | None) -> bool:
    """Whether `name` names a compound (a place) of the district, not only a community."""
    return await district_model.of(session).is_compound(session, name)


async def gazetteer(session: AsyncSession) -> list[tuple[str, list[str]]]:
    """Active places and communities as (canonical name, aliases) for the NLP gazetteer."""
    return await district_model.of(session).gazetteer(session)


async def people_with_department(session: AsyncSession, name: str,
                                 near: Iterable[int] = ()) -> list[Person]:
    """Active people whose `departments` name `name` (exact, else contained either way);
    with `near`, those serving other regions only are left out (DistrictModel)."""
    return await district_model.of(session).people_with_department(session, name, near)


async def department_names(session: AsyncSession) -> list[str]:
    return await district_model.of(session).department_names(session)


async def departments_elsewhere(session: AsyncSession,
                                name: str) -> list[tuple[Person, list[Region]]]:
    return await district_model.of(session).departments_elsewhere(session, name)


async def triage_people(session: AsyncSession, community: Region | None) -> list[Person]:
    """The community's triage list, else the district's."""
    return await district_model.of(session).triage_people(session, community)


PROVISIONAL = "~"  # marks a stand-in code: GD20261122-~1a2b3c4d


def provisional_code(day: date) -> str:
    """A stand-in for the code of a ticket being made, replaced by its real code when the
    ticket is written (`settle_code`, from storage.repos.tickets.flush_new). The daily
    counter's row is then locked only for the few statements before the commit instead of
    the whole unit, which concurrent units on PostgreSQL wait for in turn. Unique, and at
    least as long as a real code, so a text cut to a byte limit still fits after it."""
    return f"GD{day:%Y%m%d}-{PROVISIONAL}{secrets.token_hex(4)}"


def is_provisional(code: str | None) -> bool:
    return code is not None and PROVISIONAL in code


async def settle_code(session: AsyncSession, code: str) -> str:
    """The real code for the stand-in `code` (the next of its day's sequence)."""
    day = date(int(code[2:6]), int(code[6:8]), int(code[8:10]))
    return await next_ticket_code(session, day)


async def next_ticket_code(session: AsyncSession, day: date) -> str:
    """GD + yyyymmdd + '-' + a district-wide daily sequence (one atomic upsert). On
    PostgreSQL from the worker's reserved block (storage.codes) when it has one: a unit that
    locked the day's row here would stall a reservation of its own burst."""
    key = day.strftime("%Y%m%d")
    blocks = session.info.get(codes.INFO_KEY)
    if blocks is not None:
        return await blocks.take(key)  # type: ignore[no-any-return]
    stmt = _SEQUENCE.get(dialect.name(session))
    if stmt is None:  # built once per dialect: building costs more than running it
        stmt = dialect.insert(session, TicketSequence).values(day=bindparam("day"), last=1)
        stmt = _SEQUENCE[dialect.name(session)] = stmt.on_conflict_do_update(
            index_elements=[TicketSequence.day], set_={"last": TicketSequence.last + 1},
        ).returning(TicketSequence.last)
    # on the cursor, not the ORM: no autoflush or ORM bookkeeping for a counter row
    seq = (await fast.execute(session, stmt, {"day": key}))[0][0]
    return f"GD{key}-{seq:04d}"


_SEQUENCE: dict[str, Any] = {}


async def example_place(session: AsyncSession) -> str | None:
    """A place of this district with a building, as a person would write it (for prompts)."""
    rows = (await district_model.of(session).fresh(session)).active("place")
    for r in rows:
        if r.buildings:
            building = str(r.buildings[min(2, len(r.buildings) - 1)])
            return f"{r.name}{building}{'号楼' if building.isdigit() else '座'}"
    return rows[0].name if rows else None


async def staff_named(session: AsyncSession, text: str | None = None) -> list[Person]:
    """Active staff, for finding a person named in a message (from the read model). With
    `text`, only those whose surname (first character) occurs in it: every one a full name or
    「姓钱的」 in `text` can name, and no other attached to the session."""
    return await district_model.of(session).staff(
        session, {"officer", "liaison", "leader", "department"},
        within=text)


async def regions_with(session: AsyncSession, person_id: str) -> list[Region]:
    """Regions whose slots name `person_id` (as officer, leader, liaison, triage…)."""
    snap = await district_model.of(session).fresh(session)
    rows = district_model.merged(session, sorted(
        (r for r in snap.regions.values() if r.active), key=lambda r: r.id))
    found = []
    for r in rows:
        for value in (r.slots or {}).values():
            if value == person_id or (isinstance(value, list) and person_id in value):
                found.append(r)
                break
    return found
