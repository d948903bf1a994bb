"""Importing a district file (spec/district.md) into regions, people and WeCom identities.

The import is idempotent and never deletes: regions and people are matched by code/id and
updated in place; those the file no longer lists are deactivated so their tickets keep them.
It runs inside the caller's unit of work and never commits, so a refused file writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.db import Database
from storage.district_file import DistrictError, DistrictFile, PersonSpec, RegionSpec
from storage.district_match import normalize_building
from storage.district_parse import parse_district
from storage.models import Identity, Outbox, Person, Region
from storage.outbox import UNREACHED, release_unreached

logger = logging.getLogger(__name__)

__all__ = ["DistrictError", "ImportReport", "import_district", "import_file", "parse_district",
           "unreachable"]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0

    def __str__(self) -> str:
        return (f"新建 {self.created}，更新 {self.updated}，"
                f"未变 {self.unchanged}，停用 {self.deactivated}")


@dataclass
class ImportReport:
    source: str
    regions: Counts = field(default_factory=Counts)
    people: Counts = field(default_factory=Counts)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deactivated for c in (self.regions, self.people))

    def summary(self) -> str:
        lines = [f"区域：{self.regions}；人员：{self.people}"]
        lines += [f"注意：{w}" for w in self.warnings]
        return "\n".join(lines)


async def import_file(db: Database, path: Path) -> ImportReport:
    """`gridbot district import F`: read the file and import it as one unit of work."""
    # spreadsheet exports often start with a BOM, which TOML does not allow
    text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8-sig")
    report = await db.run(lambda s: import_district(s, text, source=str(path)))
    logger.info("district file %s imported: %s", path, report.summary())
    return report


def shared_compound_names(spec: DistrictFile) -> list[str]:
    """A compound name (or alias) used in two communities (trial 14: 枫桥雅居 A–C in one,
    D–F in another): a message naming it is placed by its building, and one naming no
    building, or a building both list, goes to the district's desk. Said at import, with
    the buildings that cannot tell them apart."""
    seen: dict[str, list[tuple[str, set[str]]]] = {}
    for region, _ in spec.regions():
        if region.level != "community":
            continue
        mine: dict[str, set[str]] = {}
        for grid in region.children:
            for place in grid.places:
                for name in {place.name, *place.aliases}:
                    mine.setdefault(name, set()).update(
                        b for b in (normalize_building(x) for x in place.buildings) if b)
        for name, buildings in mine.items():
            seen.setdefault(name, []).append((region.name, buildings))
    out = []
    for name, where in seen.items():
        if len(where) < 2:
            continue
        both = set.intersection(*(b for _, b in where))
        tail = (f"；两处都有的楼号 {'、'.join(sorted(both))} 分不清，这些消息交区分拨"
                if both else "")
        out.append(f"小区名「{name}」在 {'、'.join(c for c, _ in where)} 都有：居民须说出楼号"
                   f"才能派到对应网格，只说小区名时会追问楼号{tail}")
    return out


async def import_district(session: AsyncSession, text: str, *, source: str = "<file>",
                          now: datetime | None = None) -> ImportReport:
    """Validate `text` whole (DistrictError on the first problem), then upsert it. New bind
    codes are valid from `now` (default: the wall clock)."""
    spec = parse_district(text, source)
    report = ImportReport(source=source)
    report.warnings += shared_compound_names(spec)
    await _import_people(session, spec.people, report, now or utcnow())
    await _import_regions(session, spec, report)
    await session.flush()
    await _release_kept(session, now or utcnow())
    for person, posts in await unreachable(session):
        code = f" {person.bind_code} " if person.bind_code else ""
        report.warnings.append(
            f"{person.name}（{person.id}）担任{'、'.join(posts)}，但没有企业微信账号"
            f"（wecom_userid），也尚未用绑定码{code}绑定公众号，收不到任何通知："
            "派给此人的工单会同时告知社区分拨员和社区书记，"
            "通知保留到绑定后补发")
    return report


SLOT_NAMES = {"officer": "网格员", "police": "社区民警", "property": "物业", "leader": "书记/领导",
              "triage": "分拨员", "liaisons": "联络员", "command_centre": "指挥中心"}


async def unreachable(session: AsyncSession,
                      regions: list[Region] | None = None) -> list[tuple[Person, list[str]]]:
    """Active people named in a slot of an active region (of `regions`, default all), and the
    district's departments, whom no notice can reach: no WeCom identity and no bound Official
    Account. Each with the posts they hold («连江社区第一网格网格员»), in id order."""
    if regions is None:
        regions = list((await session.scalars(select(Region).where(
            Region.active.is_(True)))).all())
    posts: dict[str, list[str]] = {}
    for r in regions:
        if not r.active:
            continue
        for slot, value in (r.slots or {}).items():
            for pid in value if isinstance(value, list) else [value]:
                if isinstance(pid, str):
                    posts.setdefault(pid, []).append(f"{r.name}{SLOT_NAMES.get(slot, slot)}")
    if regions is None or any(r.level == "district" for r in regions):  # the whole district
        for person in (await session.scalars(select(Person).where(
                Person.active.is_(True), Person.from_district_file.is_(True)))).all():
            if person.has_role("department"):  # reached through 转办, not a slot
                posts.setdefault(person.id, []).append(
                    f"部门（{'、'.join(person.departments or []) or '转办'}）")
    if not posts:
        return []
    reached = set((await session.scalars(select(Identity.person_id).where(
        Identity.person_id.in_(list(posts)), Identity.channel.in_(("work", "mp"))))).all())
    people = (await session.scalars(select(Person).where(
        Person.id.in_([pid for pid in posts if pid not in reached]),
        Person.active.is_(True)).order_by(Person.id))).all()
    return [(p, list(dict.fromkeys(posts[p.id]))) for p in people]


async def _release_kept(session: AsyncSession, at: datetime) -> None:
    """Notices kept for someone with no channel go out once the file gives them a WeCom id."""
    waiting = set((await session.scalars(select(Outbox.person_id).where(
        Outbox.state == UNREACHED))).all())
    if not waiting:
        return
    for pid, ext in (await session.execute(select(Identity.person_id, Identity.external_id)
                                           .where(Identity.channel == "work",
                                                  Identity.person_id.in_(waiting)))).all():
        await release_unreached(session, pid, "work", ext, at)


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


async def _import_people(session: AsyncSession, people: list[PersonSpec],
                         report: ImportReport, now: datetime) -> None:
    ids = [p.id for p in people]
    existing = {p.id: p for p in (await session.scalars(select(Person).where(
        or_(Person.id.in_(ids), Person.from_district_file.is_(True))))).all()}
    codes = [p.bind_code for p in people if p.bind_code]
    used: dict[str, set[str]] = {}  # bind code → people who already used it
    for pid, code in (await session.execute(select(Person.id, Person.bind_code).where(
            Person.bind_code_used.is_(True), Person.bind_code.in_(codes)))).all():
        used.setdefault(code, set()).add(pid)

    touched: set[str] = set()
    objs: dict[str, Person] = {}
    for spec in people:
        values = {"name": spec.name, "roles": spec.roles, "phone": spec.phone,
                  "departments": spec.departments, "active": True, "from_district_file": True}
        used_by_other = bool(used.get(spec.bind_code or "", set()) - {spec.id})
        if used_by_other:
            report.warnings.append(f"{spec.id} 的绑定码 {spec.bind_code} 已被别人用过，"
                                   "仍算已用：请另发一个新的绑定码")
        person = existing.get(spec.id)
        if person is None:
            person = Person(id=spec.id, bind_code=spec.bind_code,
                            bind_code_used=used_by_other,
                            bind_code_set_at=now if spec.bind_code else None, **values)
            session.add(person)
            report.people.created += 1
        else:
            changed = _apply(person, values)
            if _bind_code(person, spec.bind_code, used_by_other, now) or changed:
                touched.add(spec.id)
        objs[spec.id] = person
    touched |= await _import_identities(session, people, objs)

    for person in existing.values():
        if person.id in objs:
            if person.id in touched:
                report.people.updated += 1
            else:
                report.people.unchanged += 1
        elif person.from_district_file and person.active:
            person.active = False
            report.people.deactivated += 1


def _bind_code(person: Person, code: str | None, used_by_other: bool, now: datetime) -> bool:
    """Apply the file's bind code; a code already used stays used (never revived)."""
    if code == person.bind_code:
        return False
    if code is None and person.bind_code_used:
        return False  # keep the record that this person bound with it
    person.bind_code = code
    person.bind_code_used = used_by_other
    person.bind_code_set_at = now if code else None  # the code's validity counts from now
    return True


