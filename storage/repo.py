"""Small queries over regions, people and ticket codes. They take a session and never commit."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date

from shapely.geometry import Point, Polygon
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nlp.normalize import to_halfwidth
from storage import dialect
from storage.models import Identity, Person, Region, TicketSequence

logger = logging.getLogger(__name__)

MIN_MATCH = 2  # a shorter overlap (one character) matches too much to mean anything
_BUILDING_SUFFIX = re.compile(r"(号楼|号|栋|幢|座|楼)$")


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


async def _parent(session: AsyncSession, region: Region) -> Region | None:
    # session.get reads the identity map first: no lazy load in async code
    return await session.get(Region, region.parent_id) if region.parent_id else None


async def community_of(session: AsyncSession, region: Region | None) -> Region | None:
    """The community a grid or place belongs to (a community is its own)."""
    while region is not None and region.level != "community":
        if region.level in ("district", "street"):
            return None
        region = await _parent(session, region)
    return region


async def slot_person(session: AsyncSession, region: Region | None, slot: str) -> Person | None:
    """Whoever fills `slot` nearest to `region`, walking up: a grid's `leader` is its
    community's, `triage` and `command_centre` lists give their first active member."""
    while region is not None:
        value = (region.slots or {}).get(slot)
        ids = value if isinstance(value, list) else [value] if value else []
        for pid in ids:
            person = await session.get(Person, pid)
            if person is not None and person.active:
                return person
        region = await _parent(session, region)
    return None


def normalize_building(text: str | None) -> str | None:
    """'３号楼', '3栋', '3' → '3'; letters upper-cased ('a座' → 'A')."""
    if not text:
        return None
    value = to_halfwidth(text.strip()).upper()
    value = _BUILDING_SUFFIX.sub("", value).strip()
    return value or None


def _overlap(text: str, names: Iterable[str]) -> int:
    """How much of a name the text covers: exact or contained either way, longest wins."""
    best = 0
    for name in names:
        if not name:
            continue
        if name == text:
            score = len(name) + 1000  # an exact match beats any containment
        elif name in text:
            score = len(name)
        elif text in name:
            score = len(text)
        else:
            continue
        if score >= MIN_MATCH:
            best = max(best, score)
    return best


async def _active(session: AsyncSession, *levels: str) -> list[Region]:
    return list((await session.scalars(select(Region).where(
        Region.level.in_(levels), Region.active.is_(True)).order_by(Region.id))).unique().all())


async def grid_for_place(session: AsyncSession, community_text: str | None,
                         building: str | None) -> tuple[Region | None, Region | None]:
    """(grid, community) for a place or community named in a message.

    A place split over grids needs the building to pick one: without it the answer is
    (None, community) so the caller can ask for the building; so is a community name alone.
    """
    text = (community_text or "").strip()
    if not text:
        return None, None
    regions = await _active(session, "community", "grid", "place")
    by_id = {r.id: r for r in regions}
    communities = [r for r in regions if r.level == "community"]
    # places with the same name in one community are one compound split across grids
    groups: dict[tuple[int, str], list[Region]] = {}
    for r in regions:
        grid = by_id.get(r.parent_id) if r.level == "place" else None  # type: ignore[arg-type]
        if grid is not None and grid.parent_id in by_id:
            groups.setdefault((grid.parent_id, r.name), []).append(r)  # type: ignore[arg-type]

    # "连江社区幸福花园": the community named in the text narrows the place to look for
    inside = [(len(n), n, c) for c in communities for n in [c.name, *(c.aliases or [])]
              if n and n in text]
    if inside:
        _, name, community = max(inside, key=lambda t: t[0])
        rest = text.replace(name, "", 1).strip()
        if len(rest) >= MIN_MATCH:
            found = _best({k: v for k, v in groups.items() if k[0] == community.id}, rest)
            if found:
                return _pick(groups[found], building, by_id)

    found = _best(groups, text)
    place_score = _overlap(text, _names(groups[found])) if found else 0
    scored = [(_overlap(text, [c.name, *(c.aliases or [])]), c) for c in communities]
    best_c = max((s for s, _ in scored), default=0)
    if found and place_score >= best_c:  # a place is the more precise answer on a tie
        return _pick(groups[found], building, by_id)
    named = [c for s, c in scored if s and s == best_c]
    if len(named) == 1:
        return None, named[0]
    return None, None


def _names(rows: list[Region]) -> list[str]:
    return [rows[0].name, *(a for r in rows for a in (r.aliases or []))]


