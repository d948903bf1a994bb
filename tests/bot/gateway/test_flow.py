"""Dedupe, the reply budget, failures and flood control, seen from WeChat's side and the
database: what was answered, what was stored, what went to the outbox."""

from __future__ import annotations

import asyncio

import xmltodict
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.gateway.flow import BUSY, FLOOD_NOTICE, MAX_ATTEMPTS
from bot.gateway.routes import INBOUND
from storage.db import Database
from storage.models import Identity, Outbox, Person
from storage.repos import attachments as attachment_rows
from tests.support.gateway import Gw, MakeGw, event_xml, text_xml


def content(gw: Gw, body: str) -> str:
    return gw.open_reply(body)["Content"]


async def test_retry_is_processed_once(make_gw: MakeGw, any_db: Database) -> None:
    gw = await make_gw("safe", database=any_db)
    xml = text_xml("o-resident", "井盖丢了", msg_id=9001)
    status, body = await gw.mp(xml, encrypt=True)
    assert content(gw, body) == "收到：井盖丢了"
    status, body = await gw.mp(xml, encrypt=True)  # WeChat's retry: same MsgId
    # the first answer may not have reached WeChat: the stored reply, not the work again
    assert (status, content(gw, body)) == (200, "收到：井盖丢了")
    assert len(gw.dispatcher.calls) == 1
    [row] = await gw.inbound()
    assert (row.status, row.reply, row.dedupe_key) == ("done", "收到：井盖丢了",
                                                       "mp:o-resident:9001")
    assert "井盖丢了" in row.raw


async def test_retry_arriving_mid_processing_is_not_processed_again(gw: Gw) -> None:
    gw.dispatcher.gate = asyncio.Event()
    xml = text_xml("o-resident", "楼道堆满杂物", msg_id=9002)
    first = asyncio.create_task(gw.mp(xml, encrypt=True))
    await asyncio.wait_for(gw.dispatcher.entered.wait(), 5)
    # answered at once (the budget is 4 s): the retry never queues behind the first
    status, body = await asyncio.wait_for(gw.mp(xml, encrypt=True), 2)
    assert (status, body) == (200, "success")
    gw.dispatcher.gate.set()
    status, body = await asyncio.wait_for(first, 5)
    assert content(gw, body) == "收到：楼道堆满杂物"
    assert len(gw.dispatcher.calls) == 1
    assert len(await gw.inbound()) == 1


async def test_same_event_twice_is_one_event(make_gw: MakeGw) -> None:
    gw = await make_gw("plain")
    xml = event_xml("o-resident", "CLICK", "MY_TICKETS")
    _, first = await gw.mp(xml)
    assert await gw.mp(xml) == (200, first)  # the stored reply again, the work once
    assert len(gw.dispatcher.calls) == 1


async def test_fast_reply_is_passive_and_not_pushed(gw: Gw) -> None:
    status, body = await gw.mp(text_xml("o-resident", "路灯坏了"), encrypt=True)
    assert content(gw, body) == "收到：路灯坏了"
    await gw.settled()
    assert await gw.outbox() == []


async def test_slow_reply_answers_success_and_goes_to_outbox_once(make_gw: MakeGw) -> None:
    gw = await make_gw("safe", reply_budget_seconds=0.2)
    gw.dispatcher.gate = asyncio.Event()
    xml = text_xml("o-resident", "下水道堵了", msg_id=9003)
    status, body = await asyncio.wait_for(gw.mp(xml, encrypt=True), 5)
    assert (status, body) == (200, "success")
    assert await gw.outbox() == []  # still being processed
    gw.dispatcher.gate.set()
    await gw.settled()
    [row] = await gw.outbox()
    assert (row.channel, row.recipient, row.payload["text"], row.state) == (
        "mp", "o-resident", "收到：下水道堵了", "pending")
    assert gw.sender.wakes >= 1
    # WeChat's retry takes the unsent reply back as its passive reply: delivered once
    status, body = await gw.mp(xml, encrypt=True)
    assert content(gw, body) == "收到：下水道堵了"
    [row] = await gw.outbox()
    assert row.state == "sent"
    assert await gw.mp(xml, encrypt=True) == (200, "success")  # and only once
    assert len(gw.dispatcher.calls) == 1
    [msg] = await gw.inbound()
    assert (msg.status, msg.reply) == ("done", "收到：下水道堵了")


