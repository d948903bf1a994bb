"""A compound added to the district while the workers run is recognised in the very next
message: in the worker that imported it at once, in another worker after its check interval
(the district model reloads and hands the analyser its new gazetteer; no restart)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.district import import_district
from storage.models import Region, Ticket
from tests.support.district import DISTRICT
from tests.support.e2e import Quiet, code_of

ROOT = Path(__file__).resolve().parents[2]
GOLD = """      [[streets.communities.grids.places]]
      name = "金色港湾"
      buildings = []
"""


def with_compound(name: str) -> str:
    """The test district with one more compound in the second grid (李娜's)."""
    assert GOLD in DISTRICT
    return DISTRICT.replace(GOLD, f"{GOLD}\n      [[streets.communities.grids.places]]\n"
                                  f'      name = "{name}"\n      buildings = []\n')


async def grid_of(quiet: Quiet, reply: str | None) -> tuple[str | None, str | None]:
    code = code_of(reply)

    async def q(session: AsyncSession) -> tuple[str | None, str | None]:
        ticket = await session.scalar(select(Ticket).where(Ticket.code == code))
        assert ticket is not None
        grid = await session.get(Region, ticket.region_id) if ticket.region_id else None
        return (grid.code if grid else None), ticket.assignee_id

    return await quiet.db.read(q)


LAMP = "门口的路灯坏了好几天，晚上一片漆黑"


async def test_a_compound_imported_in_this_worker_routes_the_next_message(
        quiet: Quiet) -> None:
    quiet.db.district.check_seconds = 3600  # only this worker's own import can tell it
    asked = await quiet.mp.say("oR-asked", f"小区{LAMP}")
    assert "位置" in (asked.content or "") and "GD" not in (asked.content or "")
    await quiet.db.run(lambda s: import_district(s, with_compound("锦绣天地"), source="console"))
    answer = await quiet.mp.say("oR-asked", "锦绣天地")  # the name alone answers «where?»
    assert await grid_of(quiet, answer.content) == ("FC-LJ-02", "lina")
    reply = await quiet.mp.say("oR-new", f"锦绣天地{LAMP}")
    assert await grid_of(quiet, reply.content) == ("FC-LJ-02", "lina")


async def test_another_worker_learns_a_new_compound_after_its_check_interval(
        quiet: Quiet, tmp_path: Path) -> None:
    quiet.db.district.check_seconds = 3600  # its next look is the test's to decide
    first = await quiet.mp.say("oR-first", f"幸福花园7号楼{LAMP}")
    assert await grid_of(quiet, first.content) == ("FC-LJ-02", "lina")  # the model is loaded
    asked = await quiet.mp.say("oR-asked", f"小区{LAMP}")
    assert "GD" not in (asked.content or "")
    path = tmp_path / "district.toml"
    path.write_text(with_compound("紫荆名都"), encoding="utf-8")
    config = tmp_path / "gridbot.toml"
    config.write_text(f'[database]\nurl = "{quiet.db.url}"\n[logging]\nlevel = "WARNING"\n',
                      encoding="utf-8")
    # `gridbot district import` runs as a process of its own, like another worker
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from bot.cli.main import main; sys.exit(main())",
        "district", "import", str(path), "--config", str(config), cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL)
    assert await asyncio.wait_for(proc.wait(), 120) == 0
    quiet.db.district.stale()  # as when check_seconds have passed since its last look
    answer = await quiet.mp.say("oR-asked", "紫荆名都")
    assert await grid_of(quiet, answer.content) == ("FC-LJ-02", "lina")
    reply = await quiet.mp.say("oR-later", f"紫荆名都{LAMP}")
    assert await grid_of(quiet, reply.content) == ("FC-LJ-02", "lina")
