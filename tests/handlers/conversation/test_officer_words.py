"""Officers on a phone: codes may be left out, names stand for ids, 办结 without 接单."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import TicketEvent
from tests.support.bot import REPORT, RESIDENT, Bot, code_of

OTHER = "幸福花园5号楼门口的路灯不亮了"


async def _events(bot: Bot, code: str) -> list[str]:
    t = await bot.ticket(code)
    return list(await bot.db.read(lambda s: s.scalars(select(TicketEvent.kind).where(
        TicketEvent.ticket_id == t.id).order_by(TicketEvent.id))))


async def test_bare_accept_acts_on_the_only_open_ticket(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    reply = await bot.send("zhangwei", "接单", channel="work")
    assert code in reply and "已接单" in reply
    assert (await bot.ticket(code)).status == "accepted"
    assert "已办结" in await bot.send("zhangwei", "办结：线已拆除", channel="work")
    assert (await bot.ticket(code)).resolution == "线已拆除"


async def test_several_open_tickets_give_a_numbered_choice(bot: Bot) -> None:
    first = code_of(await bot.send(RESIDENT, REPORT))
    second = code_of(await bot.send("oResident002", OTHER))
    reply = await bot.send("zhangwei", "接单", channel="work")
    assert "1." in reply and "2." in reply and first in reply and second in reply
    assert (await bot.ticket(first)).status == "assigned"
    assert "1–2" in await bot.send("zhangwei", "7", channel="work")
    picked = first if reply.index(first) < reply.index(second) else second
    assert picked in await bot.send("zhangwei", "１", channel="work")  # full-width digit
    assert (await bot.ticket(picked)).status == "accepted"
    # the other one is then the only ticket a bare 接单 fits
    rest = second if picked == first else first
    assert rest in await bot.send("zhangwei", "接单", channel="work")


async def test_resolve_without_accept_records_it_and_tells_the_resident(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    assert "已办结" in await bot.send("zhangwei", f"办结{code}已清理", channel="work")
    kinds = await _events(bot, code)
    assert kinds.index("accepted") < kinds.index("resolved")
    said = await bot.texts(RESIDENT)
    assert any("接单" in x for x in said) and any("已办结" in x for x in said)
    t = await bot.ticket(code)
    assert t.accepted_at is not None and t.status == "resolved"


async def test_dispatch_by_name_wecom_id_and_choice(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    assert "李娜" in await bot.send("chenjun", f"改派 {code} 李娜", channel="work")
    assert (await bot.ticket(code)).assignee_id == "lina"
    assert any("无需再处理" in x for x in await bot.texts("zhangwei"))
    assert "张伟" in await bot.send("chenjun", f"改派 {code} ZHANGWEI", channel="work")
    assert (await bot.ticket(code)).assignee_id == "zhangwei"
    reply = await bot.send("chenjun", f"改派 {code} 不存在的人", channel="work")
    assert "没有找到工作人员" in reply


async def test_part_of_a_name_names_the_one_person_it_fits(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    assert "王芳" in await bot.send("chenjun", f"改派 {code} 王", channel="work")
    assert (await bot.ticket(code)).assignee_id == "wangfang"
    assert "只有社区分拨人员和领导" in await bot.send("lina", f"改派 {code} 李娜", channel="work")


async def test_refusals_read_as_sentences(bot: Bot) -> None:
    """Never 「不能进度」 or 「请写明说明」: each step says what is missing in its own words."""
    code = code_of(await bot.send(RESIDENT, REPORT))
    reply = await bot.send("zhangwei", f"进度 {code}", channel="work")
    assert "请写明进展情况" in reply and "说明说明" not in reply and "写明说明" not in reply
    reply = await bot.send("lina", f"进度 {code} 已联系物业", channel="work")
    assert "不能报告进度" in reply and "不能进度" not in reply
    assert "请写明退回原因" in await bot.send("zhangwei", f"退回 {code}", channel="work")


async def test_the_choice_lists_urgent_tickets_first(bot: Bot) -> None:
    """Trial 13: an officer with many tickets saw a broken window first and the lift with
    someone trapped fourth; the choice lists the urgent ones first, then the newest."""
    lift = code_of(await bot.send("oR1", "幸福花园2号楼电梯里困了人 按铃没人应"))
    lamp = code_of(await bot.send("oR2", OTHER))
    wire = code_of(await bot.send("oR3", REPORT))
    assert (await bot.ticket(lift)).urgency == "urgent"
    assert (await bot.ticket(lamp)).urgency == "normal"
    reply = await bot.send("zhangwei", "接单", channel="work")
    assert reply.index(lift) < reply.index(wire) < reply.index(lamp)
    assert f"1. {lift}" in reply or reply.split("1.")[1].lstrip().startswith(lift)
