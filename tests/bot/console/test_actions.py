"""Console actions go through the state machine and the notices of the WeCom commands: history
with the console user as actor, the audit log, and pushes in the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEntry, ConsoleUser, Outbox, Ticket, TicketEvent
from storage.stats import parse_range, staff_cancelled
from tests.support.console import LJ_CODES, NOW, TRIAGE_CODE, MakeClient, page_csrf


async def act(c: Any, code: str, **data: str) -> str:
    csrf = await page_csrf(c, f"/console/tickets/{code}")
    resp = await c.post(f"/console/tickets/{code}/act", data={"csrf": csrf, **data},
                        allow_redirects=False)
    assert resp.status == 302, await resp.text()
    return resp.headers["Location"]


async def _events(db: Database, code: str) -> list[TicketEvent]:
    async def q(s: Any) -> list[TicketEvent]:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
        return list((await s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)
                                     .order_by(TicketEvent.id))).all())
    return await db.read(q)


async def _outbox(db: Database) -> list[Outbox]:
    return list(await db.read(lambda s: s.scalars(select(Outbox).order_by(Outbox.id))))


async def test_reassign_goes_through_the_state_machine_and_pushes(
        make_client: MakeClient, seeded: Database) -> None:
    async with make_client("lianjiang") as c:
        where = await act(c, LJ_CODES[0], op="dispatch", person="lina")
        assert "ok=" in where
        page = await (await c.get(where)).text()
        assert "已派给 李娜" in page and "连江社区（指挥中心 lianjiang）" in page
    t = await seeded.read(lambda s: s.scalar(select(Ticket).where(Ticket.code == LJ_CODES[0])))
    assert t.assignee_id == "lina" and t.status == "assigned"
    ev = (await _events(seeded, LJ_CODES[0]))[-1]
    user = await seeded.read(lambda s: s.scalar(select(ConsoleUser).where(
        ConsoleUser.username == "lianjiang")))
    assert ev.kind == "assigned" and ev.console_user_id == user.id
    assert ev.actor_id == "console:lianjiang"
    out = await _outbox(seeded)
    to = {(o.channel, o.recipient) for o in out}
    assert ("work", "lina") in to  # the new assignee on WeCom
    assert ("work", "zhangwei") in to  # the old one is told to stop
    assert any("改派给" in o.payload["text"] for o in out if o.recipient == "zhangwei")
    audit = await seeded.read(lambda s: s.scalar(select(AuditEntry).where(
        AuditEntry.action == "ticket.dispatch")))
    assert audit.target == LJ_CODES[0] and audit.username == "lianjiang"


async def test_triage_dispatch(make_client: MakeClient, seeded: Database) -> None:
    async with make_client("centre") as c:
        body = await (await c.get("/console/triage")).text()
        assert TRIAGE_CODE in body and LJ_CODES[0] not in body
        await act(c, TRIAGE_CODE, op="dispatch", person="sunli")
    t = await seeded.read(lambda s: s.scalar(select(Ticket).where(Ticket.code == TRIAGE_CODE)))
    assert (t.status, t.assignee_id) == ("assigned", "sunli")


async def test_refusals_are_shown_and_change_nothing(
        make_client: MakeClient, seeded: Database) -> None:
    async with make_client("lianjiang") as c:
        where = await act(c, LJ_CODES[0], op="cancel", text="")
        assert "error=" in where
        where = await act(c, LJ_CODES[0], op="dispatch", person="sunli")  # not in 连江
        assert "error=" in where
        page = await (await c.get(where)).text()
        assert "请从名单中选择负责人" in page
    t = await seeded.read(lambda s: s.scalar(select(Ticket).where(Ticket.code == LJ_CODES[0])))
    assert (t.status, t.assignee_id) == ("assigned", "zhangwei")
    assert await _outbox(seeded) == []


async def test_staff_cancel_is_counted_apart(make_client: MakeClient, seeded: Database) -> None:
    async with make_client("centre") as c:
        await act(c, LJ_CODES[2], op="cancel", text="重复反映，已电话确认")
        body = await (await c.get("/console/?by=community")).text()
        assert "人工撤销" in body
    t = await seeded.read(lambda s: s.scalar(select(Ticket).where(Ticket.code == LJ_CODES[2])))
    assert t.status == "cancelled"
    rng = parse_range(None, None, now=NOW)
    counted = await seeded.read(lambda s: staff_cancelled(s, rng))
    assert sum(counted.values()) == 1
    texts = [o.payload["text"] for o in await _outbox(seeded)]
    assert any("已撤销：重复反映" in x for x in texts)  # the resident hears why
    assert any("无需继续处理" in x for x in texts)  # so does the officer


async def test_remind_reply_ask_transfer_reclassify_merge(
        make_client: MakeClient, seeded: Database) -> None:
    code, other = LJ_CODES[0], LJ_CODES[1]
    async with make_client("centre") as c:
        for data in ({"op": "remind", "text": "今天下班前处理"},
                     {"op": "reply", "text": "已安排网格员上门"},
                     {"op": "ask", "text": "请问具体是几单元？"}):
            assert "ok=" in await act(c, code, **data)
        assert "ok=" in await act(c, other, op="reclassify", category="sanitation")
        assert "ok=" in await act(c, other, op="transfer", department="城管", text="占道")
        assert "ok=" in await act(c, LJ_CODES[2], op="merge", into=code)
    kinds = [e.kind for e in await _events(seeded, code)]
    assert kinds[-4:] == ["urged", "replied", "asked", "merged_in"]
    t = await seeded.read(lambda s: s.scalar(select(Ticket).where(Ticket.code == code)))
    assert t.status == "waiting" and t.waiting_since is not None
    o = await seeded.read(lambda s: s.scalar(select(Ticket).where(Ticket.code == other)))
    assert (o.category, o.status, o.assignee_id, o.owner_id) == (
        "sanitation", "transferred", "cg-dispatch", "zhangwei")
    gone = await seeded.read(lambda s: s.scalar(select(Ticket).where(
        Ticket.code == LJ_CODES[2])))
    assert gone.status == "duplicate" and gone.duplicate_of_id == t.id
    texts = [(x.recipient, x.payload["text"]) for x in await _outbox(seeded)]
    assert any(r == "zhangwei" and "【催办】" in x for r, x in texts)
    assert any(r == "oResident0001" and "已安排网格员上门" in x for r, x in texts)
    assert any(r == "oResident0001" and "具体是几单元" in x for r, x in texts)
    assert any(r == "cg01" and "【转办工单】" in x for r, x in texts)