async def _import_identities(session: AsyncSession, people: list[PersonSpec],
                             objs: dict[str, Person]) -> set[str]:
    """Give each person the work identity of their wecom_userid; return whose changed.

    Rows keep their external_id (only their owner changes, or a stale row of the same person
    is renamed), so no UPDATE can collide with the (channel, external_id) unique constraint.
    """
    wanted = {p.wecom_userid.lower(): p.id for p in people if p.wecom_userid}
    rows = (await session.scalars(select(Identity).where(
        Identity.channel == "work",
        or_(Identity.person_id.in_(list(objs)), Identity.external_id.in_(list(wanted)))))).all()
    by_ext = {r.external_id: r for r in rows}
    stale: dict[str, list[Identity]] = {}
    for r in rows:
        if r.external_id not in wanted and r.person_id in objs:
            stale.setdefault(r.person_id, []).append(r)
    touched: set[str] = set()
    for ext, pid in wanted.items():
        row = by_ext.get(ext)
        if row is not None:
            if row.person_id != pid:
                touched |= {pid, row.person_id}
                row.person = objs[pid]
            continue
        touched.add(pid)
        if stale.get(pid):
            stale[pid].pop().external_id = ext
        else:
            session.add(Identity(person=objs[pid], channel="work", external_id=ext))
    for pid, left in stale.items():
        for r in left:
            touched.add(pid)
            await session.delete(r)
    return touched


