"""The console in a real browser: log in, filter the queue, open a ticket, reassign it and see
the push reach the WeChat stand-in, export XLSX and read it back, and a community user failing
to open another community's ticket by URL."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import Ticket
from tests.support.browser import Site


async def login(page: Any, site: Site, username: str) -> None:
    await page.goto(f"{site.base}/console/")
    assert "/console/login" in page.url
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", site.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{site.base}/console/")


async def test_centre_works_a_ticket_end_to_end(site: Site, browser: Any) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 768},
                                        accept_downloads=True, locale="zh-CN")
    page = await context.new_page()
    await login(page, site, "centre")
    assert await page.locator("h1").first.inner_text() == "总览 全区"
    assert await page.locator(".card").count() == 4

    # filter the queue: open tickets of 连江社区
    await page.click("text=工单")
    await page.select_option("select[name=status]", "open")
    await page.select_option("select[name=community]", "FC-LJ")
    await page.click("button:has-text('筛选')")
    await page.wait_for_url(re.compile(r"status=open.*community=FC-LJ"))
    total = int(re.search(r"共 (\d+) 件", await page.locator("h1").inner_text()).group(1))
    assert total > 0
    codes = await page.locator("table.queue tbody td:first-child a").all_inner_texts()
    assert len(codes) == min(total, 50)

    # export exactly these rows as XLSX and read it back
    async with page.expect_download() as info:
        await page.click("#export-xlsx")
    download = await info.value
    body = (await download.path()).read_bytes()  # a finished download
    wb = load_workbook(io.BytesIO(body), read_only=True)
    rows = [r for r in wb.active.iter_rows(values_only=True)]
    assert rows[0][0] == "工单编号" and len(rows) - 1 == total
    assert [r[0] for r in rows[1:len(codes) + 1]] == codes
    assert {r[7] for r in rows[1:]} == {"连江社区"}

    # open a ticket that has an assignee and reassign it to someone else
    code = None
    for c in codes:
        t = await site.db.read(lambda s, c=c: s.scalar(select(Ticket).where(Ticket.code == c)))
        if t.assignee_id and t.status in ("assigned", "accepted"):
            code, old = c, t.assignee_id
            break
    assert code is not None
    await page.click(f"a:text('{code}')")
    await page.wait_for_url(f"**/console/tickets/{code}")
    target = "lina" if old != "lina" else "zhangwei"
    await page.select_option("#act-dispatch select[name=person]", target)
    await page.click("#act-dispatch button[type=submit]")
    await page.wait_for_selector("p.ok")
    assert "已派给" in await page.locator("p.ok").inner_text()
    # the outbox sender delivers the assignment to the new officer through the stand-in
    await site.standin.wait_for(lambda: any(
        code in m["text"] and m["touser"].lower() == target for m in site.standin.sent),
        timeout=15)
    history = await page.locator("ol.history").inner_text()
    assert "指挥中心值班员（指挥中心 centre）" in history
    await context.close()


async def test_community_user_cannot_open_another_communitys_ticket(
        site: Site, browser: Any) -> None:
    foreign = await site.db.read(lambda s: s.scalar(
        select(Ticket.code).join(Ticket.community).where(Ticket.community_id.is_not(None))
        .where(Ticket.community.has(code="DC-XC")).limit(1)))
    own = await site.db.read(lambda s: s.scalar(
        select(Ticket.code).where(Ticket.community.has(code="FC-LJ")).limit(1)))
    context = await browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = await context.new_page()
    await login(page, site, "lianjiang")
    resp = await page.goto(f"{site.base}/console/tickets/{own}")
    assert resp.status == 200
    resp = await page.goto(f"{site.base}/console/tickets/{foreign}")
    assert resp.status == 404
    assert "没有找到" in await page.content()
    await context.close()