async def test_retry_after_the_push_went_out_is_not_answered_again(make_gw: MakeGw) -> None:
    gw = await make_gw("safe", reply_budget_seconds=0.2)
    gw.dispatcher.gate = asyncio.Event()
    xml = text_xml("o-resident", "路面塌陷", msg_id=9013)
    assert await asyncio.wait_for(gw.mp(xml, encrypt=True), 5) == (200, "success")
    gw.dispatcher.gate.set()
    await gw.settled()
    [row] = await gw.outbox()

    async def sending(s: AsyncSession) -> None:
        (await s.get(Outbox, row.id)).state = "sending"

    await gw.db.run(sending)
    assert await gw.mp(xml, encrypt=True) == (200, "success")


async def test_dispatcher_error_gets_polite_reply_and_is_tried_again(gw: Gw) -> None:
    """A unit that fails (a database that went away for a moment, a killed connection) rolls
    back; the message waits and is tried again, and its real reply follows (trial 13: 103
    acknowledged reports stayed `failed` for good after six seconds of trouble)."""
    gw.dispatcher.error = RuntimeError("boom in handler")
    status, body = await gw.mp(text_xml("o-resident", "电梯困人了"), encrypt=True)
    assert status == 200
    assert content(gw, body) == BUSY
    [row] = await gw.inbound()
    assert row.status == "deferred"
    assert "boom in handler" in (row.error or "")
    assert "电梯困人了" in row.raw
    # WeChat's retry during the back-off is not run again, nor answered twice
    msg_id = int(row.dedupe_key.split(":")[-1])
    status, _ = await gw.mp(text_xml("o-resident", "x", msg_id=msg_id), encrypt=True)
    assert status == 200 and len(gw.dispatcher.calls) == 1
    gw.dispatcher.error = None
    gw.clock.advance(seconds=6)
    assert await gw.app[INBOUND].sweep_once() == 1
    [row] = await gw.inbound()
    assert row.status == "done" and len(gw.dispatcher.calls) == 2
    [pushed] = await gw.outbox()
    assert pushed.payload["text"] != BUSY  # the real reply, late; BUSY went passively


async def test_a_unit_failing_every_time_is_given_up_and_the_resident_told(gw: Gw) -> None:
    before = metrics.INBOUND_FAILURES.labels("given_up")._value.get()
    gw.dispatcher.error = RuntimeError("always")
    assert content(gw, (await gw.mp(text_xml("o-resident", "楼道里有烟味"),
                                    encrypt=True))[1]) == BUSY
    for _ in range(10):
        gw.clock.advance(seconds=100)
        await gw.app[INBOUND].sweep_once()
    [row] = await gw.inbound()
    assert row.status == "failed" and len(gw.dispatcher.calls) == MAX_ATTEMPTS
    [told] = [o.payload["text"] for o in await gw.outbox()]  # BUSY once, passively, then this
    assert "楼道里有烟味" in told and "重新发送" in told and "119" in told
    assert metrics.INBOUND_FAILURES.labels("given_up")._value.get() == before + 1


async def test_late_dispatcher_error_pushes_the_polite_reply(make_gw: MakeGw) -> None:
    gw = await make_gw("safe", reply_budget_seconds=0.2)
    gw.dispatcher.gate = asyncio.Event()
    gw.dispatcher.error = RuntimeError("late boom")
    assert await gw.mp(text_xml("o-resident", "树倒了"), encrypt=True) == (200, "success")
    gw.dispatcher.gate.set()
    await gw.settled()
    [row] = await gw.outbox()
    assert row.payload["text"] == BUSY
    assert (await gw.inbound())[0].status == "deferred"  # and tried again after a back-off


async def test_work_error_is_polite_too(gw: Gw) -> None:
    gw.dispatcher.error = ValueError("bad state")
    status, body = await gw.work(text_xml("ZhangWei", "接单 GD1", to="corp"))
    assert status == 200
    assert gw.open_reply(body, work=True)["Content"] == BUSY


