"""A resident's report becomes a routed ticket; the officer works it; the resident rates it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.bot import REPORT, RESIDENT, Bot, code_of


async def test_report_gets_code_category_grid_officer_and_deadline(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, REPORT)
    assert code_of(reply) == "GD20261123-0001"
    assert "消防安全" in reply
    assert "连江社区第一网格" in reply and "张伟" in reply
    assert "预计办结" in reply and "11月25日" in reply  # high: 2 working days from Monday
    t = await bot.ticket("GD20261123-0001")
    assert (t.status, t.assignee_id, t.building, t.unit) == ("assigned", "zhangwei", "3", "2")
    pushed = await bot.texts("zhangwei")  # WeCom userid, lower-cased
    assert len(pushed) == 1
    assert "GD20261123-0001" in pushed[0] and "幸福花园3号楼2单元" in pushed[0]
    assert "接单 GD20261123-0001" in pushed[0]


async def test_codes_follow_a_daily_sequence(bot: Bot) -> None:
    first = code_of(await bot.send(RESIDENT, REPORT))
    second = code_of(await bot.send("oOther", "幸福花园7号楼门口垃圾三天没人清运了"))
    assert (first, second) == ("GD20261123-0001", "GD20261123-0002")
    t = await bot.ticket(second)
    assert t.assignee_id == "lina"  # buildings 6–10 of 幸福花园 are the second grid's
    bot.clock.advance(days=1)
    assert code_of(await bot.send(RESIDENT, REPORT)) == "GD20261124-0001"


async def test_no_place_asks_once_then_uses_the_answer(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, "楼下的路灯坏了好几天了晚上黑漆漆的")
    assert "哪个小区" in reply
    assert await bot.outbox() == []
    reply = await bot.send(RESIDENT, "幸福花园2号楼")
    code = code_of(reply)
    t = await bot.ticket(code)
    assert t.text == "楼下的路灯坏了好几天了晚上黑漆漆的"
    assert (t.assignee_id, t.building) == ("zhangwei", "2")


async def test_bound_address_places_a_report_without_one(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, "绑定 幸福花园8号楼1单元")
    assert "已记住" in reply and "第二网格" in reply
    code = code_of(await bot.send(RESIDENT, "楼上天天晚上拖椅子吵得睡不着"))
    t = await bot.ticket(code)
    assert t.assignee_id == "lina" and t.category == "noise"


async def test_whole_loop_accept_progress_resolve_rate(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    reply = await bot.send("zhangwei", f"接单 {code}", channel="work")
    assert "已接单" in reply
    reply = await bot.send("ZHANGWEI", f"进度{code} 已联系物业", channel="work")
    assert "已记录" in reply
    reply = await bot.send("zhangwei", f"办结：{code} 飞线已拆除", channel="work")
    assert "已办结" in reply
    told = await bot.texts(RESIDENT)
    assert any("接单" in t for t in told)
    assert any("已联系物业" in t for t in told)
    assert any("飞线已拆除" in t and "1 非常满意" in t for t in told)
    reply = await bot.send(RESIDENT, "2")
    assert "满意" in reply and "已关闭" in reply
    t = await bot.ticket(code)
    assert (t.status, t.rating) == ("closed", 2)
    detail = await bot.send(RESIDENT, f"查询 {code.lower()}")
    for step in ("提交反映", "接单", "处理进展", "办结", "评价"):
        assert step in detail


async def test_unsatisfied_reopens_to_same_officer_and_tells_leader(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    await bot.send("zhangwei", f"办结 {code} 已处理", channel="work")
    reply = await bot.send(RESIDENT, "不满意")
    assert "重新打开" in reply
    t = await bot.ticket(code)
    assert (t.status, t.assignee_id, t.rating) == ("reopened", "zhangwei", 4)
    assert any("不满意" in x and code in x for x in await bot.texts("chenjun"))
    assert any("重新打开" in x for x in await bot.texts("zhangwei"))
    assert "已接单" in await bot.send("zhangwei", f"接单 {code}", channel="work")


async def test_nobody_acts_on_a_ticket_not_theirs(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    reply = await bot.send("lina", f"接单 {code}", channel="work")
    assert "不是您负责的" in reply
    assert (await bot.ticket(code)).status == "assigned"
    reply = await bot.send(RESIDENT, f"办结 {code} 好了")
    assert "网格员使用的指令" in reply
    assert (await bot.ticket(code)).status == "assigned"
    assert "没有找到" in await bot.send("oStranger", f"撤销 {code}")


async def test_forbidden_transition_is_refused_clearly(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    await bot.send("zhangwei", f"办结 {code} 已处理", channel="work")
    reply = await bot.send("zhangwei", f"接单 {code}", channel="work")
    assert "已办结" in reply and "不能接单" in reply


async def test_cancel_own_open_ticket_tells_officer(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    assert "已撤销" in await bot.send(RESIDENT, f"撤销 {code}")
    assert (await bot.ticket(code)).status == "cancelled"
    assert any("撤销" in x for x in await bot.texts("zhangwei"))
    assert "不能撤销" in await bot.send(RESIDENT, f"撤销 {code}")


async def test_return_goes_to_community_triage_then_dispatch(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    reply = await bot.send("zhangwei", f"退回 {code} 这栋楼不归我管", channel="work")
    assert "黎明" in reply
    t = await bot.ticket(code)
    assert (t.status, t.assignee_id) == ("returned", None)
    assert any("退回" in x and code in x for x in await bot.texts("liming"))
    reply = await bot.send("liming", f"派单 {code} lina", channel="work")
    assert "李娜" in reply
    t = await bot.ticket(code)
    assert (t.status, t.assignee_id) == ("assigned", "lina")
    # the resident hears who now has the report at 派单, not only at 接单 (trial C8)
    assert any(code in x and "已交李娜负责处理" in x for x in await bot.texts(RESIDENT))


async def test_query_lists_and_help_and_welcome(bot: Bot) -> None:
    welcome = await bot.event(RESIDENT, "subscribe")
    assert "帮助" in welcome
    assert "还没有反映" in await bot.send(RESIDENT, "查询")
    code = code_of(await bot.send(RESIDENT, REPORT))
    assert code in await bot.send(RESIDENT, "查询")
    assert "查询" in await bot.send(RESIDENT, "帮助") and "撤销" in await bot.send(RESIDENT, "？")


async def test_thanks_is_not_a_ticket(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, "谢谢，路灯修好了")
    assert "不客气" in reply
    assert await bot.outbox() == []


async def test_urgent_report_pages_leader_and_gives_numbers(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, "幸福花园1号楼一楼闻到很浓的煤气味")
    assert "119" in reply and "96777" in reply
    code = code_of(reply)
    assert (await bot.ticket(code)).urgency == "urgent"
    assert any(code in x for x in await bot.texts("zhangwei"))
    assert any("紧急" in x and code in x for x in await bot.texts("chenjun"))


async def test_officer_binds_on_official_account_with_code(bot: Bot) -> None:
    reply = await bot.send("oOfficerPhone", "绑定 483920")
    assert "绑定成功" in reply and "张伟" in reply
    code = code_of(await bot.send(RESIDENT, REPORT))
    assert "已接单" in await bot.send("oOfficerPhone", f"接单 {code}")
    assert "已使用" in await bot.send("oSomeoneElse", "绑定 483920")
    assert "您已绑定为 张伟" in await bot.send("oOfficerPhone", "绑定 483920")


async def test_a_sender_guessing_bind_codes_is_locked_out_and_not_the_officer(bot: Bot) -> None:
    for n in range(4):
        assert "无效" in await bot.send("oGuesser", f"绑定 {100000 + n}")
    assert "尝试次数过多" in await bot.send("oGuesser", "绑定 100009")
    # the right code is refused too while locked: guessing cannot get through
    assert "尝试次数过多" in await bot.send("oGuesser", "绑定 483920")
    assert await bot.person_of("oGuesser") != "zhangwei"
    # the officer, from their own phone, is not locked out by someone else's guessing
    assert "绑定成功" in await bot.send("oOfficerPhone", "绑定 483920")
    bot.clock.advance(minutes=61)
    assert "已使用" in await bot.send("oGuesser", "绑定 483920")  # and single-use


async def test_a_bind_code_expires(bot: Bot) -> None:
    bot.clock.advance(days=15)
    assert "已过期" in await bot.send("oOfficerPhone", "绑定 483920")


async def test_full_width_and_colon_commands(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    assert "已接单" in await bot.send("zhangwei", f"接单：{code}", channel="work")
    assert code in await bot.send(RESIDENT, f"查询\u3000{code.lower()}")


async def test_unknown_wecom_member_is_told(bot: Bot) -> None:
    reply = await bot.send("nobody", "我的工单", channel="work")
    assert "名单" in reply


async def test_unsubscribe_erases_personal_data_keeps_ticket(bot: Bot) -> None:
    await bot.send(RESIDENT, "绑定 幸福花园3号楼")
    code = code_of(await bot.send(RESIDENT, REPORT))
    await bot.event(RESIDENT, "unsubscribe")
    t = await bot.ticket(code)
    assert t.status == "assigned"
    reply = await bot.send(RESIDENT, "查询")  # a returning follower starts afresh
    assert "还没有反映" in reply


async def test_late_rating_of_a_ticket_closed_unrated_still_counts(bot: Bot) -> None:
    from storage.statemachine import transition

    code = code_of(await bot.send(RESIDENT, REPORT))
    await bot.send("zhangwei", f"办结 {code} 已处理", channel="work")

    async def close(s: AsyncSession) -> None:  # what the follow-up job does after 3 days
        t = await s.get(type(await bot.ticket(code)), (await bot.ticket(code)).id)
        transition(s, t, "close", actor_id=None, actor_role="system", at=bot.clock.now())

    await bot.db.run(close)
    assert "感谢您的评价（满意）" in await bot.send(RESIDENT, f"评价 {code} 2")
    t = await bot.ticket(code)
    assert (t.status, t.rating) == ("closed", 2)
    assert "已评价过" in await bot.send(RESIDENT, f"评价 {code} 1")
