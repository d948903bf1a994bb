"""An officer nobody can reach yet (a bind code, no WeCom id, not bound) still gets their
tickets: the community's triage desk and leader are told to pass each one on, the notice is
kept, and it reaches the officer the moment they bind (trial E1)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from storage.db import Database
from tests.support.bot import Bot, bot_on, code_of
from tests.support.district import DISTRICT

# 李娜 (幸福花园 6–10, 金色港湾) has only a bind code
UNBOUND = DISTRICT.replace('name = "李娜"\nroles = ["officer"]\nwecom_userid = "lina"',
                           'name = "李娜"\nroles = ["officer"]\nbind_code = "556677"')
LINAS = "幸福花园8号楼门口垃圾桶满了好几天没人清运"


@pytest_asyncio.fixture
async def world(db: Database) -> AsyncIterator[Bot]:
    assert UNBOUND != DISTRICT
    yield await bot_on(db, UNBOUND)


async def test_the_desk_and_the_leader_are_told_to_pass_it_on(world: Bot) -> None:
    code = code_of(await world.send("oR1", LINAS))
    assert (await world.ticket(code)).assignee_id == "lina"
    for who in ("liming", "chenjun"):  # 连江社区's triage desk and its leader
        said = [t for t in await world.texts(who) if code in t]
        assert said and "李娜" in said[0] and "收不到" in said[0], (who, said)
        assert f"改派 {code}" in said[0]
    assert not await world.texts("zhangwei")  # the other grid's officer is not bothered
    leader_view = await world.send("chenjun", f"工单 {code}", channel="work") or ""
    assert "通知未送达" in leader_view  # the history says so too


async def test_the_kept_notice_reaches_the_officer_when_they_bind(world: Bot) -> None:
    code = code_of(await world.send("oR1", LINAS))
    reply = await world.send("oLina", "绑定 556677") or ""
    assert "绑定成功" in reply and "1 条通知" in reply
    pushed = await world.texts("oLina")
    assert len(pushed) == 1 and "【新工单】" in pushed[0] and code in pushed[0]
    # from now on she is reached directly, and the desk hears nothing more
    before = len(await world.texts("liming"))
    second = code_of(await world.send("oR2", "金色港湾2栋电梯按钮坏了好几个"))
    assert (await world.ticket(second)).assignee_id == "lina"
    assert any(second in t for t in await world.texts("oLina"))
    assert len(await world.texts("liming")) == before


async def test_a_long_backlog_reaches_a_late_binder_as_digests_urgent_first(
        world: Bot) -> None:
    """Trial 13: an officer who bound after 468 notices were kept was told «现在补发» and got
    five of them: the Official Account pushes only a few per message of theirs. Kept notices
    of one priority past `outbox.fold_after` (10) go as digests, urgent first."""
    problems = ["门口垃圾桶满了好几天没人清运", "楼道灯坏了", "门口的路灯不亮了", "单元门禁坏了",
                "门口有人乱摆摊", "楼下共享单车乱停", "绿化带被人种了菜", "门口下水道堵了",
                "楼下的狗天天叫", "楼道墙上贴满小广告", "门口的井盖松了响", "楼下健身器材坏了"]
    codes = [code_of(await world.send(f"oR{i}", f"幸福花园{6 + i % 5}号楼{p}"))
             for i, p in enumerate(problems)]
    urgent = code_of(await world.send("oRu", "幸福花园8号楼电梯里困了人 在拍门喊救命"))
    assert (await world.ticket(urgent)).urgency == "urgent"
    reply = await world.send("oLina", "绑定 556677") or ""
    assert "绑定成功" in reply and "合并成汇总消息" in reply and "我的工单" in reply
    pushed = await world.texts("oLina")
    assert len(pushed) < len(codes)  # not one push per kept notice
    assert urgent in pushed[0]  # the trapped lift first
    together = "\n".join(pushed)
    assert all(code in together for code in codes)
    assert "【通知汇总】" in together and "此前未能送达" in together
    assert "企业微信" not in together  # the reason is not WeCom's pace here
    line = next(x for x in together.split("\n") if codes[0] in x)
    assert "垃圾桶满了" in line  # the resident's words, not four characters of them


async def test_a_reachable_officer_is_not_reported(world: Bot) -> None:
    code = code_of(await world.send("oR1", "幸福花园3号楼楼道里堆满杂物，堵住了消防通道"))
    assert (await world.ticket(code)).assignee_id == "zhangwei"
    assert not [t for t in await world.texts("liming") if code in t]


async def test_a_transfer_to_a_department_nobody_can_reach_is_passed_on(db: Database) -> None:
    text = DISTRICT.replace('wecom_userid = "cg01"\n', "")
    assert text != DISTRICT
    bot = await bot_on(db, text)
    code = code_of(await bot.send("oR1", "幸福花园3号楼楼道里堆满杂物，堵住了消防通道"))
    await bot.send("zhangwei", f"转办 {code} 城管 请清理", channel="work")
    assert (await bot.ticket(code)).assignee_id == "cg"
    said = [t for t in await bot.texts("liming") if code in t and "城管中队" in t]
    assert said and "收不到" in said[0]


async def test_an_unreachable_officer_is_one_log_line_not_one_a_notice(world: Bot,
                                                                       caplog) -> None:  # noqa: ANN001
    import logging

    from handlers.ops import notices
    notices._kept_since.clear()  # what earlier tests in this process said
    caplog.set_level(logging.WARNING, logger="handlers.ops.notices")
    for i in range(4):
        code_of(await world.send(f"oR{i}", f"幸福花园{6 + i}号楼门口垃圾桶满了好几天没人清运"))
    said = [r.getMessage() for r in caplog.records if "no channel to reach lina" in r.getMessage()]
    assert len(said) == 1 and "kept until they bind" in said[0]
    assert len([t for t in await world.texts("liming") if "【无法送达】" in t]) == 4  # all told
