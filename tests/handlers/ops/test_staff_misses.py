"""Staff words that miss get an answer that helps: a mistyped code names itself and lists the
officer's open tickets (D3), a command one character off is guessed (D4), 合并's refusal names
the right ticket (D6), and a leader's 工单 view offers the leader's step (D7)."""

from __future__ import annotations

from tests.support.bot import REPORT, RESIDENT, Bot, code_of

OTHER = "幸福花园5号楼门口的路灯不亮了"


async def test_a_malformed_code_is_not_found_and_acts_on_nothing(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    bad = code[:9] + code[10:]  # a digit of the date dropped: GD2026112-0001
    reply = await bot.send("zhangwei", f"接单 {bad}", channel="work") or ""
    assert f"没有找到工单 {bad}" in reply and code in reply  # and the ticket they do have
    assert (await bot.ticket(code)).status == "assigned"  # nothing was accepted
    for verb in ("办结", "工单"):
        reply = await bot.send("zhangwei", f"{verb} {bad} 已处理", channel="work") or ""
        assert f"没有找到工单 {bad}" in reply and code in reply, (verb, reply)
    assert (await bot.ticket(code)).status == "assigned"
    reply = await bot.send("zhangwei", "接单 GD20991231-0009", channel="work") or ""
    assert "没有找到工单 GD20991231-0009" in reply and code in reply


async def test_a_one_character_typo_is_guessed(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    wide = code.replace("GD", "ＧＤ")
    reply = await bot.send("zhangwei", f"办洁 {wide} 线已拆除", channel="work") or ""
    assert reply.startswith(f"您是想发送「办结 {code} 线已拆除」吗？")
    assert "转办" not in reply  # not the whole help
    assert (await bot.ticket(code)).status == "assigned"
    assert "没看懂" in (await bot.send("zhangwei", "今天天气不错", channel="work") or "")


async def test_merge_refusal_names_the_ticket_it_is_about(bot: Bot) -> None:
    first = code_of(await bot.send(RESIDENT, REPORT))
    second = code_of(await bot.send("oResident002", OTHER))
    await bot.send(RESIDENT, f"撤销 {first}")
    assert (await bot.ticket(first)).status not in ("new", "assigned")
    reply = await bot.send("chenjun", f"合并 {first} {second}", channel="work") or ""
    assert f"当前状态为「已撤销」，{second} 不能并入它" in reply, reply
    reply = await bot.send("chenjun", f"合并 {second} {first}", channel="work") or ""
    assert f"工单 {first} 当前状态" in reply and "不能合并" in reply, reply
    assert (await bot.ticket(second)).status == "assigned"


async def test_a_leaders_ticket_view_offers_the_leaders_step(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    leader = await bot.send("chenjun", f"工单 {code}", channel="work") or ""
    assert f"改派 {code}" in leader
    for resident_or_holder in ("撤销", "评价", "办结 "):
        assert resident_or_holder not in leader, (resident_or_holder, leader)
    holder = await bot.send("zhangwei", f"工单 {code}", channel="work") or ""
    assert f"办结 {code}" in holder and "撤销" not in holder


async def test_words_that_are_no_command_get_a_phone_screen_naming_the_next_step(
        bot: Bot) -> None:
    """Trial 12: «收到 马上去» got the 15-line help. With one ticket waiting to be accepted the
    answer names it and the one word that accepts it, in a few lines."""
    code = code_of(await bot.send(RESIDENT, REPORT))
    reply = await bot.send("zhangwei", "收到 马上去", channel="work") or ""
    assert code in reply and "请回复「接单」" in reply
    assert len(reply.splitlines()) <= 4 and "转办" not in reply and "合并" not in reply
    assert (await bot.ticket(code)).status == "assigned"  # a guess is never acted on
    code_of(await bot.send("oResident002", OTHER))
    reply = await bot.send("zhangwei", "好的好的", channel="work") or ""
    assert "2 件待接单" in reply and len(reply.splitlines()) <= 4


async def test_a_code_written_before_the_verb_is_turned_round(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    short = code[-2:]
    reply = await bot.send("zhangwei", f"{short}接单", channel="work") or ""
    assert reply.startswith(f"您是想发送「接单 {short}」吗？")
    reply = await bot.send("zhangwei", f"{code} 办结 线已拆除", channel="work") or ""
    assert reply.startswith(f"您是想发送「办结 {code} 线已拆除」吗？")
    assert (await bot.ticket(code)).status == "assigned"


async def test_the_end_of_a_code_picks_that_one_of_several_tickets(bot: Bot) -> None:
    """Trial 12: «接单 0013», the unique ending of one of an officer's four tickets, got the
    four-line menu; «进度 14 维保已到场» then put «14» into the resident's notice."""
    codes = [code_of(await bot.send(f"oRes{i}", text)) for i, text in enumerate(
        (REPORT, OTHER, "幸福花园2号楼门口垃圾三天没人清运了"))]
    target = codes[1]
    ending = target.rsplit("-", 1)[1]
    reply = await bot.send("zhangwei", f"接单 {ending}", channel="work") or ""
    assert "请回复序号" not in reply and target in reply
    assert [(await bot.ticket(c)).status for c in codes] == ["assigned", "accepted", "assigned"]
    reply = await bot.send("zhangwei", f"进度 {ending[-2:]} 维保已到场", channel="work") or ""
    assert target in reply
    [told] = [x for x in await bot.texts("oRes1") if "维保已到场" in x]
    assert f"{ending[-2:]} 维保" not in told  # the number was the ticket's, not the news
    # a number that ends none of them is the officer's words, as before: a menu
    reply = await bot.send("zhangwei", "接单 99", channel="work") or ""
    assert "请回复序号" in reply


async def test_a_later_command_makes_an_earlier_numbered_list_stale(bot: Bot) -> None:
    """Trial 14: «接单» showed a list, «办结» asked for the result, and a later «1» accepted item
    1 of the first list, which the officer did not mean."""
    codes = [code_of(await bot.send(f"oRes{i}", text)) for i, text in enumerate((REPORT, OTHER))]
    assert "请回复序号" in (await bot.send("zhangwei", "接单", channel="work") or "")
    await bot.send("zhangwei", "办结", channel="work")
    await bot.send("zhangwei", "1", channel="work")
    assert [(await bot.ticket(c)).status for c in codes] == ["assigned", "assigned"]


async def test_a_code_typed_with_spaces_is_read(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    code_of(await bot.send("oResident002", OTHER))
    day, n = code[2:10], code[-4:]
    spaced = f"GD {day[:4]} {day[4:]} {n}"
    reply = await bot.send("zhangwei", f"接单 {spaced}", channel="work") or ""
    assert "请回复序号" not in reply and (await bot.ticket(code)).status == "accepted"


async def test_a_leader_gets_the_weeks_figures_on_wecom(bot: Bot) -> None:
    """Trial 14: «统计» from a leader on WeCom got «没看懂» and the whole help."""
    code = code_of(await bot.send(RESIDENT, REPORT))
    code_of(await bot.send("oResident002", OTHER))
    await bot.send("zhangwei", f"办结 {code} 已拆除飞线", channel="work")
    reply = await bot.send("chenjun", "统计", channel="work") or ""
    assert reply.startswith("连江社区 近7天")
    assert "受理 2 件，办结 1 件（办结率 50%）" in reply and "目前在办 1 件" in reply
    assert len(reply.splitlines()) <= 6
    officer = await bot.send("zhangwei", "统计", channel="work") or ""
    assert "我的工单" in officer and "受理" not in officer