async def test_flood_is_slowed_with_one_notice_and_everything_processed_later(
        make_gw: MakeGw) -> None:
    gw = await make_gw("safe", messages_per_minute=3)
    replies = []
    for n in range(5):
        status, body = await gw.mp(text_xml("o-flood", f"第{n + 1}条"), encrypt=True)
        assert status == 200
        replies.append(body if body == "success" else content(gw, body))
    assert replies == ["收到：第1条", "收到：第2条", "收到：第3条", FLOOD_NOTICE, "success"]
    assert [u.text for u in gw.dispatcher.calls] == ["第1条", "第2条", "第3条"]
    rows = await gw.inbound()
    assert [r.status for r in rows] == ["done", "done", "done", "deferred", "deferred"]
    # others are not affected, unsubscribe always gets through
    _, body = await gw.mp(text_xml("o-calm", "你好"), encrypt=True)
    assert content(gw, body) == "收到：你好"
    gw.dispatcher.reply = lambda u: None
    assert await gw.mp(event_xml("o-flood", "unsubscribe"), encrypt=True) == (200, "success")
    assert gw.dispatcher.calls[-1].event == "unsubscribe"
    gw.dispatcher.reply = lambda u: f"收到：{u.text}"
    assert await gw.app[INBOUND].sweep_once() == 0  # not yet: their slots have not come
    gw.clock.advance(seconds=61)
    assert await gw.app[INBOUND].sweep_once() == 2
    assert [u.text for u in gw.dispatcher.calls][-2:] == ["第4条", "第5条"]  # in order
    assert {r.status for r in await gw.inbound()} == {"done"}
    # their replies go by push (the notice went passively above)
    assert [r.payload["text"] for r in await gw.outbox()] == ["收到：第4条", "收到：第5条"]


async def test_bound_staff_working_a_backlog_are_not_slowed(make_gw: MakeGw) -> None:
    gw = await make_gw("plain", messages_per_minute=2)
    await gw.db.run(lambda s: _bind_officer(s, "o-officer"))
    for n in range(12):
        _, body = await gw.mp(text_xml("o-officer", f"接单 GD{n}"))
        assert xmltodict.parse(body)["xml"]["Content"] == f"收到：接单 GD{n}"
    for n in range(12):
        _, body = await gw.work(text_xml("ZhangWei", f"接单 GD{n}", to="corp"))
        assert gw.open_reply(body, work=True)["Content"] == f"收到：接单 GD{n}"


async def _bind_officer(session: AsyncSession, openid: str) -> None:
    session.add(Person(id="p-officer", name="网格员", roles=["officer"]))
    await session.flush()
    session.add(Identity(person_id="p-officer", channel="mp", external_id=openid))


async def test_retries_do_not_count_towards_the_flood_limit(make_gw: MakeGw) -> None:
    gw = await make_gw("plain", messages_per_minute=2)
    xml = text_xml("o-resident", "同一条")
    for _ in range(4):
        await gw.mp(xml)
    _, body = await gw.mp(text_xml("o-resident", "第二条"))
    assert xmltodict.parse(body)["xml"]["Content"] == "收到：第二条"


async def test_messages_held_by_the_flood_guard_are_counted_as_held_not_refused(
        make_gw: MakeGw) -> None:
    from prometheus_client import REGISTRY

    def count(reply: str) -> float:
        return REGISTRY.get_sample_value("gridbot_gateway_seconds_count",
                                         {"channel": "mp", "reply": reply}) or 0.0

    gw = await make_gw("safe", messages_per_minute=1)
    held, refused, passive = count("held"), count("refused"), count("passive")
    for n in range(3):
        assert (await gw.mp(text_xml("o-held", f"第{n + 1}条"), encrypt=True))[0] == 200
    assert (count("held") - held, count("refused") - refused) == (2, 0)
    assert count("passive") - passive == 1
    assert [r.status for r in await gw.inbound()] == ["done", "deferred", "deferred"]


async def test_the_media_store_is_woken_only_by_a_unit_that_left_it_work(gw: Gw) -> None:
    """Every committed message wakes the outbox sender; the media store (downloads before a
    media id expires, files to delete) only when the unit says it made work for it."""
    def reply(update):  # noqa: ANN001, ANN202
        return f"收到：{update.text}"

    async def handle(session: AsyncSession, update):  # noqa: ANN001, ANN202
        if "照片" in update.text:  # as the conversation does for a photo
            attachment_rows.note_media_work(session)
        return reply(update)

    gw.dispatcher.handle = handle  # type: ignore[method-assign]
    await gw.mp(text_xml("o-a", "路灯坏了", msg_id=9101), encrypt=True)
    await gw.mp(text_xml("o-b", "井盖丢了", msg_id=9102), encrypt=True)
    assert (gw.sender.wakes, gw.media.wakes) == (2, 0)
    await gw.mp(text_xml("o-c", "照片在这", msg_id=9103), encrypt=True)
    assert (gw.sender.wakes, gw.media.wakes) == (3, 1)
