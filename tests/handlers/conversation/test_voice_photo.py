"""Voice with and without Recognition; photos from residents and from officers."""

from __future__ import annotations

from handlers.conversation.types import Update
from storage.repos.attachments import media_work
from tests.support.bot import Bot, code_of
from tests.support.wechat import WeChat, attachments

RESIDENT = "oVoice0001"
REPORT = "幸福花园3号楼门口路灯坏了"


async def test_recognised_voice_is_a_report_that_keeps_its_recording(bot: Bot,
                                                                     wx: WeChat) -> None:
    reply = await wx.voice(RESIDENT, "VOICE_MEDIA_1", f"{REPORT}。")
    code = code_of(reply)
    assert "张伟" in reply and "连江社区第一网格" in reply
    [att] = await attachments(bot, code)
    assert (att.kind, att.media_id, att.state) == ("voice", "VOICE_MEDIA_1", "pending")
    assert "附件：语音（保存中）" in await bot.send(RESIDENT, f"查询 {code}")


async def test_recognised_voice_works_as_an_officer_command(bot: Bot, wx: WeChat) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    await wx.voice("zhangwei", "VOICE_OFFICER", f"办结{code}灯已经换好了", channel="work")
    t = await bot.ticket(code)
    assert (t.status, t.resolution) == ("resolved", "灯已经换好了")
    assert [a.kind for a in await attachments(bot, code)] == ["voice"]  # kept as evidence


async def test_voice_without_recognition_goes_to_triage_with_its_media(bot: Bot,
                                                                      wx: WeChat) -> None:
    await bot.send(RESIDENT, "绑定 幸福花园3号楼")  # so the community's triage list hears it
    reply = await wx.voice(RESIDENT, "VOICE_MEDIA_2")  # no <Recognition> at all
    code = code_of(reply)
    assert "语音" in reply and "收听" in reply
    t = await bot.ticket(code)
    assert (t.status, t.assignee_id, t.region_id) == ("new", None, None)
    assert [(a.kind, a.media_id) for a in await attachments(bot, code)] == [
        ("voice", "VOICE_MEDIA_2")]
    pushed = await bot.texts("liming")  # 连江社区's triage list
    assert len(pushed) == 1 and code in pushed[0] and "派单" in pushed[0]


async def test_empty_recognition_counts_as_none(bot: Bot, wx: WeChat) -> None:
    code = code_of(await wx.voice(RESIDENT, "VOICE_MEDIA_3", ""))
    assert (await bot.ticket(code)).assignee_id is None
    assert any(code in x for x in await bot.texts("centre"))  # district triage: no address


async def test_photo_first_starts_a_draft_that_asks_what_and_where(bot: Bot,
                                                                   wx: WeChat) -> None:
    reply = await wx.image(RESIDENT, "PHOTO_1")
    assert "什么问题" in reply and "小区" in reply
    assert await bot.outbox() == []
    reply = await wx.image(RESIDENT, "PHOTO_2")  # a second photo joins the same draft
    assert "什么问题" in reply
    code = code_of(await bot.send(RESIDENT, REPORT))
    assert [a.media_id for a in await attachments(bot, code)] == ["PHOTO_1", "PHOTO_2"]
    detail = await bot.send(RESIDENT, f"查询 {code}")
    assert "补充附件：照片 2 张" in detail


async def test_photo_after_a_report_joins_it_within_ten_minutes(bot: Bot, wx: WeChat) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    bot.clock.advance(minutes=9)
    reply = await wx.image(RESIDENT, "PHOTO_3")
    assert f"补充到工单 {code}" in reply
    bot.clock.advance(minutes=2)  # 11 minutes after the report: a new matter
    reply = await wx.image(RESIDENT, "PHOTO_4")
    assert code not in reply and "什么问题" in reply
    assert [a.media_id for a in await attachments(bot, code)] == ["PHOTO_3"]


async def test_photo_while_asked_for_the_place_stays_with_the_draft(bot: Bot,
                                                                    wx: WeChat) -> None:
    assert "哪个小区" in await bot.send(RESIDENT, "路灯坏了好几天了晚上黑漆漆的")
    assert "哪个小区" in await wx.image(RESIDENT, "PHOTO_5")
    code = code_of(await bot.send(RESIDENT, "幸福花园2号楼"))
    assert [a.media_id for a in await attachments(bot, code)] == ["PHOTO_5"]


