"""Routing queries over the example district: places, points, slots, gazetteer, departments."""

from __future__ import annotations

from sqlalchemy import select

from storage import repo
from storage.db import Database
from storage.models import Identity, Person, Region


async def _codes(db: Database, text: str | None, building: str | None) -> tuple[str | None, ...]:
    grid, community = await db.read(lambda s: repo.grid_for_place(s, text, building))
    return (grid.code if grid else None, community.code if community else None)


# one database per test, every case checked: the district import is the slow part
PLACES = [
    ("幸福花园", "3", ("FC-LJ-01", "FC-LJ")),
    ("幸福花园小区", "8号楼", ("FC-LJ-02", "FC-LJ")),          # alias; building with suffix
    ("幸福小区", "１０栋", ("FC-LJ-02", "FC-LJ")),               # full-width digits
    ("幸福小区", None, (None, "FC-LJ")),                        # split place: ask the building
    ("幸福花园", "99", (None, "FC-LJ")),                        # no such building either side
    ("连江社区幸福花园", "2", ("FC-LJ-01", "FC-LJ")),
    ("金港", None, ("FC-LJ-02", "FC-LJ")),                      # one grid: no building needed
    ("金色港湾", "1", ("FC-LJ-02", "FC-LJ")),                   # same building number, own place
    ("连江社区", None, (None, "FC-LJ")),                        # a community alone
    ("连江", "3", (None, "FC-LJ")),
    ("农贸市场", None, ("FC-LJ-03", "FC-LJ")),
    ("凤翔路", None, ("FC-FX-01", "FC-FX")),                    # a place beats the community alias
    ("凤翔", None, (None, "FC-FX")),
    ("锦绣华庭", "b座", ("DC-XC-01", "DC-XC")),
    ("火星基地", "1", (None, None)),
    (None, "1", (None, None)),
]


async def test_grid_for_place(district: Database) -> None:
    wrong = [(text, building, got, expected) for text, building, expected in PLACES
             if (got := await _codes(district, text, building)) != expected]
    assert wrong == []


async def test_inactive_places_are_not_matched(district: Database) -> None:
    async def drop(s):
        for r in (await s.scalars(select(Region).where(Region.code.like("FC-LJ-03%")))).all():
            r.active = False

    await district.run(drop)
    assert await _codes(district, "农贸市场", None) == (None, None)


POINTS = [
    (113.0320, 23.6860, "FC-LJ-01"),
    (113.0375, 23.6870, "FC-LJ-02"),
    (113.0355, 23.6860, "FC-LJ-03"),   # the special market grid inside FC-LJ-02 wins
    (113.0430, 23.6850, "DC-XC-01"),
    (113.0500, 23.7000, None),
    (113.0390, 23.6820, None),         # between grids
]


async def test_grid_for_point(district: Database) -> None:
    async def code(lng: float, lat: float) -> str | None:
        grid = await district.read(lambda s: repo.grid_for_point(s, lng, lat))
        return grid.code if grid else None

    wrong = [(lng, lat, got, expected) for lng, lat, expected in POINTS
             if (got := await code(lng, lat)) != expected]
    assert wrong == []


async def _slot(db: Database, code: str, slot: str) -> str | None:
    async def q(s):
        region = await repo.region_by_code(s, code)
        person = await repo.slot_person(s, region, slot)
        return person.id if person else None

    return await db.read(q)


SLOTS = [
    ("FC-LJ-01", "officer", "zhangwei"),
    ("FC-LJ-01", "leader", "chenjun"),      # a grid's leader is its community's
    ("FC-LJ-01", "police", "zhaogang"),
    ("FC-LJ-01", "property", "wy-xingfu"),
    ("FC-LJ-03", "property", None),
    ("FC-FX-01", "triage", "wujing"),
    ("DC-XC-01", "liaisons", "heyan"),       # liaisons default to the triage list
    ("FC-FX", "leader", "wujing"),
    ("FC", "leader", "wangfang"),
    ("FC-LJ-01", "command_centre", "lihua"),
]


async def test_slot_person_walks_up(district: Database) -> None:
    wrong = [(code, slot, got, expected) for code, slot, expected in SLOTS
             if (got := await _slot(district, code, slot)) != expected]
    assert wrong == []


async def test_community_of(district: Database) -> None:
    async def q(s):
        place = await repo.region_by_code(s, "FC-LJ-02/金色港湾")
        street = await repo.region_by_code(s, "FC")
        return ((await repo.community_of(s, place)).code, await repo.community_of(s, street))

    assert await district.read(q) == ("FC-LJ", None)


async def test_region_by_code_hides_inactive_unless_asked(district: Database) -> None:
    async def drop(s):
        (await repo.region_by_code(s, "FC-FX-01")).active = False

    await district.run(drop)
    assert await district.read(lambda s: repo.region_by_code(s, "FC-FX-01")) is None
    found = await district.read(lambda s: repo.region_by_code(s, "FC-FX-01",
                                                              include_inactive=True))
    assert found is not None and not found.active


async def test_gazetteer_lists_places_and_communities_once(district: Database) -> None:
    entries = dict(await district.read(repo.gazetteer))
    assert entries["连江社区"] == ["连江"]
    assert set(entries["幸福花园"]) == {"幸福小区", "幸福花园小区"}
    assert "连江农贸市场" in entries and "东城小学" in entries
    assert "凤城街道" not in entries and "连江社区第一网格" not in entries
    assert len(entries) == 3 + 7


async def test_people_with_department(district: Database) -> None:
    async def ids(name: str) -> list[str]:
        return [p.id for p in await district.read(
            lambda s: repo.people_with_department(s, name))]

    assert await ids("城管") == ["cg-dispatch"]
    assert await ids("供水") == ["gs-service"]
    assert await ids("城管局") == ["cg-dispatch"]  # contained either way
    assert await ids("物业") == ["wy-xingfu"]
    assert await ids("消防") == [] and await ids("") == []


async def test_person_by_identity(district: Database) -> None:
    async def add_mp(s):
        s.add(Person(id="r-1", roles=["resident"]))
        s.add(Identity(person_id="r-1", channel="mp", external_id="oAbC123"))

    await district.run(add_mp)

    async def who(channel: str, ext: str) -> str | None:
        p = await district.read(lambda s: repo.person_by_identity(s, channel, ext))
        return p.id if p else None

    assert await who("work", "LIHUA") == "lihua"
    assert await who("work", "cg01") == "cg-dispatch"
    assert await who("mp", "oAbC123") == "r-1"
    assert await who("mp", "oabc123") is None  # openids are case-sensitive
    assert await who("mp", "lihua") is None
