"""A message minutes after a resident's report is a piece of it (a place for it, a time, who did
it, how it is now) only when it states no problem of its own. A problem at another place, or of
another category, is a new report, however soon it comes; when it is unclear the resident is
asked once (1 补充 / 2 新问题), and an unanswered question files the words as a report."""

from __future__ import annotations

import pytest

from bot.scheduler.runner import expire_drafts
from tests.support.bot import RESIDENT, Bot, code_of

LAMP = "幸福花园3号楼楼道的灯坏了"  # property: 幸福物业 (wy01) in 张伟's grid, buildings 1–5
ELSEWHERE = "幸福花园7号楼门口自来水突然停了"  # buildings 6–10: 李娜's grid


async def _pieces_told(bot: Bot, *people: str) -> list[str]:
    return [x for p in people for x in await bot.texts(p) if "居民补充" in x]


LEAK = "幸福花园3号楼楼道水管漏水了"  # 供水排水 in 张伟's grid, like ELSEWHERE's category


@pytest.mark.parametrize("minutes", [1, 9, 11])
async def test_a_problem_at_another_place_is_its_own_report_in_its_own_grid(
        bot: Bot, minutes: int) -> None:
    # the same category and minutes apart, as on the typhoon day: its own place decides
    code = code_of(await bot.send(RESIDENT, LEAK))
    bot.clock.advance(minutes=minutes)
    reply = await bot.send(RESIDENT, ELSEWHERE)
    new = code_of(reply)
    assert new != code and "补充到工单" not in reply
    t = await bot.ticket(new)
    assert (t.assignee_id, t.category, t.building, t.text) == ("lina", "water", "7", ELSEWHERE)
    assert any(new in x for x in await bot.texts("lina"))  # the right grid hears it
    assert "补充" not in (await bot.ticket(code)).text
    assert await _pieces_told(bot, "zhangwei") == []


async def test_another_building_of_the_same_grid_is_its_own_report(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, "幸福花园2号楼楼下电动车被水泡了，有人还在插着充电"))
    bot.clock.advance(minutes=1)
    new = code_of(await bot.send(RESIDENT, "幸福花园4号楼雨棚被掀翻"))
    assert new != code and (await bot.ticket(new)).building == "4"
    assert "雨棚" not in (await bot.ticket(code)).text


async def test_the_pieces_of_a_report_still_join_it_and_its_holder_hears(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, LAMP))
    for piece in ("晚上八点以后就不亮", "已经三天了", "就在2单元门口"):
        bot.clock.advance(minutes=1)
        assert f"补充到工单 {code}" in (await bot.send(RESIDENT, piece) or "")
    t = await bot.ticket(code)
    assert t.text.count("\n补充：") == 3 and "已经三天了" in t.text
    assert len(await _pieces_told(bot, "wy01")) == 3


async def test_another_category_without_a_place_is_not_folded(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, LAMP))
    bot.clock.advance(minutes=1)
    reply = await bot.send(RESIDENT, "垃圾也没人清理")
    new = code_of(reply)  # its own report, at the place of the one just made (trial 14),
    assert new != code and "如不在那里" in (reply or "")  # which the resident may correct
    t = await bot.ticket(new)
    assert (t.building, t.place, t.category) == ("3", None, "sanitation")
    assert "垃圾" not in (await bot.ticket(code)).text


UNCLEAR = "井盖也松了"  # after a broken lamp (both 市政设施): the lamp's, or another problem?
STREETLIGHT = "幸福花园3号楼旁边路灯坏了"


async def test_unclear_is_asked_and_1_appends(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, STREETLIGHT))
    bot.clock.advance(minutes=1)
    question = await bot.send(RESIDENT, UNCLEAR) or ""
    assert code in question and "回复 1 补充到该工单，回复 2 作为新问题反映" in question
    assert UNCLEAR not in (await bot.ticket(code)).text
    assert await _pieces_told(bot, "zhangwei") == []
    assert f"补充到工单 {code}" in (await bot.send(RESIDENT, "1") or "")
    assert UNCLEAR in (await bot.ticket(code)).text
    assert any(UNCLEAR in x for x in await _pieces_told(bot, "zhangwei"))


async def test_unclear_answered_2_is_a_report_of_its_own(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, STREETLIGHT))
    bot.clock.advance(minutes=1)
    await bot.send(RESIDENT, UNCLEAR)
    reply = await bot.send(RESIDENT, "2")  # a new report, at the place just given (trial 14)
    new = code_of(reply)
    assert "如不在那里" in (reply or "")
    assert new != code and (await bot.ticket(new)).text.startswith(UNCLEAR)
    assert UNCLEAR not in (await bot.ticket(code)).text


async def test_an_unanswered_question_files_the_words_never_appends_them(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, STREETLIGHT))
    bot.clock.advance(minutes=1)
    await bot.send(RESIDENT, UNCLEAR)
    bot.clock.advance(minutes=31)
    assert await expire_drafts(bot.db, bot.dispatcher.services) == 1
    assert UNCLEAR not in (await bot.ticket(code)).text
    told = [x for x in await bot.texts(RESIDENT) if "没有等到您的回复" in x or "信息不全" in x]
    new = code_of(told[0])
    assert new != code and (await bot.ticket(new)).text == UNCLEAR
    assert f"您之前反映「{UNCLEAR[:20]}" in told[0]  # which report: they may have sent several


async def test_a_bare_place_elsewhere_is_asked_not_appended(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, STREETLIGHT))
    bot.clock.advance(minutes=1)
    question = await bot.send(RESIDENT, "幸福花园8号楼") or ""
    assert code in question and "回复 1" in question
    assert "8号楼" not in (await bot.ticket(code)).text


async def test_another_compound_of_the_same_grid_is_its_own_report(bot: Bot) -> None:
    # 金色港湾 and 幸福花园 6–10 are both 李娜's grid: the grid alone does not make one place
    code = code_of(await bot.send(RESIDENT, "金色港湾门口水管漏水了"))
    bot.clock.advance(minutes=2)
    new = code_of(await bot.send(RESIDENT, "幸福花园8号楼门口自来水突然停了"))
    assert new != code and (await bot.ticket(new)).building == "8"
    assert "自来水" not in (await bot.ticket(code)).text


async def test_a_query_while_we_wait_for_the_place_names_the_waiting_report(bot: Bot) -> None:
    """Trial 12: «查询» while the bot waited for a place answered «您还没有反映过问题»."""
    words = "路口那个井盖没了 晚上很危险"
    asked = await bot.send(RESIDENT, words) or ""
    assert "哪个小区" in asked
    reply = await bot.send(RESIDENT, "查询") or ""
    assert "还没有反映过" not in reply
    assert f"「{words[:20]}" in reply and "还没有登记成工单" in reply and "几号楼" in reply
    code = code_of(await bot.send(RESIDENT, "幸福花园3号楼"))  # the draft is still there
    assert (await bot.ticket(code)).text.startswith(words)
