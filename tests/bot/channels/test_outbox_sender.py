"""The outbox sender: every notice delivered once, retried with backoff, failures recorded,
the Official Account window honoured, WeCom pushes paced, crashed sends reclaimed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.db import Database
from storage.models import Outbox

Rig = Any  # tests/bot/channels/conftest.py: the stand-in, settings, database, frozen clock


async def test_each_row_is_sent_exactly_once_when_two_workers_drain_at_once(
        any_db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(any_db, outbox={"batch": 5})  # small claims, so the workers interleave
    await rig.follower("oA", last_inbound_at=rig.clock.now())
    ids: list[int] = []
    for i in range(12):
        ids += await rig.enqueue("mp", "oA", f"通知{i}")
        ids += await rig.enqueue("work", "zhangwei", f"派单{i}")
    one, two = rig.sender(), rig.sender()  # two workers

    settled = 0
    for _ in range(20):
        done = await asyncio.gather(one.drain_once(), two.drain_once(), one.drain_once())
        settled += sum(done)
        if not any(done):
            break
    assert settled == 24
    assert rig.standin.texts("zhangwei") == [f"派单{i}" for i in range(12)]  # once, in order
    assert rig.standin.texts("oA") == [f"通知{i}" for i in range(5)]  # the window's 5 pushes
    states = [(await rig.row(i)).state for i in ids]
    assert states[1::2] == ["sent"] * 12
    assert states[0::2] == ["sent"] * 5 + ["held"] * 7  # the rest wait for the next reply
    assert await rig.pushes("oA") == 5


async def test_retry_with_backoff_then_failed_after_max_attempts(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, http={"retries": 0}, outbox={"max_attempts": 3, "backoff_seconds": 5})
    [row_id] = await rig.enqueue("work", "zhangwei", "新工单")
    rig.standin.fail("message/send", status=500, times=10)
    sender = rig.sender()

    assert await sender.drain_once() == 1
    row = await rig.row(row_id)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "-2 HTTP 500")
    assert row.next_attempt_at == rig.clock.now() + timedelta(seconds=5)
    assert await sender.drain_once() == 0  # not due yet: nothing is tried early
    assert rig.standin.calls["message/send"] == 1

    rig.clock.advance(seconds=5)
    assert await sender.drain_once() == 1
    row = await rig.row(row_id)
    assert (row.state, row.attempts) == ("pending", 2)
    assert row.next_attempt_at == rig.clock.now() + timedelta(seconds=10)  # doubled

    rig.clock.advance(seconds=10)
    await sender.drain_once()
    row = await rig.row(row_id)
    assert (row.state, row.attempts, row.last_error) == ("failed", 3, "-2 HTTP 500")
    rig.clock.advance(hours=1)
    assert await sender.drain_once() == 0
    assert rig.standin.calls["message/send"] == 3 and rig.standin.sent == []
    assert sender.metrics()["retried"] == 2 and sender.metrics()["failed"] == 1


async def test_a_transient_failure_is_delivered_on_the_next_attempt(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    [row_id] = await rig.enqueue("work", "zhangwei", "新工单")
    rig.standin.fail("message/send", -1, errmsg="system busy")
    sender = rig.sender()
    await sender.drain_once()
    rig.clock.advance(seconds=5)
    await sender.drain_once()
    row = await rig.row(row_id)
    assert (row.state, row.attempts, row.sent_at) == ("sent", 2, rig.clock.now())
    assert rig.standin.texts("zhangwei") == ["新工单"]


async def test_wecom_invaliduser_fails_the_row_at_once(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    [row_id] = await rig.enqueue("work", "leftthejob", "新工单")
    rig.standin.fail("message/send", invaliduser=True)
    await rig.sender().drain_once()
    row = await rig.row(row_id)
    assert (row.state, row.attempts) == ("failed", 1)
    assert "invaliduser leftthejob" in row.last_error
    assert rig.standin.sent == []


async def test_window_closed_without_template_holds_the_row_for_the_next_reply(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    await rig.follower("oOld", last_inbound_at=rig.clock.now() - timedelta(hours=49))
    [row_id] = await rig.enqueue("mp", "oOld", "您的工单已办结")
    sender = rig.sender()
    assert await sender.drain_once() == 1
    assert (await rig.row(row_id)).state == "held"
    assert sum(rig.standin.calls.values()) == 0  # no call WeChat would refuse anyway
    assert sender.metrics()["held"] == 1

    async def reply(s: AsyncSession) -> list[str]:  # what the dispatcher does on a message
        taken, left = await outbox.take_held(s, "mp", "oOld", rig.clock.now())
        assert left == 0
        return [r.payload["text"] for r in taken]

    assert await db.run(reply) == ["您的工单已办结"]


async def test_api_answering_45015_holds_the_rest_of_that_residents_rows(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    await rig.follower("oA", last_inbound_at=rig.clock.now() - timedelta(hours=1))
    ids = await rig.enqueue("mp", "oA", "一", "二")
    rig.standin.fail("message/custom/send", 45015, errmsg="response out of time limit")
    await rig.sender().drain_once()
    rows = [await rig.row(i) for i in ids]
    assert [r.state for r in rows] == ["held", "held"]
    assert "45015" in rows[0].last_error
    assert rig.standin.calls["message/custom/send"] == 1  # the second was not tried in vain


async def test_window_closed_with_a_template_sends_the_template(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, template_id="TPL-PROGRESS")
    await rig.follower("oOld", last_inbound_at=rig.clock.now() - timedelta(days=3))
    await rig.follower("oNew", last_inbound_at=rig.clock.now(), pushes=0)
    rig.standin.fail("message/custom/send", 45047, errmsg="out of response count limit")
    old_id, = await rig.enqueue("mp", "oOld", "您的工单已办结")
    new_id, = await rig.enqueue("mp", "oNew", "网格员已接单")
    await rig.sender().drain_once()

    assert [(m["touser"], m["kind"], m["template_id"]) for m in rig.standin.sent] == [
        ("oOld", "template", "TPL-PROGRESS"), ("oNew", "template", "TPL-PROGRESS")]
    assert rig.standin.texts("oOld") == ["您的工单已办结"]
    assert [(await rig.row(i)).state for i in (old_id, new_id)] == ["sent", "sent"]
    assert await rig.pushes("oNew") == 0  # a template does not use the window's pushes


async def test_wecom_pushes_to_one_member_are_paced(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)  # max_per_minute = 20
    ids = await rig.enqueue("work", "zhangwei", *(f"派单{i}" for i in range(21)))
    [other] = await rig.enqueue("work", "lisi", "派单")
    sender = rig.sender()
    for _ in range(3):  # rounds take up to 10 rows of one member
        await sender.drain_once()
    assert len(rig.standin.texts("zhangwei")) == 20
    assert rig.standin.texts("lisi") == ["派单"]  # another member is not held up
    last = await rig.row(ids[-1])
    assert (last.state, last.attempts) == ("pending", 0)  # deferred, not a failed attempt
    assert last.next_attempt_at == rig.clock.now() + timedelta(minutes=1)

    rig.clock.advance(seconds=30)
    await sender.drain_once()
    assert len(rig.standin.texts("zhangwei")) == 20
    rig.clock.advance(seconds=31)
    await sender.drain_once()
    assert rig.standin.texts("zhangwei")[-1] == "派单20"
    assert (await rig.row(ids[-1])).state == "sent" and (await rig.row(other)).state == "sent"


async def test_a_row_left_sending_by_a_crashed_worker_is_reclaimed_once(
        any_db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(any_db, http={"timeout_seconds": 5, "retries": 0})
    [row_id] = await rig.enqueue("work", "zhangwei", "新工单")
    rig.standin.fail("message/send", delay=30, status=503)  # the worker dies during this call
    crashed = asyncio.create_task(rig.sender().drain_once())
    await rig.standin.wait_for(lambda: rig.standin.calls["message/send"] == 1, timeout=5)
    crashed.cancel()
    await asyncio.gather(crashed, return_exceptions=True)
    assert (await rig.row(row_id)).state == "sending"

    survivor = rig.sender()
    # the lease scales with the send budget: 5 s × 1 try, twice (a token fetch), + 5 s
    rig.clock.advance(seconds=14)  # the lease still runs: nobody else touches the row
    assert await survivor.drain_once() == 0
    rig.clock.advance(seconds=2)
    assert await survivor.drain_once() == 1
    row = await rig.row(row_id)
    assert (row.state, row.attempts) == ("sent", 2)
    assert rig.standin.texts("zhangwei") == ["新工单"]
    assert survivor.metrics()["reclaimed"] == 1


async def test_an_official_account_row_left_sending_is_held_not_pushed_again(
        any_db: Database, make_rig: Callable[..., Rig]) -> None:
    # the Official Account has no duplicate check: the dead worker's POST may have gone out
    rig = make_rig(any_db, http={"timeout_seconds": 5, "retries": 0})
    [row_id] = await rig.enqueue("mp", "oResident1", "您的工单已办结")
    rig.standin.fail("message/custom/send", delay=30, status=503)
    crashed = asyncio.create_task(rig.sender().drain_once())
    await rig.standin.wait_for(lambda: rig.standin.calls["message/custom/send"] == 1,
                               timeout=5)
    crashed.cancel()
    await asyncio.gather(crashed, return_exceptions=True)
    rig.clock.advance(seconds=16)
    survivor = rig.sender()
    await survivor.drain_once()
    row = await rig.row(row_id)
    assert row.state == "held" and "may have gone out" in (row.last_error or "")
    assert rig.standin.calls["message/custom/send"] == 1  # never a second POST
    assert survivor.metrics()["reclaimed"] == 1


async def test_run_sends_when_woken_and_stops(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, outbox={"poll_seconds": 60})
    sender = rig.sender()
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await rig.enqueue("work", "zhangwei", "新工单")
    sender.wake()  # without it the loop would sleep for a minute
    await rig.standin.wait_for(lambda: rig.standin.texts("zhangwei") == ["新工单"], timeout=5)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert sender.metrics()["sent"] == 1


async def test_recipients_stuck_in_flight_do_not_hold_back_the_others(
        any_db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(any_db, outbox={"batch": 10})
    stuck = []
    for n in range(15):  # the oldest rows: each recipient has one being sent elsewhere
        first, second = await rig.enqueue("work", f"busy{n}", f"旧{n}", f"新{n}")
        stuck.append(second)

        async def in_flight(s: AsyncSession, row_id: int = first) -> None:
            row = await s.get(Outbox, row_id)
            row.state, row.next_attempt_at = "sending", rig.clock.now() + timedelta(minutes=1)

        await any_db.run(in_flight)
    fresh = await rig.enqueue("work", "calm", "新工单")
    await rig.sender().drain_once()
    assert rig.standin.texts("calm") == ["新工单"]
    assert (await rig.row(fresh[0])).state == "sent"
    assert [(await rig.row(i)).state for i in stuck] == ["pending"] * 15  # after theirs


async def test_a_graceful_stop_releases_what_it_claimed_and_did_not_send(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, http={"timeout_seconds": 5, "retries": 0})
    ids = await rig.enqueue("work", "zhangwei", "一", "二", "三")
    rig.standin.fail("message/send", delay=0.5)  # the first send is in flight at the stop
    sender = rig.sender()
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await rig.standin.wait_for(lambda: rig.standin.calls["message/send"] == 1, timeout=5)
    stop.set()
    await asyncio.wait_for(task, timeout=sender.stop_grace)
    assert rig.standin.texts("zhangwei") == ["一"]  # the send in flight finished
    rows = [await rig.row(i) for i in ids]
    assert [r.state for r in rows] == ["sent", "pending", "pending"]
    assert all(r.next_attempt_at <= rig.clock.now() for r in rows[1:])  # due at once
    assert [r.attempts for r in rows] == [1, 0, 0]


async def test_a_push_that_may_have_arrived_is_not_pushed_again(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, http={"timeout_seconds": 0.2, "retries": 2})
    [mp_id] = await rig.enqueue("mp", "oA", "您的工单已受理")
    [work_row] = await rig.enqueue("work", "zhangwei", "新工单")
    rig.standin.chaos(0.0, ghost=1.0, hang_seconds=1.0)  # delivered, then no answer in time
    await rig.sender().drain_once()
    assert rig.standin.texts("oA") == ["您的工单已受理"]
    assert rig.standin.calls["message/custom/send"] == 1  # not resent, here or later
    mp_row = await rig.row(mp_id)
    assert mp_row.state == "held" and "may have arrived" in (mp_row.last_error or "")
    # WeCom drops a repeat itself (duplicate check): that row is retried
    assert (await rig.row(work_row)).state == "pending"


def _page(i: int, head: str = "【新工单】") -> str:
    return (f"{head}GD20261203-{i:04d}\n类别：供水排水，紧急程度：一般\n位置：澄园{i}栋\n"
            f"内容：地下车库进水了\n回复「接单 GD20261203-{i:04d}」接单。")


async def _drain(sender: Any, times: int = 5) -> None:
    for _ in range(times):
        await sender.drain_once()


async def test_an_urgent_page_goes_before_the_ordinary_backlog_of_the_same_member(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, outbox={"fold_after": 0})  # one message per notice: order alone
    await rig.enqueue("work", "keyiming", *(_page(i) for i in range(30)))
    sender = rig.sender()
    await _drain(sender)
    assert len(rig.standin.texts("keyiming")) == 20  # the minute's pace, oldest first
    rig.clock.advance(seconds=20)
    [urgent] = await rig.enqueue("work", "keyiming", _page(99, "【紧急工单】"), urgent=True)
    rig.clock.advance(seconds=40)  # the pace has room again
    await _drain(sender)
    got = rig.standin.texts("keyiming")
    assert got[20] == _page(99, "【紧急工单】")  # before the ten ordinary ones still waiting
    assert got[21:] == [_page(i) for i in range(20, 30)]
    assert (await rig.row(urgent)).state == "sent"


async def test_deferred_counts_the_notices_held_back_not_each_look_at_them(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, outbox={"fold_after": 0})
    sender = rig.sender()
    await rig.enqueue("work", "keyiming", *(f"派单{i}" for i in range(10)))
    await _drain(sender)
    rig.clock.advance(seconds=1)  # ten more a second later: their slots free a second later
    await rig.enqueue("work", "keyiming", *(f"派单{i}" for i in range(10, 20)))
    await _drain(sender)
    late = await rig.enqueue("work", "keyiming", *(f"派单{i}" for i in range(20, 35)))
    await _drain(sender)
    assert sender.metrics()["deferred"] == 15
    rig.clock.advance(seconds=59)  # the first ten slots are free: ten go, five wait again
    await _drain(sender)
    assert len(rig.standin.texts("keyiming")) == 30
    assert (await rig.row(late[-1])).next_attempt_at == rig.clock.now() + timedelta(seconds=1)
    rig.clock.advance(seconds=1)
    await _drain(sender)
    assert rig.standin.texts("keyiming") == [f"派单{i}" for i in range(35)]
    assert sender.metrics()["deferred"] == 15  # 15 notices waited, however often looked at
    assert sender.metrics()["sent"] == 35


async def test_a_long_backlog_is_folded_into_digests_urgent_first(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, outbox={"fold_after": 10})
    sender = rig.sender()
    await rig.enqueue("work", "zhanqiuhe", *(_page(i) for i in range(20)))
    await _drain(sender)
    ordinary = await rig.enqueue("work", "zhanqiuhe", *(_page(i) for i in range(20, 32)))
    urgent = await rig.enqueue("work", "zhanqiuhe",
                               *(_page(i, "【紧急工单】") for i in range(40, 51)), urgent=True)
    few = await rig.enqueue("work", "lisi", *(_page(i) for i in range(60, 63)))
    await _drain(sender)
    assert len(rig.standin.texts("zhanqiuhe")) == 20  # the pace: nothing more this minute
    assert rig.standin.texts("lisi") == [_page(i) for i in range(60, 63)]  # short: whole
    rig.clock.advance(seconds=60)
    await _drain(sender)
    first, second = rig.standin.texts("zhanqiuhe")[20:]  # 23 notices in two messages
    assert first.startswith("【紧急通知汇总】通知较多（企业微信每人每分钟限 20 条），"
                            "以下 11 条合并发送：")
    # head and code, place, the resident's words (the deadlines and category lines left out)
    assert "\n1. 【紧急工单】GD20261203-0040 澄园40栋 地下车库进水了\n" in first
    assert "\n11. 【紧急工单】GD20261203-0050 " in first
    assert first.endswith("详情请发送「工单 编号」查看。")
    assert second.startswith("【通知汇总】") and "以下 12 条" in second
    assert "\n12. 【新工单】GD20261203-0031 " in second
    assert all(len(t.encode()) <= 2048 for t in (first, second))
    rows = [await rig.row(i) for i in ordinary + urgent]
    assert {r.state for r in rows} == {"folded"}
    assert rows[0].last_error.startswith("folded into digest #")
    assert sender.metrics()["folded"] == 23 and sender.metrics()["sent"] == 25
    assert {(await rig.row(i)).state for i in few} == {"sent"}


async def test_a_digest_of_many_notices_is_split_to_fit_wecoms_limit(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, outbox={"fold_after": 10})
    sender = rig.sender()
    await rig.enqueue("work", "zhanqiuhe", *(f"派单{i}" for i in range(20)))
    await _drain(sender)
    await rig.enqueue("work", "zhanqiuhe", *(_page(i) for i in range(100, 160)))
    await _drain(sender)
    rig.clock.advance(seconds=60)
    await _drain(sender)
    digests = rig.standin.texts("zhanqiuhe")[20:]
    assert len(digests) > 1 and all(len(t.encode()) <= 2048 for t in digests)
    assert digests[0].startswith(f"【通知汇总】（1/{len(digests)}）")
    folded = [line for t in digests for line in t.split("\n")[1:-1]]
    assert len(folded) == 60 and folded[-1].startswith(f"{len(digests[-1].split(chr(10))) - 2}. ")
    assert "GD20261203-0159" in folded[-1]


@pytest.mark.parametrize(("ago", "pushes", "reason"), [
    (timedelta(hours=49), 0, "48 小时内未发消息"),
    (timedelta(minutes=9), 5, "已连续推送 5 条，需本人回复一条消息后才能继续推送")])
async def test_a_staff_members_urgent_notice_held_by_the_window_reaches_the_stand_ins(
        db: Database, make_rig: Callable[..., Rig], ago: timedelta, pushes: int,
        reason: str) -> None:
    """Trial 14: an officer bound on the Official Account only, who had not written for a
    while, never got 【即将超时】 for a lift with a mother inside: it waited for his next
    message. It still waits, and the community's desk and leader get it at once, with the
    reason as it is (trial 15: told «48 小时内未发消息» of one who wrote nine minutes before,
    whose pushes for that message were spent)."""
    from sqlalchemy import select

    from storage.district import import_district
    from storage.models import Identity, Person, Region, Ticket
    from tests.support.district import DISTRICT

    rig = make_rig(db)
    await db.run(lambda s: import_district(s, DISTRICT, source="t", now=rig.clock.now()))

    async def setup(s: AsyncSession) -> tuple[int, int]:
        community = (await s.scalars(select(Region).where(Region.name == "连江社区"))).one()
        s.add(Person(id="oa_off", name="公众号网格员", roles=["officer"], active=True))
        await s.flush()
        s.add(Identity(channel="mp", external_id="oOfficer", person_id="oa_off",
                       last_inbound_at=rig.clock.now() - ago,
                       pushes_since_inbound=pushes, created_at=rig.clock.now()))
        t = Ticket(code="GD20261122-0001", category="building_safety", urgency="urgent",
                   text="电梯困人 我妈在里面", community_id=community.id, status="assigned",
                   assignee_id="oa_off", created_at=rig.clock.now(), updated_at=rig.clock.now())
        s.add(t)
        await s.flush()
        urgent = outbox.enqueue(s, channel="mp", recipient="oOfficer", person_id="oa_off",
                                text="【即将超时】工单 GD20261122-0001 请尽快接单", ticket_id=t.id,
                                at=rig.clock.now(), urgent=True)
        ordinary = outbox.enqueue(s, channel="mp", recipient="oOfficer", person_id="oa_off",
                                  text="【新工单】GD20261122-0002", at=rig.clock.now())
        await s.flush()
        return urgent.id, ordinary.id

    urgent_id, ordinary_id = await db.run(setup)
    sender = rig.sender()
    await sender.drain_once()
    assert (await rig.row(urgent_id)).state == "held"  # still kept for his next message
    assert (await rig.row(ordinary_id)).state == "held"
    assert sender.metrics()["relayed"] == 2  # the desk (liming) and the leader (chenjun)
    await sender.drain_once()
    for member in ("liming", "chenjun"):
        [told] = rig.standin.texts(member)
        assert told.startswith("【转告】公众号网格员") and "请尽快接单" in told
        assert reason in told
    assert "GD20261122-0002" not in " ".join(rig.standin.texts("liming"))  # ordinary: waits
