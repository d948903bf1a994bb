"""Chat gets an answer to what it said (trial 12's wording list): 「好的。」 answers only an
acknowledgement; a question about the bot, about sending a place or about 附议 is answered;
anger with nothing to act on is no draft waiting for a place."""

from __future__ import annotations

import pytest

from tests.support.bot import Bot, code_of

LAMP = "幸福花园3号楼门口路灯坏了"


@pytest.mark.parametrize("words", ["在吗😭", "在不在啊"])
async def test_are_you_there_is_answered_without_okay(bot: Bot, words: str) -> None:
    reply = await bot.send("oA", words)
    assert not reply.startswith("好的") and "小区" in reply  # what to send, not «好的。»


async def test_a_question_about_the_bot_is_answered_and_the_place_still_awaited(
        bot: Bot) -> None:
    assert "幸福花园的几号楼" in await bot.send("oA", "幸福花园楼道灯坏了")
    reply = await bot.send("oA", "你们是机器人吗？")
    assert "自动助手" in reply and "人工" in reply and "还在等您告诉我位置" in reply
    assert not reply.startswith("好的")
    assert "已受理" in await bot.send("oA", "3号楼")  # the draft waited


async def test_an_acknowledgement_is_still_answered_in_kind(bot: Bot) -> None:
    assert (await bot.send("oA", "好的")).startswith("好的。")


async def test_how_to_send_a_place_is_answered_while_it_is_awaited(bot: Bot) -> None:
    assert "哪个小区" in await bot.send("oA", "楼道里有人飞线充电")
    reply = await bot.send("oA", "你们不能自己定位吗？")
    assert "「+」" in reply and "位置" in reply and "已记下" not in reply
    code = code_of(await bot.send("oA", "幸福花园3号楼"))
    assert "定位" not in (await bot.ticket(code)).text  # the question is no part of the report


async def test_asking_what_fuyi_means_is_no_yes(bot: Bot) -> None:
    code = code_of(await bot.send("oA", LAMP))
    assert "附议" in await bot.send("oB", "幸福花园3号楼那边路灯一直不亮")
    reply = await bot.send("oB", "附议是什么意思")
    assert "同一个问题" in reply and "回复 1" in reply and "已附议" not in reply
    assert f"已附议工单 {code}" in await bot.send("oB", "1")


async def test_anger_with_nothing_to_act_on_makes_no_draft(bot: Bot) -> None:
    reply = await bot.send("oA", "你们这些人都是吃干饭的 反映了一百遍了")
    assert "很抱歉" in reply and "还在等" not in reply
    filed = await bot.send("oA", "幸福花园5号楼门口垃圾三天没人收了")
    assert "已受理" in filed and "还在等您告诉我位置" not in filed
    # anger with a problem in it is a report
    assert "已受理" in await bot.send("oC", "反映了一百遍了 幸福花园3号楼楼道灯还是不亮")


@pytest.mark.parametrize("cry", ["救命", "救命啊！！", "快来人啊", "SOS", "救救我"])
async def test_a_bare_cry_for_help_gets_the_emergency_numbers_and_a_question(
        bot: Bot, cry: str) -> None:
    """Trial 14: «救命» alone got «有需要随时发消息告诉我们»."""
    reply = await bot.send("oA", cry) or ""
    assert "110" in reply and "120" in reply and "发生了什么" in reply
    assert "随时发消息" not in reply


@pytest.mark.parametrize(("answer", "kept"), [("幸福花园3号楼啊 刚才不是说了吗", "3"),
                                              ("烦死了 就是幸福花园啊3号楼", "3")])
async def test_what_is_said_around_the_place_is_not_the_place(
        bot: Bot, answer: str, kept: str) -> None:
    """Trial 14: «枫桥雅居A座啊 刚才不是说了吗» reached the officer as the place."""
    assert "具体位置" in (await bot.send("oA", "楼道的灯坏了好几天了") or "")
    t = await bot.ticket(code_of(await bot.send("oA", answer)))
    assert t.building == kept and t.assignee_id is not None
    assert "说了" not in (t.place or "") and "烦死了" not in (t.place or "")
    [page] = [x for o in await bot.outbox() if t.code in (x := o.payload.get("text") or "")
              and "【新工单】" in x]
    assert "位置：幸福花园3号楼" in page and "刚才不是说了吗" not in page.split("内容：")[0]


async def test_an_unknown_place_is_kept_without_the_words_around_it(bot: Bot) -> None:
    assert "具体位置" in (await bot.send("oA", "路口那个井盖没了 晚上很危险") or "")
    reply = await bot.send("oA", "西溪印象城北门啊 我都说了") or ""
    assert "西溪印象城北门" in reply and "我都说了" not in reply


def test_an_answer_that_is_all_place_is_kept_whole() -> None:
    from handlers.conversation.intake import place_words

    assert place_words("梧桐苑 3-2-301门口") == "梧桐苑 3-2-301门口"  # a room and its door
    assert place_words("枫桥雅居A座啊 刚才不是说了吗") == "枫桥雅居A座"
