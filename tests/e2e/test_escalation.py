"""Issue 4's whole flow over real HTTP: an urgent report nobody accepts climbs to the
community leader, who hears about it on WeCom."""

from __future__ import annotations

from pathlib import Path

from bot.runtime import RUNTIME
from handlers.jobs.escalation import escalate_overdue
from storage.clock import FrozenClock, utcnow
from tests.support.e2e import code_of, start_world, stop_world


async def test_urgent_unaccepted_report_escalates_to_community_leader(tmp_path: Path) -> None:
    clock = FrozenClock(utcnow())
    world, runner = await start_world(tmp_path, clock=clock)
    try:
        reply = await world.mp.say("oUrgent01", "幸福花园1号楼一单元楼道里好大的煤气味")
        code = code_of(reply.content)
        assert "119" in reply.content
        await world.pushed("zhangwei", code)  # the officer is paged at once
        await world.pushed("chenjun", code)  # urgent: the leader hears at once too
        before = len(world.standin.texts("chenjun"))

        services = world.app[RUNTIME].services
        clock.advance(minutes=29)
        assert await escalate_overdue(world.db, services) == 0  # respond-by is 30 minutes
        clock.advance(minutes=2)
        assert await escalate_overdue(world.db, services) == 1
        world.app[RUNTIME].wake_sender()
        await world.standin.wait_for(lambda: len(world.standin.texts("chenjun")) > before)
        escalation = world.standin.texts("chenjun")[-1]
        assert code in escalation
        assert next(m for m in world.standin.sent if m["touser"] == "chenjun")["channel"] == "work"
        assert await escalate_overdue(world.db, services) == 0  # once per level
        status, item = await world.api(f"/api/v1/tickets/{code}")
        assert (status, item["escalation_level"], item["status"]) == (200, 1, "assigned")
    finally:
        await stop_world(world, runner)
