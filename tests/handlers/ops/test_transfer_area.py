"""`转办 CODE 物业` goes to the property company of the ticket's place, never to another
compound's (trial W3: 丹桂苑's ticket went to 枫林雅苑's company, which only sent it back)."""

from __future__ import annotations

from storage.db import Database
from tests.support.bot import bot_on, code_of
from tests.support.district import DISTRICT

GRID1 = "幸福花园3号楼楼道里堆满杂物，堵住了消防通道"  # 连江社区第一网格: 幸福物业 is its property
GRID2 = "幸福花园8号楼楼道里堆满杂物，堵住了消防通道"  # second grid: no property company

# a second property company, sorting first by id, serving the second grid
TWO_COMPANIES = DISTRICT.replace('[[streets]]', '''[[people]]
id = "aa-jg"
name = "金港物业"
roles = ["department"]
wecom_userid = "jg01"
departments = ["物业"]

[[streets]]''', 1).replace('''    officer = "lina"
''', '''    officer = "lina"
    property = "aa-jg"
''', 1)


async def test_a_company_serving_another_grid_is_not_picked(db: Database) -> None:
    bot = await bot_on(db, DISTRICT)
    code = code_of(await bot.send("oR1", GRID2))
    assert (await bot.ticket(code)).assignee_id == "lina"
    reply = await bot.send("lina", f"转办 {code} 物业 请清理", channel="work")
    assert "幸福物业" in reply and "连江社区第一网格" in reply and "不负责" in reply
    assert f"转办 {code} 幸福物业" in reply  # how to send it there anyway
    t = await bot.ticket(code)
    assert (t.assignee_id, t.status) == ("lina", "assigned")
    assert not [x for x in await bot.texts("wy") if code in x]
    # named in full, it goes: the officer chose it knowingly
    await bot.send("lina", f"转办 {code} 幸福物业 请协助", channel="work")
    assert (await bot.ticket(code)).assignee_id == "wy"
    # a department holding no slot anywhere serves the whole district
    other = code_of(await bot.send("oR2", "幸福花园9号楼门口堆了一大堆建筑垃圾"))
    # a name nobody has: the reply lists the district's own departments
    reply = await bot.send("lina", f"转办 {other} 供水 请处理", channel="work")
    assert "没有找到部门「供水」" in reply and "城管、物业" in reply
    await bot.send("lina", f"转办 {other} 城管 请清理", channel="work")
    assert (await bot.ticket(other)).assignee_id == "cg"


async def test_the_company_of_the_tickets_grid_comes_first(db: Database) -> None:
    assert TWO_COMPANIES.count("aa-jg") == 2
    bot = await bot_on(db, TWO_COMPANIES)
    first = code_of(await bot.send("oR1", GRID1))
    await bot.send("zhangwei", f"转办 {first} 物业 请清理", channel="work")
    assert (await bot.ticket(first)).assignee_id == "wy"  # not 金港物业, first by id
    second = code_of(await bot.send("oR2", GRID2))
    await bot.send("lina", f"转办 {second} 物业 请清理", channel="work")
    assert (await bot.ticket(second)).assignee_id == "aa-jg"
    assert not [x for x in await bot.texts("aa-jg") if first in x]
    assert not [x for x in await bot.texts("wy") if second in x]
