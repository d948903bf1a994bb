"""Console pages as the blind trial found them (I1–I5): the map's count of ungridded tickets
matches the triage desk, the 派单 list starts with the ticket's grid, dates are typed in
Chinese order, a ticket out of reach still shows the way back, and /favicon.ico is there."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update

from storage.db import Database
from storage.models import Ticket
from tests.support.console import LJ_CODES, TRIAGE_CODE, XC_CODE, MakeClient, page_csrf


def _options(page: str) -> list[tuple[str, str]]:
    """(group label, person id) of the 派单 select, in order."""
    form = page[page.index('id="act-dispatch"'):]
    form = form[:form.index("</select>")]
    out, group = [], ""
    for m in re.finditer(r'<optgroup label="([^"]*)"|<option value="([^"]+)"', form):
        if m.group(1) is not None:
            group = m.group(1)
        else:
            out.append((group, m.group(2)))
    return out


async def _triage_count(c: Any) -> int:
    page = await (await c.get("/console/triage")).text()
    return int(re.search(r"共 (\d+) 件", page).group(1))


async def test_the_maps_ungridded_count_agrees_with_the_triage_desk(
        make_client: MakeClient) -> None:
    async with make_client("centre") as c:
        page = await (await c.get("/console/map")).text()
        waiting = re.search(r'id="unplaced-waiting">(\d+) 件待分拨', page)
        assert waiting and int(waiting.group(1)) == await _triage_count(c) == 1
        csrf = await page_csrf(c, f"/console/tickets/{TRIAGE_CODE}")
        resp = await c.post(f"/console/tickets/{TRIAGE_CODE}/act", allow_redirects=False,
                            data={"csrf": csrf, "op": "dispatch", "person": "zhangwei"})
        assert resp.status == 302
        page = await (await c.get("/console/map")).text()
        assert await _triage_count(c) == 0 and "待分拨" not in page  # not sent to an empty desk
        # dispatched to 张伟, it takes his grid (trial 14: a dispatched ticket kept no grid or
        # community, so its leader could not act on it and statistics counted it nowhere)
        assert "unplaced-held" not in page
        listing = await (await c.get("/console/tickets?grid=FC-LJ-01&status=open")).text()
        assert TRIAGE_CODE in listing


async def test_dispatch_choices_start_with_the_tickets_grid(make_client: MakeClient,
                                                            seeded: Database) -> None:
    async with make_client("centre") as c:
        options = _options(await (await c.get(f"/console/tickets/{LJ_CODES[2]}")).text())
    ids = [pid for _, pid in options]
    assert options[0] == ("本网格（连江社区第二网格）", "lina")
    groups = list(dict.fromkeys(g for g, _ in options))
    assert groups[:2] == ["本网格（连江社区第二网格）", "本社区（连江社区）"], groups
    assert ("本网格（连江社区第二网格）", "wy-xingfu") in options  # the grid's property company
    assert ("本社区（连江社区）", "zhangwei") in options
    for leader in ("wangfang", "chenjun", "lihua"):  # street, community and district leaders
        assert ids.index(leader) > ids.index("sunli")  # after every officer, even elsewhere
    # a ticket nobody has is offered to its grid's officer by default
    await seeded.run(lambda s: s.execute(update(Ticket).where(Ticket.code == LJ_CODES[0])
                                         .values(assignee_id=None, status="returned")))
    async with make_client("lianjiang") as c:
        page = await (await c.get(f"/console/tickets/{LJ_CODES[0]}")).text()
    assert '<option value="zhangwei" selected>' in page


async def test_dates_are_typed_year_month_day(make_client: MakeClient) -> None:
    async with make_client("centre") as c:
        for path in ("/console/", "/console/tickets"):
            page = await (await c.get(path)).text()
            assert 'type="date"' not in page  # the browser's locale order (11/03/2026)
            assert page.count('placeholder="年-月-日，如 2026-11-03"') == 2
        listing = await (await c.get("/console/tickets?since=2026-11-22&until=2026-11-24"))\
            .text()
        assert 'value="2026-11-22"' in listing and "日期有误" not in listing


async def test_a_ticket_out_of_reach_keeps_the_navigation(make_client: MakeClient) -> None:
    async with make_client("lianjiang") as c:
        resp = await c.get(f"/console/tickets/{XC_CODE}")
        page = await resp.text()
    assert resp.status == 404 and "没有找到（或您无权查看）" in page
    assert 'href="/console/tickets"' in page and "退出" in page  # the top bar is there
    assert "新城" not in page  # and nothing of the ticket


async def test_favicon(make_client: MakeClient) -> None:
    async with make_client() as c:
        resp = await c.get("/favicon.ico")
        assert resp.status == 200 and resp.content_type.startswith("image/")
        assert 'rel="icon"' in await (await c.get("/console/login")).text()


async def test_a_special_grids_name_is_drawn_above_it_clear_of_its_dots(
        make_client: MakeClient) -> None:
    async with make_client("centre") as c:
        svg = await (await c.get("/console/map")).text()
    label = re.search(r'<text class="gridname special" x="[\d.]+" y="([\d.]+)">'
                      r"连江农贸市场专属网格", svg)
    assert label, "no label for the special grid"
    market = re.search(r'<polygon class="grid \w+" points="([^"]+)"><title>连江农贸市场', svg)
    top = min(float(pt.split(",")[1]) for pt in market.group(1).split())
    assert float(label.group(1)) < top  # above the polygon, where no dot of it is drawn