async def _import_regions(session: AsyncSession, spec: DistrictFile,
                          report: ImportReport) -> None:
    existing = {r.code: r for r in (await session.scalars(select(Region))).all()}
    code_of = {r.id: r.code for r in existing.values()}
    seen: dict[str, Region] = {}

    def upsert(code: str, parent: Region | None, values: dict[str, Any]) -> Region:
        region = existing.get(code)
        if region is None:
            region = Region(code=code, parent=parent, **values)
            session.add(region)
            report.regions.created += 1
        else:
            changed = _apply(region, values)
            parent_code = parent.code if parent is not None else None
            if code_of.get(region.parent_id) != parent_code:  # type: ignore[arg-type]
                region.parent = parent
                changed = True
            if changed:
                report.regions.updated += 1
            else:
                report.regions.unchanged += 1
        seen[code] = region
        return region

    for r, parent in spec.regions():
        region = upsert(r.code, seen[parent.code] if parent else None, _region_values(r))
        for place in r.places:
            upsert(place.code, region, {
                "name": place.name, "level": "place", "aliases": place.aliases,
                "polygon": None, "grid_kind": None, "buildings": place.buildings,
                "slots": {}, "active": True,
            })
    for region in existing.values():
        if region.code not in seen and region.active:
            region.active = False
            report.regions.deactivated += 1


def _region_values(r: RegionSpec) -> dict[str, Any]:
    return {"name": r.name, "level": r.level, "aliases": r.aliases, "polygon": r.polygon,
            "grid_kind": r.grid_kind, "buildings": [], "slots": r.slots, "active": True}
