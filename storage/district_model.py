"""The district's read model: regions, places and their aliases, buildings, polygons, people,
their channels and slots, and the gazetteer, held in memory per worker.

The district changes only when a file is imported or the console edits it, yet every report
needs it (where is it, who handles it, how to reach them). So each worker keeps one
`DistrictModel`, and routing asks it instead of the database. Freshness:
- any flush that touches a region, a staff member or a staff member's channel bumps the row of
  `district_versions` in the same transaction (`storage.district_watch`), and, once it commits,
  this process's generation, so models here reload on their next use;
- other workers read that version at most every `check_seconds` (one indexed one-row SELECT
  inside the unit that happens to need the model), and reload when it moved.
Each load is told to the model's `listeners` (the worker's analyser takes the new gazetteer).
Objects handed to callers are copies registered in the caller's session as if loaded there
(`_attach`): no SQL, and the caller can use them as ORM instances (assign a ticket to a person).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from shapely.geometry import Point, Polygon
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import instance_state

from storage import district_match as match
from storage import district_watch as watch
from storage.models import DistrictVersion, Identity, Person, Region

logger = logging.getLogger(__name__)

Row = TypeVar("Row", Region, Person)
STAFF_CHANNEL_FIRST = ("work", "mp")
RESIDENT_CHANNEL_FIRST = ("mp", "work")


@dataclass
class Snapshot:
    """One loaded copy of the district (detached ORM objects, never modified)."""

    regions: dict[int, Region] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)  # staff and district-file people
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)  # person → channel → id
    shapes: list[tuple[Region, Polygon]] = field(default_factory=list)
    gazetteer: list[tuple[str, list[str]]] = field(default_factory=list)

    _active: dict[tuple[str, ...], list[Region]] = field(default_factory=dict)
    _places: match.Index | None = None
    _slot_regions: dict[str, set[int]] | None = None
    _staff: dict[frozenset[str], list[Person]] = field(default_factory=dict)
    # the same lists by the first character of each name: (first character → [(position, p)])
    _initials: dict[frozenset[str], dict[str, list[tuple[int, Person]]]] = field(
        default_factory=dict)

    def active(self, *levels: str) -> list[Region]:
        """Active regions of `levels` (a snapshot never changes: each list is made once)."""
        found = self._active.get(levels)
        if found is None:
            found = self._active[levels] = [r for r in self.regions.values()
                                            if r.active and r.level in levels]
        return list(found)

    def places(self) -> match.Index:
        """The active communities, grids and places indexed for matching a place's name."""
        if self._places is None:
            self._places = match.Index(self.active("community", "grid", "place"))
        return self._places


