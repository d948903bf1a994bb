"""Role × command × area: every staff command checks both who the sender is and where the
ticket is. A community's leader or liaison acts only on that community, a street's leader on
its communities, the command centre everywhere, an officer only on tickets they hold; merging
needs both tickets in reach. Each row says whether the command took effect (read back from the
database, not from the reply's wording)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import pytest_asyncio

from handlers.conversation.dispatcher import Dispatcher
from handlers.ops.services import Services
from storage import repo
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from tests.support.bot import Bot, analyzer
from tests.support.district import DISTRICT

# a second street with its own community, leader, liaison and officer
OTHER = """
[[people]]
id = "leader2"
name = "社区书记二"
roles = ["leader"]
wecom_userid = "leader2"

[[people]]
id = "liaison2"
name = "联络员二"
roles = ["liaison"]
wecom_userid = "liaison2"

[[people]]
id = "officer2"
name = "网格员二"
roles = ["officer"]
wecom_userid = "officer2"

[[streets]]
code = "DC"
name = "东城街道"
leader = "leader2"

  [[streets.communities]]
  code = "DC-XC"
  name = "新城社区"
  leader = "leader2"
  triage = ["liaison2"]
  liaisons = ["liaison2"]

    [[streets.communities.grids]]
    code = "DC-XC-01"
    name = "新城社区第一网格"
    officer = "officer2"

      [[streets.communities.grids.places]]
      name = "锦绣华庭"
      buildings = ["1", "2", "3"]
"""
HOME = "幸福花园3号楼楼道里堆满杂物，堵住了消防通道"  # 连江社区, officer zhangwei
NEXT_DOOR = "幸福花园8号楼门口垃圾桶满了好几天没人清运"  # 连江社区, officer lina
ELSEWHERE = "锦绣华庭2号楼楼下路灯坏了一个星期"  # 新城社区 on another street, officer2
CODE = re.compile(r"GD\d{8}-\d{4,}")


@pytest_asyncio.fixture
async def world(db: Database) -> AsyncIterator[Bot]:
    clock = FrozenClock(datetime(2026, 11, 23, 2, 0))
    district = DISTRICT.replace('command_centre = ["centre"]',
                                'command_centre = ["centre"]')
    head, _, streets = district.partition("[[streets]]")
    people, _, more_streets = OTHER.partition("[[streets]]")
    text = head + people + "[[streets]]" + streets + "[[streets]]" + more_streets
    await db.run(lambda s: import_district(s, text, source="matrix", now=clock.now()))
    an = analyzer()
    an.set_gazetteer(await db.read(repo.gazetteer))
    yield Bot(db, Dispatcher(Services(settings=Settings(conversation={"choice_below": 0}),
                                      analyzer=an, clock=clock)), clock)


async def report(bot: Bot, who: str, words: str) -> str:
    reply = await bot.send(who, words) or ""
    m = CODE.search(reply)
    assert m, (words, reply)
    return m.group(0)


# actor, allowed on a ticket in 连江社区 (held by zhangwei)
TRIAGE = [("chenjun", True),   # the community's leader
          ("liming", True),    # its triage desk / liaison
          ("wangfang", True),  # the street's leader
          ("centre", True),    # the district's command centre
          ("leader2", False),  # another community's leader
          ("liaison2", False),  # another community's liaison
          ("lina", False),     # an officer who does not hold it
          ("zhangwei", False)]  # the holder: an officer does not dispatch


@pytest.mark.parametrize(("actor", "allowed"), TRIAGE)
async def test_dispatch(world: Bot, actor: str, allowed: bool) -> None:
    code = await report(world, "oR1", HOME)
    await world.send(actor, f"派单 {code} zhaogang", channel="work")
    assert ((await world.ticket(code)).assignee_id == "zhaogang") is allowed


@pytest.mark.parametrize(("actor", "allowed"), [*TRIAGE[:-1], ("zhangwei", True)])
async def test_reclassify(world: Bot, actor: str, allowed: bool) -> None:
    code = await report(world, "oR1", HOME)
    before = (await world.ticket(code)).category
    await world.send(actor, f"改类 {code} 噪音扰民", channel="work")
    assert ((await world.ticket(code)).category != before) is allowed


@pytest.mark.parametrize(("actor", "allowed"), [*TRIAGE[:-1], ("zhangwei", True)])
async def test_ticket_view(world: Bot, actor: str, allowed: bool) -> None:
    code = await report(world, "oR1", HOME)
    reply = await world.send(actor, f"工单 {code}", channel="work") or ""
    assert ("堵住了消防通道" in reply) is allowed


@pytest.mark.parametrize(("actor", "allowed"), [
    ("zhangwei", True), ("lina", False), ("chenjun", False), ("centre", False)])
async def test_holder_steps_are_the_holders(world: Bot, actor: str, allowed: bool) -> None:
    code = await report(world, "oR1", HOME)
    await world.send(actor, f"接单 {code}", channel="work")
    assert ((await world.ticket(code)).status == "accepted") is allowed


@pytest.mark.parametrize(("actor", "second", "allowed"), [
    ("zhangwei", NEXT_DOOR, False),  # holds one of them: may not close a colleague's
    ("lina", NEXT_DOOR, False),      # the same, the other way round
    ("chenjun", NEXT_DOOR, True),    # both in his community
    ("liming", NEXT_DOOR, True),
    ("chenjun", ELSEWHERE, False),   # one in another community
    ("leader2", NEXT_DOOR, False),   # neither in hers
    ("wangfang", NEXT_DOOR, True),
    ("centre", ELSEWHERE, True),     # the command centre reaches both
])
async def test_merge(world: Bot, actor: str, second: str, allowed: bool) -> None:
    keep = await report(world, "oR1", HOME)
    gone = await report(world, "oR2", second)
    await world.send(actor, f"合并 {keep} {gone}", channel="work")
    assert ((await world.ticket(gone)).status == "duplicate") is allowed
    if not allowed:  # nobody was told to stop working on it
        assert not any("无需再处理" in t for t in await world.texts(
            (await world.ticket(gone)).assignee_id or ""))


async def test_a_follower_sees_category_place_and_status_only(world: Bot) -> None:
    code = await report(world, "oR1", "幸福花园3号楼2单元501门口路灯坏了")
    offer = await world.send("oR2", "幸福花园3号楼那边路灯一直不亮") or ""
    assert "附议" in offer, (await world.ticket(code)).category
    await world.send("oR2", "1")  # 附议
    await world.send("zhangwei", f"追问 {code} 是哪一层的灯？", channel="work")
    await world.send("oR1", "三楼的，有事打13912345678")
    seen = await world.send("oR2", f"查询 {code}") or ""
    assert code in seen and "附议" in seen
    for private in ("501", "2单元", "电话", "1391", "三楼", "门口路灯坏了"):
        assert private not in seen, (private, seen)
    own = await world.send("oR1", f"查询 {code}") or ""
    assert "501" in own  # the reporter still sees their own report whole


async def test_a_phone_number_is_shown_whole_only_to_whoever_handles_the_ticket(
        world: Bot) -> None:
    code = await report(world, "oR1", HOME + "，有事打13912345678")
    assert "13912345678" in (await world.send("zhangwei", f"工单 {code}", channel="work") or "")
    leader = await world.send("chenjun", f"工单 {code}", channel="work") or ""
    assert "堵住了消防通道" in leader and "139****5678" in leader and "13912345678" not in leader
    assert all("13912345678" not in t for t in await world.texts("zhangwei"))  # pushes masked
