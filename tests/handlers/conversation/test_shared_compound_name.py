"""A compound name used in two communities (trial 14: 枫桥雅居 A–C in one community, D–F in
another): a message naming it with a building goes to that building's grid, one without a
building is asked which building of that compound, the import says so, and a ticket the
desk 派单s takes the officer's grid and community (its leader is paged and may act on it)."""

from __future__ import annotations

from storage.db import Database
from storage.district import import_district
from tests.support.bot import START, bot_on, code_of

DISTRICT = '''[district]
name = "测试区"
code = "TX"
triage = ["desk"]
command_centre = ["desk"]

[[people]]
id = "desk"
name = "区分拨员"
roles = ["liaison"]
wecom_userid = "desk"

[[people]]
id = "qs_off"
name = "青石网格员"
roles = ["officer"]
wecom_userid = "qs_off"

[[people]]
id = "qs_lead"
name = "青石书记"
roles = ["leader"]
wecom_userid = "qs_lead"

[[people]]
id = "hy_off"
name = "荷叶网格员"
roles = ["officer"]
wecom_userid = "hy_off"

[[people]]
id = "hy_lead"
name = "荷叶书记"
roles = ["leader"]
wecom_userid = "hy_lead"

[[streets]]
code = "S1"
name = "溪口街道"

  [[streets.communities]]
  code = "S1-QS"
  name = "青石社区"
  leader = "qs_lead"
  triage = ["qs_lead"]

    [[streets.communities.grids]]
    code = "S1-QS-01"
    name = "青石第一网格"
    officer = "qs_off"

      [[streets.communities.grids.places]]
      name = "云杉雅居"
      aliases = ["云杉小区"]
      buildings = ["A", "B", "C"]

  [[streets.communities]]
  code = "S1-HY"
  name = "荷叶社区"
  leader = "hy_lead"
  triage = ["hy_lead"]

    [[streets.communities.grids]]
    code = "S1-HY-01"
    name = "荷叶第一网格"
    officer = "hy_off"

      [[streets.communities.grids.places]]
      name = "云杉雅居"
      buildings = ["D", "E", "F"]'''


async def test_the_building_decides_between_two_compounds_of_one_name(db: Database) -> None:
    bot = await bot_on(db, DISTRICT)
    gas = code_of(await bot.send("o1", "云杉雅居C座 家里闻着一股臭鸡蛋的味道 头有点晕"))
    assert (await bot.ticket(gas)).assignee_id == "qs_off"
    assert any(gas in x for x in await bot.texts("qs_lead"))  # the urgent page, not the desk
    assert not any(gas in x for x in await bot.texts("desk"))
    junk = code_of(await bot.send("o2", "荷叶社区云杉雅居E栋楼道里堆满了杂物"))
    assert (await bot.ticket(junk)).assignee_id == "hy_off"
    named = code_of(await bot.send("o3", "青石社区云杉雅居A座楼上天天半夜蹦迪"))
    assert (await bot.ticket(named)).assignee_id == "qs_off"


async def test_without_a_building_the_question_names_the_compound(db: Database) -> None:
    bot = await bot_on(db, DISTRICT)
    asked = await bot.send("o1", "云杉雅居门口有人遛狗不牵绳 好几次了") or ""
    assert "云杉雅居的几号楼" in asked
    code = code_of(await bot.send("o1", "E栋"))
    assert (await bot.ticket(code)).assignee_id == "hy_off"


async def test_the_import_says_the_name_is_shared(db: Database) -> None:
    report = await db.run(lambda s: import_district(s, DISTRICT, source="t", now=START))
    [warning] = [w for w in report.warnings if "云杉雅居" in w]
    assert "青石社区" in warning and "荷叶社区" in warning and "楼号" in warning
    assert "云杉小区" not in " ".join(report.warnings)  # an alias of one community only


async def test_a_desk_dispatch_gives_the_ticket_the_officers_grid(db: Database) -> None:
    bot = await bot_on(db, DISTRICT)
    code = code_of(await bot.send("o1", "小区里一股煤气味 很浓 快来人"))
    t = await bot.ticket(code)
    assert t.region_id is None and t.community_id is None
    assert "已将" in (await bot.send("desk", f"派单 {code} 青石网格员", channel="work") or "")
    t = await bot.ticket(code)
    assert t.assignee_id == "qs_off" and t.region_id is not None and t.community_id is not None
    assert any(code in x and "紧急" in x for x in await bot.texts("qs_lead"))  # paged now
    reply = await bot.send("qs_lead", f"改派 {code} 青石网格员", channel="work") or ""
    assert "不在您负责的区域" not in reply