class DistrictModel:
    """The one interface routing uses for the district. Methods take the caller's session
    (to attach what they return, and to check freshness) and never commit."""

    def __init__(self, check_seconds: float = 5.0) -> None:
        self.check_seconds = check_seconds
        self.version: int | None = None
        self.generation = -1
        self.checked_at = float("-inf")
        self.loads = 0
        self.snap = Snapshot()
        # called with each new snapshot once it serves (the analyser's gazetteer: bot.app)
        self.listeners: list[Callable[[Snapshot], None]] = []

    # freshness ----------------------------------------------------------------------------
    async def fresh(self, session: AsyncSession) -> Snapshot:
        now = time.monotonic()
        local = watch.generation()
        if self.generation == local and now - self.checked_at < self.check_seconds:
            return self.snap
        with session.sync_session.no_autoflush:  # a pending ticket stays one INSERT
            version = await session.scalar(select(DistrictVersion.version)
                                           .where(DistrictVersion.id == 1))
        self.checked_at = now
        if version != self.version or self.generation != local:
            await self._load(session)
            self.version, self.generation = version, local
        return self.snap

    def stale(self) -> None:
        """Check the database on next use (tests, and a worker told by its operator)."""
        self.checked_at = float("-inf")

    async def _load(self, session: AsyncSession) -> None:
        # a session of its own on the caller's connection (same transaction, same snapshot):
        # the loaded objects are then expunged and never shared with a caller's session
        conn = await session.connection()
        async with AsyncSession(bind=conn, expire_on_commit=False, autoflush=False) as own:
            regions = list((await own.scalars(select(Region).order_by(Region.id))).all())
            people = list((await own.scalars(select(Person).where(
                Person.active.is_(True)).order_by(Person.id))).unique().all())
            people = [p for p in people if p.from_district_file or watch.is_staff(p)]
            ids = {p.id for p in people}
            idents = [i for i in (await own.scalars(select(Identity).where(
                Identity.person_id.in_(ids)))).unique().all()] if ids else []
            own.expunge_all()
        snap = Snapshot(regions={r.id: r for r in regions}, people={p.id: p for p in people})
        for ident in idents:
            snap.contacts.setdefault(ident.person_id, {})[ident.channel] = ident.external_id
        snap.shapes = [(g, Polygon(g.polygon)) for g in snap.active("grid") if g.polygon]
        names: dict[str, list[str]] = {}
        for r in snap.active("community", "place"):
            aliases = names.setdefault(r.name, [])
            aliases += [a for a in r.aliases or [] if a not in aliases and a != r.name]
        snap.gazetteer = list(names.items())
        watch.remember_people(ids)
        self.snap = snap
        self.loads += 1
        logger.info("district model loaded: %d regions, %d people", len(regions), len(people))
        for listener in list(self.listeners):
            try:
                listener(snap)
            except Exception:  # a listener's fault must not fail the unit that loaded
                logger.exception("district model listener %r failed", listener)

    # queries ------------------------------------------------------------------------------
    async def grid_for_place(self, session: AsyncSession, community_text: str | None,
                             building: str | None) -> tuple[Region | None, Region | None]:
        """(grid, community) for a place or community named in a message; a place split
        over grids needs the building (else (None, community), so the caller can ask)."""
        snap = await self.fresh(session)
        grid, community = match.grid_for_place(snap.places(), community_text, building)
        return _attach(session, grid), _attach(session, community)

    async def grid_for_point(self, session: AsyncSession, lng: float,
                             lat: float) -> Region | None:
        """The grid whose polygon holds the point; a special grid wins, then the smallest."""
        snap = await self.fresh(session)
        point = Point(lng, lat)
        hits = [(g.grid_kind != "special", shape.area, g.id, g) for g, shape in snap.shapes
                if shape.covers(point)]
        return _attach(session, min(hits)[3]) if hits else None

    async def active_grids(self, session: AsyncSession) -> list[Region]:
        """The active grids, in id order, attached to the caller's session."""
        snap = await self.fresh(session)
        return [_attach(session, g) for g in snap.active("grid")]  # type: ignore[misc]

    async def region(self, session: AsyncSession, region_id: int | None) -> Region | None:
        snap = await self.fresh(session)
        return _attach(session, snap.regions.get(region_id)) if region_id else None

    async def community_of(self, session: AsyncSession,
                           region: Region | None) -> Region | None:
        """The community a grid or place belongs to (a community is its own)."""
        snap = await self.fresh(session)
        node = snap.regions.get(region.id) if region is not None else None
        while node is not None and node.level != "community":
            if node.level in ("district", "street"):
                return None
            node = snap.regions.get(node.parent_id) if node.parent_id else None
        return _attach(session, node)

    async def slot_person(self, session: AsyncSession, region: Region | None,
                          slot: str) -> Person | None:
        """Whoever fills `slot` nearest to `region`, walking up: a grid's `leader` is its
        community's; `triage` and `command_centre` lists give their first active member."""
        snap = await self.fresh(session)
        node = snap.regions.get(region.id) if region is not None else None
        while node is not None:
            for pid in _ids((node.slots or {}).get(slot)):
                if pid in snap.people:
                    return _attach(session, snap.people[pid])
            node = snap.regions.get(node.parent_id) if node.parent_id else None
        return None

    async def triage_people(self, session: AsyncSession,
                            community: Region | None) -> list[Person]:
        """The community's triage list, else the district's (or its command centre)."""
        snap = await self.fresh(session)
        node = snap.regions.get(community.id) if community is not None else None
        ids = _ids((node.slots or {}).get("triage")) if node is not None else []
        if not ids:
            district = next((r for r in snap.active("district")), None)
            slots = district.slots or {} if district is not None else {}
            ids = _ids(slots.get("triage") or slots.get("command_centre"))
        return [_attach(session, snap.people[p]) for p in ids if p in snap.people]

    async def people_with_department(self, session: AsyncSession, name: str,
                                     near: Iterable[int] = ()) -> list[Person]:
        """Active district people whose `departments` name `name` (exact, else contained),
        or whose name is `name` (the department picked by its full name).

        With `near` (the ids of the ticket's grid, community, street): a match that holds a
        slot in one of them comes first, and a match holding slots only in other regions
        (another compound's property company) is left out, so a `转办 … 物业` never lands
        at a company that does not serve the ticket's place. Matches holding no slot anywhere
        (a district-wide 城管) stay."""
        name = name.strip()
        if not name:
            return []
        snap = await self.fresh(session)
        people = [p for p in snap.people.values() if p.from_district_file and p.departments]
        named = [p for p in people if p.name == name]
        exact = [p for p in people if name in p.departments]
        found = named or exact or [p for p in people if any(name in d or d in name
                                                            for d in p.departments)]
        near = set(near)
        if near and not named:
            held = self.slot_regions(snap)
            here = [p for p in found if held.get(p.id, set()) & near]
            anywhere = [p for p in found if not held.get(p.id)]
            found = here + anywhere
        return [_attach(session, p) for p in found]

    async def department_names(self, session: AsyncSession) -> list[str]:
        """Every department name the district file gives, in file order of first use."""
        snap = await self.fresh(session)
        names: dict[str, None] = {}
        for p in sorted(snap.people.values(), key=lambda p: p.id):
            if p.from_district_file and p.active:
                names.update((d, None) for d in p.departments or [])
        return list(names)

    async def departments_elsewhere(self, session: AsyncSession,
                                    name: str) -> list[tuple[Person, list[Region]]]:
        """The matches of `name` and the regions where they hold a slot (for the reply when
        none of them serves a ticket's place)."""
        snap = await self.fresh(session)
        held = self.slot_regions(snap)
        found = await self.people_with_department(session, name)
        return [(p, sorted((snap.regions[r] for r in held.get(p.id, ())), key=lambda r: r.id))
                for p in found]

    async def only_grid_of(self, session: AsyncSession, person_id: str) -> Region | None:
        """The one active grid where `person_id` is the officer (None for none or several)."""
        snap = await self.fresh(session)
        grids = [snap.regions[r] for r in self.slot_regions(snap).get(person_id, ())
                 if snap.regions[r].level == "grid"
                 and person_id in _ids((snap.regions[r].slots or {}).get("officer"))]
        return _attach(session, grids[0]) if len(grids) == 1 else None  # type: ignore[return-value]

    @staticmethod
    def slot_regions(snap: Snapshot) -> dict[str, set[int]]:
        """Person id → ids of the active regions where they hold any slot (made once)."""
        if snap._slot_regions is None:
            held: dict[str, set[int]] = {}
            for region in snap.regions.values():
                if not region.active:
                    continue
                for value in (region.slots or {}).values():
                    for pid in value if isinstance(value, list) else [value]:
                        if isinstance(pid, str):
                            held.setdefault(pid, set()).add(region.id)
            snap._slot_regions = held
        return snap._slot_regions

    async def staff(self, session: AsyncSession, roles: set[str],
                    within: str | None = None) -> list[Person]:
        """Active people holding any of `roles`, in id order; with `within`, only those whose
        name's first character occurs in it (the others are not attached: a copy each)."""
        snap = await self.fresh(session)
        key = frozenset(roles)
        found = snap._staff.get(key)
        if found is None:  # once per snapshot and set of roles
            found = snap._staff[key] = [p for p in sorted(snap.people.values(),
                                                          key=lambda p: p.id)
                                        if p.name and set(p.roles or []) & roles]
            initials: dict[str, list[tuple[int, Person]]] = {}
            for i, p in enumerate(found):
                initials.setdefault(p.name[0], []).append((i, p))
            snap._initials[key] = initials
        if within is None:
            return [_attach(session, p) for p in found]
        # each message asks this (a complaint may name a staff member): the characters it
        # holds are looked up, not every name's first character read off its ORM object
        initials = snap._initials[key]
        picked = sorted(entry for c in set(within) & initials.keys() for entry in initials[c])
        return [_attach(session, p) for _, p in picked]

    async def contact(self, session: AsyncSession, person: Person,
                      staff: bool) -> tuple[str, str] | None:
        """(channel, external id) to reach a person the model knows; None when it does not
        know them (residents: ask the database)."""
        snap = await self.fresh(session)
        if person.id not in snap.people:
            return None
        channels = snap.contacts.get(person.id, {})
        for channel in STAFF_CHANNEL_FIRST if staff else RESIDENT_CHANNEL_FIRST:
            if channel in channels:
                return channel, channels[channel]
        return "", ""  # known, and no channel at all

    async def is_compound(self, session: AsyncSession, name: str | None) -> bool:
        """Whether `name` is a place's (a compound's) name or alias, not only a community's."""
        if not name:
            return False
        snap = await self.fresh(session)
        return any(name in names for names in snap.places().names.values())

    async def gazetteer(self, session: AsyncSession) -> list[tuple[str, list[str]]]:
        """Active places and communities as (canonical name, aliases) for the NLP gazetteer."""
        return (await self.fresh(session)).gazetteer


