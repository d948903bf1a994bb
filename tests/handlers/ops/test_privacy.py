"""Unsubscribe erases a resident's personal data (raw inbound XML, outbox payloads included)
while their tickets stay, anonymised; phone numbers are masked in messages and log lines."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.channels import SendResult
from bot.channels.media_store import MediaStore
from handlers.ops.privacy import REDACTED, MaskPhones
from storage.config import MediaConfig
from storage.models import Attachment, Identity, InboundMessage, Outbox, Person
from tests.support.bot import Bot, code_of
from tests.support.wechat import WeChat, attachments

GONE, STAYS = "oLeaving0001", "oStaying0001"
PHONE = "13812340001"


class Files:
    async def media_get(self, media_id: str) -> SendResult:
        return SendResult(ok=True, content=b"#!AMR\n" + media_id.encode(),
                          content_type="audio/amr")


async def _rows(bot: Bot, model: Any, **where: Any) -> list[Any]:
    async def q(s: Any) -> list[Any]:
        stmt = select(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return list((await s.scalars(stmt.order_by(model.id))).unique().all())

    return await bot.db.read(q)


async def test_unsubscribe_erases_identity_raw_payloads_and_keeps_tickets(
        bot: Bot, wx: WeChat, tmp_path: Path) -> None:
    await wx.text(GONE, "绑定 幸福花园3号楼2单元", keep_raw=True)
    code = code_of(await wx.voice(GONE, "VOICE_GONE", f"幸福花园3号楼门口路灯坏了，电话{PHONE}",
                                  keep_raw=True))
    await wx.text(STAYS, "幸福花园5号楼门口垃圾没人清运", keep_raw=True)
    await bot.send("zhangwei", f"接单 {code}", channel="work")
    media_dir = tmp_path / "media"
    store = MediaStore(MediaConfig(), media_dir, bot.db, bot.clock, {"mp": Files()})
    assert await store.run_once() == 1
    [voice] = await attachments(bot, code)
    assert (media_dir / voice.path).read_bytes() == b"#!AMR\nVOICE_GONE"

    async def hold(s: Any) -> None:  # a notice waiting for the window to reopen
        for row in (await s.scalars(select(Outbox).where(Outbox.recipient == GONE))).all():
            row.state = "held"

    await bot.db.run(hold)
    assert await wx.event(GONE, "unsubscribe", keep_raw=True) is None

    inbound = await _rows(bot, InboundMessage)
    mine = [r for r in inbound if r.raw == REDACTED]
    assert len(mine) == 3 and all(GONE not in r.from_user + r.dedupe_key for r in mine)
    assert all(PHONE not in r.raw and GONE not in r.raw for r in inbound)
    [kept] = [r for r in inbound if r.raw != REDACTED]
    assert kept.from_user == STAYS and "垃圾" in kept.raw  # nobody else's rows change
    assert await _rows(bot, Outbox, recipient=GONE) == []
    erased = [r for r in await _rows(bot, Outbox) if r.payload.get("text") == REDACTED]
    assert erased and all(r.state in ("sent", "failed") for r in erased)
    assert await _rows(bot, Identity, external_id=GONE) == []

    t = await bot.ticket(code)
    assert t.status == "accepted" and t.category == "municipal"  # kept for statistics
    assert PHONE not in t.text and "138****0001" in t.text
    [person] = await _rows(bot, Person, id=t.reporter_id)
    assert (person.name, person.phone, person.home_address) == ("", None, None)

    assert await store.run_once() == 1  # the recording is deleted: a voice is personal
    [voice] = await attachments(bot, code)
    assert (voice.state, voice.path) == ("erased", None)
    assert [p for p in media_dir.rglob("*") if p.is_file()] == []

    assert "还没有反映" in await bot.send(GONE, "查询")  # a returning follower starts afresh


async def test_unsubscribe_of_a_follower_stops_their_notices(bot: Bot) -> None:
    code = code_of(await bot.send(STAYS, "幸福花园3号楼门口路灯坏了"))
    await bot.send(GONE, "幸福花园3号楼那边路灯一直不亮")
    await bot.send(GONE, "1")
    await bot.event(GONE, "unsubscribe")
    await bot.send("zhangwei", f"接单 {code}", channel="work")
    assert await bot.texts(GONE) == []
    assert len(await bot.texts(STAYS)) == 1


async def test_a_bound_officer_unsubscribing_keeps_their_staff_record(bot: Bot) -> None:
    await bot.send("oOfficerMp", "绑定 483920")
    await bot.event("oOfficerMp", "unsubscribe")
    [zw] = await _rows(bot, Person, id="zhangwei")
    assert (zw.name, zw.phone, zw.active) == ("张伟", "13800000001", True)
    assert [i.channel for i in await _rows(bot, Identity, person_id="zhangwei")] == ["work"]


async def test_nobody_sees_another_residents_identity(bot: Bot) -> None:
    code = code_of(await bot.send(STAYS, f"幸福花园3号楼门口路灯坏了，电话{PHONE}"))
    offer = await bot.send(GONE, "幸福花园3号楼那边路灯一直不亮")
    assert PHONE not in offer and "电话" not in offer  # not even the other's words

    async def name(s: Any) -> None:  # e.g. a correspondent, who registered with a name
        t = (await s.scalars(select(Person).join(Identity).where(
            Identity.external_id == GONE))).one()
        t.name = "王小明"

    await bot.db.run(name)
    await bot.send(GONE, "1")
    await bot.send("zhangwei", f"接单 {code}", channel="work")
    detail = await bot.send(STAYS, f"查询 {code}")
    assert "居民附议" in detail and "张伟" in detail
    assert "王小明" not in detail
    assert PHONE not in await bot.send(GONE, f"查询 {code}")
    assert all(PHONE not in x for x in await bot.texts("zhangwei"))


def test_phone_numbers_are_masked_in_log_lines() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(MaskPhones())
    log = logging.getLogger("tests.media.privacy")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("resident %s called from %s", "王", PHONE)
        log.warning("no args 13900001234 here")
    finally:
        log.removeHandler(handler)
    assert out.getvalue() == "resident 王 called from 138****0001\nno args 139****1234 here\n"


async def test_unlinked_draft_media_is_erased_too(bot: Bot, wx: WeChat) -> None:
    await wx.image(GONE, "PHOTO_DRAFT")  # a draft never finished
    await bot.event(GONE, "unsubscribe")
    [a] = await _rows(bot, Attachment)
    assert (a.state, a.media_id) == ("erased", "")


async def test_the_reply_log_line_names_the_sender_by_tag_only(bot, caplog) -> None:  # noqa: ANN001
    """On call one follows a resident through the log: the reply line names the sender, as
    the short tag every other line uses, never the openid (trial 13)."""
    import logging

    from handlers.ops.privacy import tag
    caplog.set_level(logging.INFO, logger="handlers.conversation.dispatcher")
    await bot.send("oTraceMe01", "幸福花园3号楼楼道灯坏了")
    [line] = [r.getMessage() for r in caplog.records if "→" in r.getMessage()]
    assert f"from {tag('oTraceMe01')}" in line and "oTraceMe01" not in line
