"""Importing the district file: what lands in the database, idempotence, edits, bind codes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage import repo
from storage.db import Database
from storage.district import import_district, import_file
from storage.models import Identity, Person, Region, Ticket
from tests.support.storage import EXAMPLE, EXAMPLE_PATH, count


async def _region(db: Database, code: str) -> Region:
    return await db.read(lambda s: s.scalar(select(Region).where(Region.code == code)))


async def _person(db: Database, pid: str) -> Person:
    return await db.read(lambda s: s.get(Person, pid))


async def _import(db: Database, text: str):
    return await db.run(lambda s: import_district(s, text, source="edited"))


def _without(text: str, start: str, end: str) -> str:
    """`text` with the block from `start` up to (not including) `end` cut out."""
    i = text.index(start)
    return text[:i] + text[text.index(end, i):]


DROP_LIUYANG = ('[[people]]\nid = "liuyang"', '[[people]]\nid = "sunli"')


async def test_example_file_lands_as_regions_slots_and_people(db: Database) -> None:
    report = await import_file(db, EXAMPLE_PATH)
    assert (report.regions.created, report.people.created) == (19, 18)
    assert report.summary().startswith("区域：新建 19，更新 0，未变 0，停用 0；人员：新建 18，")

    grid = await _region(db, "FC-LJ-01")
    community = await _region(db, "FC-LJ")
    assert (grid.level, grid.parent_id, grid.grid_kind) == ("grid", community.id, "residential")
    assert grid.slots == {"officer": "zhangwei", "property": "wy-xingfu"}
    assert grid.polygon[0] == [113.03, 23.685]
    assert (await _region(db, "FC-LJ-03")).grid_kind == "special"
    assert community.slots == {"leader": "chenjun", "triage": ["liming"],
                               "liaisons": ["liming"], "police": "zhaogang"}
    # liaisons default to the triage list, the district triage to the command centre
    assert (await _region(db, "FC-FX")).slots["liaisons"] == ["wujing"]
    assert (await _region(db, "QC")).slots == {"command_centre": ["lihua"], "triage": ["lihua"]}
    place = await _region(db, "FC-LJ-02/幸福花园")
    assert place.level == "place" and place.buildings == ["6", "7", "8", "9", "10"]
    assert (await _region(db, "FC")).parent_id == (await _region(db, "QC")).id

    zhangwei = await _person(db, "zhangwei")
    assert (zhangwei.roles, zhangwei.bind_code, zhangwei.phone) == (
        ["officer"], "483920", "13800000011")
    assert zhangwei.from_district_file and not zhangwei.bind_code_used
    assert (await _person(db, "cg-dispatch")).departments == ["城管"]
    # the file says "ZhangWei": WeCom userids match whatever the case
    found = await db.read(lambda s: repo.person_by_identity(s, "work", "ZHANGWEI"))
    assert found is not None and found.id == "zhangwei"


async def test_importing_the_same_file_twice_changes_nothing(any_db: Database) -> None:
    await _import(any_db, EXAMPLE)
    before = await any_db.read(lambda s: s.execute(
        select(Region.id, Region.code, Region.parent_id).order_by(Region.id)))
    before = before.all()
    again = await _import(any_db, EXAMPLE)
    assert not again.changed
    assert (again.regions.unchanged, again.people.unchanged) == (19, 18)
    after = (await any_db.read(lambda s: s.execute(
        select(Region.id, Region.code, Region.parent_id).order_by(Region.id)))).all()
    assert after == before
    assert await count(any_db, Identity) == 18


async def test_edited_file_renames_deactivates_and_keeps_tickets(any_db: Database) -> None:
    await _import(any_db, EXAMPLE)
    grid = await _region(any_db, "FC-FX-01")

    async def ticket(s):
        s.add(Ticket(code="GD20261123-0001", category="sanitation", urgency="normal",
                     text="阳光新村3栋垃圾没人清", region_id=grid.id, assignee_id="liuyang",
                     status="assigned"))

    await any_db.run(ticket)
    edited = EXAMPLE.replace('name = "连江社区"', 'name = "连江社区（新）"')
    edited = _without(edited, '[[streets.communities.grids]]\n    code = "FC-FX-01"',
                      "# ── 东城街道")
    edited = _without(edited, *DROP_LIUYANG)
    report = await _import(any_db, edited)

    assert (report.regions.updated, report.regions.deactivated) == (1, 3)  # grid + 2 places
    assert report.people.deactivated == 1
    assert (await _region(any_db, "FC-LJ")).name == "连江社区（新）"
    assert not (await _region(any_db, "FC-FX-01")).active
    assert not (await _region(any_db, "FC-FX-01/阳光新村")).active
    assert not (await _person(any_db, "liuyang")).active
    kept = await any_db.read(lambda s: s.scalar(select(Ticket)))
    assert (kept.assignee_id, kept.region_id, kept.status) == ("liuyang", grid.id, "assigned")
    # the gazetteer and routing forget what the file dropped
    names = [n for n, _ in await any_db.read(repo.gazetteer)]
    assert "阳光新村" not in names and "连江社区（新）" in names

    back = await _import(any_db, EXAMPLE)  # listing them again brings them back
    assert (await _person(any_db, "liuyang")).active
    assert (await _region(any_db, "FC-FX-01")).active
    assert back.people.updated == 1


async def test_residents_are_not_deactivated_by_an_import(db: Database) -> None:
    async def resident(s):
        s.add(Person(id="r-abc", roles=["resident"], home_address="幸福花园3栋"))

    await db.run(resident)
    await _import(db, EXAMPLE)
    await _import(db, _without(EXAMPLE, *DROP_LIUYANG)
                  .replace('officer = "liuyang"', 'officer = "sunli"'))
    assert (await _person(db, "r-abc")).active


async def test_a_used_bind_code_stays_used(db: Database) -> None:
    await _import(db, EXAMPLE)

    async def bind(s):
        (await s.get(Person, "zhangwei")).bind_code_used = True

    await db.run(bind)
    report = await _import(db, EXAMPLE.replace('"13800000011"', '"13800000099"'))
    zhangwei = await _person(db, "zhangwei")
    assert (zhangwei.phone, zhangwei.bind_code, zhangwei.bind_code_used) == (
        "13800000099", "483920", True)
    assert report.people.updated == 1

    # handing the used code to someone else does not make it usable again
    swapped = (EXAMPLE.replace('bind_code = "483920"', 'bind_code = "111111"')
               .replace('bind_code = "572816"', 'bind_code = "483920"'))
    report = await _import(db, swapped)
    lina, zhangwei = await _person(db, "lina"), await _person(db, "zhangwei")
    assert (lina.bind_code, lina.bind_code_used) == ("483920", True)
    assert (zhangwei.bind_code, zhangwei.bind_code_used) == ("111111", False)  # a new code
    assert any("483920" in w for w in report.warnings)


async def test_changed_and_swapped_wecom_userids_follow_the_file(any_db: Database) -> None:
    await _import(any_db, EXAMPLE)
    old_id = await any_db.read(lambda s: s.scalar(
        select(Identity.id).where(Identity.person_id == "lina")))
    await _import(any_db, EXAMPLE.replace('wecom_userid = "lina"', 'wecom_userid = "LiNa2"'))

    async def who(userid: str) -> str | None:
        p = await any_db.read(lambda s: repo.person_by_identity(s, "work", userid))
        return p.id if p else None

    assert await who("lina2") == "lina" and await who("lina") is None
    assert await any_db.read(lambda s: s.scalar(
        select(Identity.id).where(Identity.person_id == "lina"))) == old_id  # updated in place

    swapped = (EXAMPLE.replace('wecom_userid = "lina"', 'wecom_userid = "tmp"')
               .replace('wecom_userid = "sunli"', 'wecom_userid = "lina"')
               .replace('wecom_userid = "tmp"', 'wecom_userid = "sunli"'))
    await _import(any_db, swapped)
    assert (await who("lina"), await who("sunli")) == ("sunli", "lina")
    assert await count(any_db, Identity) == 18


async def test_import_file_reads_a_spreadsheet_export_with_bom(db: Database,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "district.toml"
    path.write_text("\ufeff" + EXAMPLE, encoding="utf-8")
    report = await import_file(db, path)
    assert report.regions.created == 19
