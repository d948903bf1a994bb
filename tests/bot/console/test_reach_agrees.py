"""A community's leader acts in their community, a street's leader in their street's
communities, the command centre anywhere: the same answer over WeCom (改派, 工单) and on the
console (trial D5). Each case reads the ticket back from the database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.console.wecom import role_for
from handlers.conversation.dispatcher import Dispatcher
from handlers.ops.services import Services
from storage import repo
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.models import Person, Region, Ticket
from tests.support.bot import Bot, analyzer
from tests.support.console import LJ_CODES, NOW, XC_CODE, MakeClient, page_csrf

LJ = LJ_CODES[2]  # 连江社区 (street FC), held by lina


async def _assignee(db: Database, code: str) -> str | None:
    return await db.read(lambda s: s.scalar(select(Ticket.assignee_id).where(
        Ticket.code == code)))


async def _wecom(db: Database) -> Bot:
    an = analyzer()
    an.set_gazetteer(await db.read(repo.gazetteer))
    clock = FrozenClock(NOW)
    return Bot(db, Dispatcher(Services(settings=Settings(), analyzer=an, clock=clock)), clock)


async def _console_dispatch(c: Any, code: str, person: str) -> int:
    page = await c.get(f"/console/tickets/{code}")
    if page.status != 200:
        return page.status
    csrf = await page_csrf(c, f"/console/tickets/{code}")
    resp = await c.post(f"/console/tickets/{code}/act", allow_redirects=False,
                        data={"csrf": csrf, "op": "dispatch", "person": person})
    return resp.status


# (WeCom sender, console user of the same post, ticket, allowed)
CASES = [("zhengtao", "xincheng", LJ, False),  # 新城社区's leader, a 连江 ticket
         ("zhengtao", "xincheng", XC_CODE, True),  # ... and one of his own community
         ("chenjun", "lianjiang", LJ, True),  # 连江社区's own leader
         ("chenjun", "lianjiang", XC_CODE, False),
         ("wangfang", "fc", LJ, True),  # 凤城街道's leader: 连江 is in her street
         ("wangfang", "fc", XC_CODE, False),  # 新城 is not
         ("lihua", "centre", XC_CODE, True)]  # the command centre: anywhere


@pytest.mark.parametrize(("sender", "user", "code", "allowed"), CASES)
async def test_wecom_and_console_agree(make_client: MakeClient, seeded: Database, sender: str,
                                       user: str, code: str, allowed: bool) -> None:
    bot = await _wecom(seeded)
    before = await _assignee(seeded, code)
    target = "zhaogang" if before != "zhaogang" else "huangqiang"
    view = await bot.send(sender, f"工单 {code}", channel="work") or ""
    assert (f"第{int(code[-4:])}号诉求" in view) is allowed, view
    await bot.send(sender, f"改派 {code} {target}", channel="work")
    assert ((await _assignee(seeded, code)) == target) is allowed
    async with make_client(user) as c:
        status = await _console_dispatch(c, code, before or "zhangwei")
    assert (status == 302) is allowed and (status == 404) is not allowed
    assert await _assignee(seeded, code) == before  # moved back, or never moved


def test_the_district_triage_desk_signs_in_to_the_whole_district() -> None:
    """Who acts anywhere over WeCom (the district's command centre or triage desk) signs in
    through WeCom to the whole district, and a community's desk to that community."""
    district = Region(id=1, code="QC", level="district", name="区",
                      slots={"command_centre": ["boss"], "triage": ["desk"]})
    community = Region(id=2, code="C1", level="community", name="社区", parent_id=1,
                       slots={"leader": "sec", "triage": ["desk2"]})
    roles = {pid: role_for(Person(id=pid, name=pid, roles=["leader"]), [district, community])
             for pid in ("boss", "desk", "sec", "desk2", "nobody")}
    assert roles == {"boss": ("centre", None), "desk": ("centre", None),
                     "sec": ("community", "C1"), "desk2": ("community", "C1"), "nobody": None}
