"""The people page flags slot holders nobody can reach (no WeCom id, not bound): trial E1."""

from __future__ import annotations

from sqlalchemy import delete

from storage.db import Database
from storage.models import Identity
from tests.support.console import MakeClient


async def test_an_officer_nobody_can_reach_is_flagged(make_client: MakeClient,
                                                      seeded: Database) -> None:
    async with make_client("lianjiang") as c:
        page = await (await c.get("/console/people")).text()
        assert "收不到通知" not in page and "都能收到通知" in page
    await seeded.run(lambda s: s.execute(delete(Identity).where(Identity.person_id == "lina")))
    async with make_client("lianjiang") as c:
        page = await (await c.get("/console/people")).text()
    assert "都能收到通知" not in page and "收不到通知的人员" in page
    flagged = page[page.index('id="unreached"'):]
    assert "李娜" in flagged and "连江社区第二网格网格员" in flagged and "572816" in flagged
    async with make_client("xincheng") as c:  # another community's page does not list her
        assert "李娜" not in await (await c.get("/console/people")).text()