async def test_officer_photo_after_resolving_goes_to_that_ticket(bot: Bot,
                                                                 wx: WeChat) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    await bot.send("zhangwei", f"办结 {code} 已更换灯泡", channel="work")
    reply = await wx.image("zhangwei", "EVIDENCE_1", channel="work")
    assert f"工单 {code} 的办理凭证" in reply
    assert [a.media_id for a in await attachments(bot, code)] == ["EVIDENCE_1"]
    detail = await bot.send("zhangwei", f"工单 {code}", channel="work")
    assert "补充附件 · 张伟：照片 1 张" in detail


async def test_officer_photo_first_is_attached_by_the_next_progress(bot: Bot,
                                                                    wx: WeChat) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    reply = await wx.image("zhangwei", "EVIDENCE_2", channel="work")  # nothing acted on yet
    assert "进度 工单号" in reply
    reply = await bot.send("zhangwei", f"进度 {code} 已到现场", channel="work")
    assert "已附照片 1 张" in reply
    assert [a.media_id for a in await attachments(bot, code)] == ["EVIDENCE_2"]
    assert any("已到现场" in x for x in await bot.texts(RESIDENT))


async def test_unrecognised_voice_answering_where_keeps_the_drafts_words(bot: Bot,
                                                                        wx: WeChat) -> None:
    assert "哪个小区" in await bot.send(RESIDENT, "路灯坏了好几天了晚上黑漆漆的")
    code = code_of(await wx.voice(RESIDENT, "VOICE_WHERE"))
    t = await bot.ticket(code)
    assert (t.text, t.assignee_id) == ("路灯坏了好几天了晚上黑漆漆的", None)
    assert [a.media_id for a in await attachments(bot, code)] == ["VOICE_WHERE"]


async def test_photo_answering_an_officers_question_reaches_the_officer(bot: Bot,
                                                                       wx: WeChat) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    await bot.send("zhangwei", f"追问 {code} 麻烦拍张照片看看是哪根灯杆", channel="work")
    bot.clock.advance(minutes=30)  # long after the report: not "a photo for a recent ticket"
    reply = await wx.image(RESIDENT, "PHOTO_ANSWER")
    assert f"补充到工单 {code}" in reply
    assert [a.media_id for a in await attachments(bot, code)] == ["PHOTO_ANSWER"]
    assert "居民发来照片" in (await bot.texts("zhangwei"))[-1]
    await bot.send(RESIDENT, "就是门口第二根")  # the words still answer the question
    assert (await bot.ticket(code)).status == "in_progress"


async def test_assignment_push_counts_the_photos_and_a_later_one_is_passed_on(
        bot: Bot, wx: WeChat) -> None:
    await wx.image(RESIDENT, "PHOTO_A")
    await wx.image(RESIDENT, "PHOTO_B")
    code = code_of(await bot.send(RESIDENT, REPORT))
    [push] = [x for x in await bot.texts("zhangwei") if "【新工单】" in x]
    assert "照片 2 张" in push and f"工单 {code}" in push
    bot.clock.advance(minutes=3)
    assert "转告负责人" in await wx.image(RESIDENT, "PHOTO_C")
    assert any("补充了照片" in x and code in x for x in await bot.texts("zhangwei"))


async def test_a_photo_or_voice_says_the_media_store_has_work_and_text_does_not(
        bot: Bot) -> None:
    """The gateway wakes the media store (downloads before the id expires) after a unit that
    made it work, and leaves it to its poll otherwise."""
    async def said(update: Update) -> bool:
        async def unit(s):  # noqa: ANN001, ANN202
            await bot.dispatcher.handle(s, update)
            return media_work(s)

        return await bot.db.run(unit)

    def update(n: int, kind: str, **kw: object) -> Update:
        return Update(channel="mp", sender=f"{RESIDENT}-{n}", type=kind, msg_id=str(9000 + n),
                      create_time=1764000000 + n, **kw)  # type: ignore[arg-type]

    assert not await said(update(1, "text", text=REPORT))
    assert await said(update(2, "image", media_id="PHOTO_W"))
    assert await said(update(3, "voice", media_id="VOICE_W", text="金色港湾2栋门口井盖丢了"))
    assert not await said(update(4, "text", text="查询"))
