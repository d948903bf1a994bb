"""Two neighbours report the same danger minutes apart (trial 12, J5: the same gas smell in one
stairwell, 4 minutes apart, paged the officer and the leader twice with nothing tying the two).
An urgent report is never held behind the 附议 question, so the second is still filed and paged
at once; its page, the leader's page, its history and the resident's reply name the open
ticket it may repeat, and the officer is told the 合并 that makes one of them."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import TicketEvent
from tests.support.bot import Bot, code_of

GAS = "幸福花园3号楼2单元楼道里一股煤气味，很浓"
GAS_AGAIN = "幸福花园3号楼2单元楼梯间煤气味特别重 是不是哪家漏气了"


async def _events(bot: Bot, code: str) -> list[TicketEvent]:
    t = await bot.ticket(code)

    async def q(s):  # type: ignore[no-untyped-def]
        return list((await s.scalars(select(TicketEvent).where(
            TicketEvent.ticket_id == t.id).order_by(TicketEvent.id))).all())

    return await bot.db.read(q)


async def test_a_second_urgent_report_of_the_same_danger_names_the_first(bot: Bot) -> None:
    first = code_of(await bot.send("oA", GAS))
    bot.clock.advance(minutes=4)
    reply = await bot.send("oB", GAS_AGAIN) or ""
    second = code_of(reply)
    assert second != first  # filed at once, never held behind a question
    assert "回复 1 附议" not in reply
    assert first in reply and "4 分钟前" in reply  # the resident knows it is being handled
    assert (await bot.ticket(second)).urgency == "urgent"
    [page] = [x for x in await bot.texts("zhangwei") if second in x and "【紧急工单】" in x]
    assert first in page and f"合并 {first} {second}" in page and "4 分钟前" in page
    [leader] = [x for x in await bot.texts("chenjun") if second in x]
    assert first in leader
    [note] = [e.note for e in await _events(bot, second) if e.kind == "related"]
    assert first in note
    # the first ticket's own page said nothing of a repeat
    [page1] = [x for x in await bot.texts("zhangwei") if f"【紧急工单】{first}" in x]
    assert "合并" not in page1


async def test_another_danger_in_the_building_is_not_called_a_repeat(bot: Bot) -> None:
    first = code_of(await bot.send("oA", GAS))
    reply = await bot.send("oB", "幸福花园3号楼2单元楼道里电线在冒火花 噼里啪啦的") or ""
    second = code_of(reply)
    assert first not in reply
    [page] = [x for x in await bot.texts("zhangwei") if second in x and "【紧急工单】" in x]
    assert first not in page and "合并" not in page


async def test_the_same_danger_in_another_building_is_not_a_repeat(bot: Bot) -> None:
    first = code_of(await bot.send("oA", GAS))
    reply = await bot.send("oB", "幸福花园5号楼楼道里一股煤气味，很浓") or ""
    assert first not in reply
    assert not [e for e in await _events(bot, code_of(reply)) if e.kind == "related"]


async def test_the_leader_is_not_paged_for_the_assignment_they_made_themself(bot: Bot) -> None:
    """Trial 12: the community leader who 派单s an urgent ticket off the triage list got
    «【紧急工单提醒】» for his own 派单; the desk's 派单 still pages him (he did not make it)."""
    first = code_of(await bot.send("oA", "连江社区这边楼道里一股煤气味，很浓"))
    assert (await bot.ticket(first)).assignee_id is None  # on the triage list: no grid

    def pages(texts: list[str], code: str) -> int:
        return sum(t.startswith("【紧急工单提醒】" + code) for t in texts)

    assert pages(await bot.texts("chenjun"), first) == 1  # paged once, as it was filed
    assert "已将" in (await bot.send("chenjun", f"派单 {first} zhangwei", channel="work") or "")
    assert pages(await bot.texts("chenjun"), first) == 1  # not again for his own 派单
    assert any(first in t and "【紧急工单】" in t for t in await bot.texts("zhangwei"))
    second = code_of(await bot.send("oB", "连江社区有户人家门缝里往外冒烟"))
    assert "已将" in (await bot.send("liming", f"派单 {second} zhangwei", channel="work") or "")
    assert pages(await bot.texts("chenjun"), second) == 2


async def test_the_desk_hears_when_the_residents_answer_places_its_urgent_ticket(
        bot: Bot) -> None:
    """Trial 12: the desk got «【紧急待分拨】» and nothing when the resident's answer to «where?»
    routed the ticket to an officer, so it would still go and place it."""
    reply = await bot.send("oA", "楼道里一股煤气味，很浓，快来人")
    code = code_of(reply)
    t = await bot.ticket(code)
    assert t.assignee_id is None and "尽快赶到" in (reply or "")
    desk = [p for p in ("centre", "liming") if any(
        f"【紧急待分拨】{code}" in x for x in await bot.texts(p))]
    assert desk  # whoever the district's desk is, it was told
    await bot.send("oA", "幸福花园3号楼")
    assert (await bot.ticket(code)).assignee_id == "zhangwei"
    for p in desk:
        [told] = [x for x in await bot.texts(p) if code in x and "无需再分拨" in x]
        assert "张伟" in told


async def test_worse_news_with_no_place_takes_the_place_of_the_report_just_made(
        bot: Bot) -> None:
    """Trial 14: «一楼大厅全是污水» a minute after «幸福花园3号楼 下水道堵了» became an urgent
    ticket «位置：未注明» at the district desk. It is filed at that place, paged to its officer
    with a line naming the first report, and the resident is told which place it took."""
    first = code_of(await bot.send("oA", "幸福花园3号楼下水道堵了 味道很大"))
    bot.clock.advance(minutes=2)
    reply = await bot.send("oA", "现在水越来越多了 都漫到一楼大厅了 楼道里全是污水")
    second = code_of(reply)
    t = await bot.ticket(second)
    assert second != first and t.assignee_id == "zhangwei" and t.building == "3"
    assert "幸福花园3号楼" in (reply or "") and "如不在那里" in (reply or "")
    [page] = [x for x in await bot.texts("zhangwei") if f"{second}" in x and "注意：" in x]
    assert f"同一居民2 分钟前在同一位置反映过 {first}" in page and f"合并 {first} {second}" in page
    assert not any(second in x for x in await bot.texts("centre"))  # not the district desk


async def test_a_placeless_report_long_after_is_still_asked_where(bot: Bot) -> None:
    code_of(await bot.send("oA", "幸福花园3号楼下水道堵了 味道很大"))
    bot.clock.advance(minutes=40)
    reply = await bot.send("oA", "小区里有人遛狗不牵绳 吓到小孩了") or ""
    assert "具体位置" in reply and "已受理" not in reply
