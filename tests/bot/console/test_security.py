"""The console's doors, without a browser: CSRF, session fixation, a disabled user's cookie,
idle timeout, sign-in limits, proxies, and area isolation on every route of the route table."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.console.accounts import set_active
from bot.console.app import build_console
from storage.clock import FrozenClock
from storage.db import Database
from storage.models import AuditEntry, ConsoleSession, Ticket
from tests.support.console import (
    FX_CODE,
    LJ_CODES,
    NOW,
    TRIAGE_CODE,
    XC_CODE,
    MakeClient,
    csrf_of,
    page_csrf,
    sign_in,
)


def cookie(client: TestClient[Any, Any]) -> str | None:
    for c in client.session.cookie_jar:
        if c.key == "gridbot_console":
            return c.value
    return None


async def test_pages_need_a_session(make_client: MakeClient) -> None:
    async with make_client() as c:
        resp = await c.get("/console/tickets?status=open", allow_redirects=False)
        assert resp.status == 302
        assert resp.headers["Location"].startswith("/console/login?next=")
        assert (await c.get("/console/poll", headers={"Accept": "application/json"})).status \
            == 401
        assert (await c.post("/console/logout")).status == 401


async def test_cookie_is_httponly_samesite_and_secure_only_behind_https(
        make_client: MakeClient) -> None:
    async with make_client() as c:
        resp = await sign_in(c, "centre")
        header = resp.headers.getall("Set-Cookie")
        line = next(h for h in header if h.startswith("gridbot_console="))
        assert "HttpOnly" in line and "SameSite=Lax" in line and "Secure" not in line
    async with make_client(trusted_proxies=["127.0.0.1"]) as c:
        page = await c.get("/console/login", headers={"X-Forwarded-Proto": "https"})
        token = csrf_of(await page.text())
        assert "Secure" in page.headers["Set-Cookie"]
        # the test client talks plain HTTP, so it keeps the Secure cookie to itself: send it
        resp = await c.post("/console/login", data={"username": "centre", "password":
                            "correct-horse-9", "csrf": token}, allow_redirects=False,
                            headers={"X-Forwarded-Proto": "https",
                                     "X-Forwarded-For": "203.0.113.9",
                                     "Cookie": f"gridbot_login_csrf={token}"})
        line = next(h for h in resp.headers.getall("Set-Cookie")
                    if h.startswith("gridbot_console="))
        assert "Secure" in line


async def test_post_without_or_with_a_wrong_csrf_token_is_refused(
        make_client: MakeClient, seeded: Database) -> None:
    async with make_client("centre") as c:
        good = await page_csrf(c, f"/console/tickets/{LJ_CODES[0]}")
        for data in ({"op": "remind"}, {"op": "remind", "csrf": "forged"}):
            resp = await c.post(f"/console/tickets/{LJ_CODES[0]}/act", data=data,
                                allow_redirects=False)
            assert resp.status == 403
        urged = await seeded.read(lambda s: s.scalar(select(func.count()).select_from(
            AuditEntry).where(AuditEntry.action == "ticket.remind")))
        assert urged == 0
        resp = await c.post(f"/console/tickets/{LJ_CODES[0]}/act",
                            data={"op": "remind", "csrf": good}, allow_redirects=False)
        assert resp.status == 302 and "ok=" in resp.headers["Location"]


async def test_login_form_needs_its_csrf_cookie(make_client: MakeClient) -> None:
    async with make_client() as c:
        resp = await c.post("/console/login", data={"username": "centre",
                            "password": "correct-horse-9", "csrf": "x"}, allow_redirects=False)
        assert resp.status == 403


async def test_sign_in_issues_a_new_session_and_ends_the_old_one(
        make_client: MakeClient, seeded: Database) -> None:
    async with make_client("centre") as c:
        first = cookie(c)
        assert first
        resp = await sign_in(c, "admin")  # the same browser signs in again
        assert resp.status == 302
        second = cookie(c)
        assert second and second != first
        rows = await seeded.read(lambda s: s.scalar(select(func.count()).select_from(
            ConsoleSession)))
        assert rows == 1  # the first session is gone, not just replaced in the browser
    async with make_client() as other:  # a planted (fixated) cookie is worth nothing
        other.session.cookie_jar.update_cookies({"gridbot_console": first})
        resp = await other.get("/console/", allow_redirects=False)
        assert resp.status == 302


async def test_forged_cookie_is_ignored(make_client: MakeClient) -> None:
    async with make_client() as c:
        c.session.cookie_jar.update_cookies({"gridbot_console": "abc.def"})
        assert (await c.get("/console/", allow_redirects=False)).status == 302


async def test_a_disabled_users_old_cookie_stops_working(
        make_client: MakeClient, seeded: Database) -> None:
    async with make_client("lianjiang") as c:
        assert (await c.get("/console/", allow_redirects=False)).status == 200
        await seeded.run(lambda s: set_active(s, "lianjiang", False))
        assert (await c.get("/console/", allow_redirects=False)).status == 302
        assert (await sign_in(c, "lianjiang")).status == 401


async def test_idle_session_times_out(make_client: MakeClient) -> None:
    clock = FrozenClock(NOW)
    async with make_client("centre", clock=clock, idle_minutes=30) as c:
        clock.advance(minutes=20)
        assert (await c.get("/console/", allow_redirects=False)).status == 200
        clock.advance(minutes=25)  # 25 minutes after the last request: still inside
        assert (await c.get("/console/", allow_redirects=False)).status == 200
        clock.advance(minutes=31)
        resp = await c.get("/console/", allow_redirects=False)
        assert resp.status == 302 and "/console/login" in resp.headers["Location"]


async def test_login_is_rate_limited_per_user_and_per_address(
        make_client: MakeClient, seeded: Database) -> None:
    async with make_client(login_failures_per_user=3, login_failures_per_address=5) as c:
        for _ in range(3):
            assert (await sign_in(c, "centre", "wrong-password")).status == 401
        # the right password is refused too while the user is locked out
        assert (await sign_in(c, "centre")).status == 429
        for _ in range(2):
            assert (await sign_in(c, "nobody", "x")).status == 401
        assert (await sign_in(c, "admin")).status == 429  # the address is out of tries
        actions = await seeded.read(lambda s: s.scalars(select(AuditEntry.action)))
        assert {"login_failed", "login_blocked"} <= set(actions)


async def test_client_address_from_trusted_proxies_only(
        make_client: MakeClient, seeded: Database) -> None:
    async with make_client(trusted_proxies=["127.0.0.1/32"]) as c:
        page = await c.get("/console/login")
        await c.post("/console/login", data={"username": "centre", "password": "bad",
                     "csrf": csrf_of(await page.text())},
                     headers={"X-Forwarded-For": "198.51.100.7, 127.0.0.1"})
    async with make_client() as c:  # no trusted proxy: the header is ignored
        page = await c.get("/console/login")
        await c.post("/console/login", data={"username": "centre", "password": "bad",
                     "csrf": csrf_of(await page.text())},
                     headers={"X-Forwarded-For": "198.51.100.8"})
    addresses = await seeded.read(lambda s: s.scalars(
        select(AuditEntry.address).where(AuditEntry.action == "login_failed")
        .order_by(AuditEntry.id)))
    assert list(addresses) == ["198.51.100.7", "127.0.0.1"]


def _routes() -> list[tuple[str, str]]:
    from storage.config import Settings

    app = build_console(Settings())
    out = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("formatter") or info.get("path") or info.get("prefix")
        if route.method == "HEAD" or path is None:
            continue
        out.append((route.method, path))
    return out


ROUTES = _routes()


def test_the_route_table_is_what_the_isolation_test_walks() -> None:
    paths = {p for _, p in ROUTES}
    assert {"/", "/tickets", "/tickets/{code}", "/tickets/{code}/act", "/media/{id}", "/map",
            "/export/tickets.csv", "/export/tickets.xlsx", "/audit"} <= paths


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_a_community_user_sees_nothing_of_another_community(
        make_client: MakeClient, seeded: Database, method: str, path: str) -> None:
    """Every route: a URL naming another community's ticket is a 404, and no page, export or
    search lists another community's ticket."""
    foreign = [FX_CODE, XC_CODE, TRIAGE_CODE]
    if path.startswith("/static") or path in ("/login", "/logout", "/wecom/login",
                                              "/wecom/callback"):
        pytest.skip("not a page of district data")
    xc = await seeded.read(lambda s: s.scalar(select(Ticket).where(Ticket.code == XC_CODE)))
    async with make_client("lianjiang") as c:
        csrf = await page_csrf(c)
        url = "/console" + path
        url = url.replace("{code}", XC_CODE).replace("{username}", "xincheng")
        if "{id}" in url:
            from storage.models import Attachment

            async def attach(s: Any) -> int:
                a = Attachment(ticket_id=xc.id, channel="mp", kind="image", media_id="m1",
                               state="downloaded", path="x.jpg")
                s.add(a)
                await s.flush()
                return a.id

            url = url.replace("{id}", str(await seeded.run(attach)))
        if method == "GET":
            for q in ("", f"?q={XC_CODE}", "?community=DC-XC", "?street=DC", "?grid=DC-XC-01"):
                resp = await c.get(url + q, allow_redirects=False)
                body = (await resp.read()).decode("utf-8", "replace") if resp.status == 200 \
                    and "xlsx" not in url else ""
                if "{" in path:
                    assert resp.status == 404, (url, resp.status)
                else:
                    assert resp.status in (200, 404), (url + q, resp.status)
                    for code in foreign:  # the search box may echo the code typed, nothing else
                        shown = [f"/console/tickets/{code}", f">{code}<"]
                        if "export" in url or "poll" in url:
                            shown = [code]
                        assert not any(x in body for x in shown), (url + q, code)
                if "xlsx" in url and resp.status == 200:
                    from io import BytesIO

                    from openpyxl import load_workbook

                    wb = load_workbook(BytesIO(await resp.read()), read_only=True)
                    cells = {str(v) for ws in wb for row in ws.iter_rows(values_only=True)
                             for v in row}
                    assert not cells & set(foreign)
        else:
            resp = await c.post(url, data={"csrf": csrf, "op": "remind", "into": LJ_CODES[0],
                                           "text": "x"}, allow_redirects=False)
            if path == "/tickets/{code}/act":
                assert resp.status == 404
            else:
                assert resp.status in (302, 404), (url, resp.status)
    # and the foreign ticket was not touched by anything above
    events = await seeded.read(lambda s: s.scalar(select(func.count()).select_from(
        AuditEntry).where(AuditEntry.target == XC_CODE)))
    assert events == 0


async def test_the_same_user_does_see_their_own(make_client: MakeClient) -> None:
    async with make_client("lianjiang") as c:
        for code in LJ_CODES:
            assert (await c.get(f"/console/tickets/{code}")).status == 200
        body = await (await c.get("/console/tickets")).text()
        assert all(code in body for code in LJ_CODES)
        assert re.search(r"共 3 件", body)


async def test_a_street_user_sees_its_communities_and_not_the_other_street(
        make_client: MakeClient) -> None:
    async with make_client("fc") as c:
        assert (await c.get(f"/console/tickets/{FX_CODE}")).status == 200
        assert (await c.get(f"/console/tickets/{XC_CODE}")).status == 404
        assert (await c.get(f"/console/tickets/{TRIAGE_CODE}")).status == 404


async def test_only_admin_manages_users_and_the_district(make_client: MakeClient) -> None:
    async with make_client("centre") as c:
        for path in ("/console/users", "/console/district"):
            assert (await c.get(path)).status == 404
    async with make_client("admin") as c:
        assert (await c.get("/console/users")).status == 200
        _ = timedelta
