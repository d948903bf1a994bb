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