def _ids(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def _attach(session: AsyncSession, obj: Row | None) -> Row | None:
    """The caller's own instance of a cached object, as if the caller had loaded it: its
    identity map's first, else a new instance with the cached object's column values,
    registered as persistent and unmodified. No SQL, and none of `merge`'s work (a merge
    walks every property and relationship cascade to copy what a snapshot already knows is
    plain column data); relationships stay unloaded, as after a merge without load."""
    if obj is None:
        return None
    state = instance_state(obj)
    key = state.key  # a loaded, detached object keeps its identity key
    sync = session.sync_session
    existing = sync.identity_map.get(key) if key is not None else None
    if existing is not None:
        return existing  # type: ignore[return-value]
    if key is None:  # never loaded (not from a snapshot): the general way
        return sync.merge(obj, load=False)
    mapper = state.mapper
    copy = mapper.class_manager.new_instance()
    copied = instance_state(copy)
    source, target = state.dict, copy.__dict__
    for name in _columns(mapper):
        if name in source:
            target[name] = source[name]  # values a snapshot never changes: shared, as merge does
    copied.key = key
    sync._update_impl(copied)  # noqa: SLF001 - what merge(load=False) does to register it
    copied._commit_all(target, sync.identity_map)  # noqa: SLF001 - loaded, nothing changed
    return copy  # type: ignore[return-value]


_COLUMNS: dict[object, tuple[str, ...]] = {}


def _columns(mapper: object) -> tuple[str, ...]:
    found = _COLUMNS.get(mapper)
    if found is None:
        found = _COLUMNS[mapper] = tuple(p.key for p in mapper.column_attrs)  # type: ignore[attr-defined]
    return found


def of(session: AsyncSession) -> DistrictModel:
    """The model this session's database keeps; a throwaway one for a bare session."""
    model = session.info.get("district")
    if model is None:
        model = DistrictModel(check_seconds=0)
    return model


def merged(session: AsyncSession, rows: Iterable[Row]) -> list[Row]:
    return [_attach(session, r) for r in rows]  # type: ignore[misc]