def _best(groups: dict[tuple[int, str], list[Region]], text: str) -> tuple[int, str] | None:
    """The one place group that matches `text` best, or None when none or several tie."""
    scored = [(_overlap(text, _names(rows)), key) for key, rows in groups.items()]
    top = max((s for s, _ in scored), default=0)
    keys = [key for s, key in scored if s and s == top]
    if len(keys) == 1:
        return keys[0]
    return None


def _pick(places: list[Region], building: str | None,
          by_id: dict[int, Region]) -> tuple[Region | None, Region | None]:
    grids = [by_id[p.parent_id] for p in places if p.parent_id in by_id]
    community = by_id.get(grids[0].parent_id) if grids else None  # type: ignore[arg-type]
    wanted = normalize_building(building)
    if wanted is not None:
        for place, grid in zip(places, grids, strict=True):
            if wanted in {normalize_building(b) for b in place.buildings or []}:
                return grid, community
    if len(grids) == 1:
        return grids[0], community
    return None, community


async def grid_for_point(session: AsyncSession, lng: float, lat: float) -> Region | None:
    """The grid whose polygon holds the point; a special grid wins, then the smallest."""
    point = Point(lng, lat)
    hits: list[tuple[bool, float, Region]] = []
    for grid in await _active(session, "grid"):
        if not grid.polygon:
            continue
        shape = Polygon(grid.polygon)
        if shape.covers(point):
            hits.append((grid.grid_kind != "special", shape.area, grid))
    if not hits:
        return None
    hits.sort(key=lambda h: (h[0], h[1]))
    return hits[0][2]


async def gazetteer(session: AsyncSession) -> list[tuple[str, list[str]]]:
    """Active places and communities as (canonical name, aliases) for the NLP gazetteer."""
    names: dict[str, list[str]] = {}
    for r in await _active(session, "community", "place"):
        aliases = names.setdefault(r.name, [])
        aliases += [a for a in r.aliases or [] if a not in aliases and a != r.name]
    return list(names.items())


async def people_with_department(session: AsyncSession, name: str) -> list[Person]:
    """Active people whose `departments` name `name` (exact, else contained either way)."""
    name = name.strip()
    if not name:
        return []
    people = [p for p in (await session.scalars(select(Person).where(
        Person.active.is_(True), Person.from_district_file.is_(True)).order_by(Person.id)))
        .unique().all() if p.departments]
    exact = [p for p in people if name in p.departments]
    if exact:
        return exact
    return [p for p in people if any(name in d or d in name for d in p.departments)]


async def next_ticket_code(session: AsyncSession, day: date) -> str:
    """GD + yyyymmdd + '-' + a district-wide daily sequence (one atomic upsert)."""
    key = day.strftime("%Y%m%d")
    stmt = dialect.insert(session, TicketSequence).values(day=key, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[TicketSequence.day], set_={"last": TicketSequence.last + 1},
    ).returning(TicketSequence.last)
    seq = (await session.execute(stmt)).scalar_one()
    return f"GD{key}-{seq:04d}"


async def triage_people(session: AsyncSession, community: Region | None) -> list[Person]:
    """The community's triage list, else the district's."""
    ids: list[str] = []
    if community is not None:
        ids = list((community.slots or {}).get("triage") or [])
    if not ids:
        district = await session.scalar(select(Region).where(Region.level == "district",
                                                             Region.active.is_(True)))
        if district is not None:
            slots = district.slots or {}
            ids = list(slots.get("triage") or slots.get("command_centre") or [])
    people = [await session.get(Person, pid) for pid in ids]
    return [p for p in people if p is not None and p.active]


async def example_place(session: AsyncSession) -> str | None:
    """A place of this district with a building, as a person would write it (for prompts)."""
    rows = (await session.scalars(select(Region).where(
        Region.level == "place", Region.active.is_(True)).order_by(Region.id))).all()
    for r in rows:
        if r.buildings:
            building = str(r.buildings[min(2, len(r.buildings) - 1)])
            return f"{r.name}{building}{'号楼' if building.isdigit() else '座'}"
    return rows[0].name if rows else None


async def staff_named(session: AsyncSession) -> list[Person]:
    """Active staff, for finding a person named in a message."""
    rows = (await session.scalars(select(Person).where(Person.active.is_(True)))).all()
    return [p for p in rows if p.name and set(p.roles or []) & {
        "officer", "liaison", "leader", "department"}]


async def regions_with(session: AsyncSession, person_id: str) -> list[Region]:
    """Regions whose slots name `person_id` (as officer, leader, liaison, triage…)."""
    rows = (await session.scalars(select(Region).where(Region.active.is_(True)))).all()
    found = []
    for r in rows:
        for value in (r.slots or {}).values():
            if value == person_id or (isinstance(value, list) and person_id in value):
                found.append(r)
                break
    return found
