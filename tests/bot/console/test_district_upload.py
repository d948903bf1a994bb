"""The admin's district file upload: a valid file is imported (its regions appear), a bad one
is refused with its line and reason on the page and changes nothing; nobody else may upload,
and the form needs the session's CSRF token."""

from __future__ import annotations

import html
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from storage.db import Database
from storage.models import AuditEntry, Region
from tests.support.console import MakeClient, page_csrf
from tests.support.storage import EXAMPLE

NEW_STREET = """
[[streets]]
code = "XJ"
name = "西郊街道"
leader = "zhoumin"

  [[streets.communities]]
  code = "XJ-HS"
  name = "禾石社区"
  leader = "zhengtao"
  triage = ["heyan"]

    [[streets.communities.grids]]
    code = "XJ-HS-01"
    name = "禾石社区第一网格"
    officer = "sunli"
    kind = "{kind}"
"""
GOOD = EXAMPLE + NEW_STREET.format(kind="residential")
# the same new street, and 凤城 renamed, but the new grid's kind is wrong: nothing may change
BAD = (EXAMPLE.replace('name = "凤城街道"', 'name = "凤城新街道"')
       + NEW_STREET.format(kind="market"))
BAD_LINE = BAD.splitlines().index('    kind = "market"') + 1


def upload(token: str | None, text: str | bytes, name: str = "district.toml") -> FormData:
    form = FormData()
    if token is not None:
        form.add_field("csrf", token)
    form.add_field("file", text.encode() if isinstance(text, str) else text, filename=name,
                   content_type="application/toml")
    return form


async def post(c: TestClient[Any, Any], text: str | bytes, *, token: str | None = "page") -> Any:
    if token == "page":
        token = await page_csrf(c, "/console/district")
    return await c.post("/console/district", data=upload(token, text), allow_redirects=False)


async def regions(db: Database) -> dict[str, str]:
    rows = await db.read(lambda s: s.execute(select(Region.code, Region.name)))
    return {code: name for code, name in rows.all()}


async def audits(db: Database, action: str) -> int:
    return await db.read(lambda s: s.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize("bom", ["", "\ufeff"])  # spreadsheet exports often start with a BOM
async def test_admin_imports_a_valid_file(make_client: MakeClient, seeded: Database,
                                          bom: str) -> None:
    assert "XJ" not in await regions(seeded)
    async with make_client("admin") as c:
        resp = await post(c, bom + GOOD)
        assert resp.status == 200
        page = await resp.text()
        assert 'class="ok"' in page and 'class="error"' not in page
        # the new street and community appear where the admin picks areas
        users = await (await c.get("/console/users")).text()
        assert "西郊街道" in users and "禾石社区" in users
    now = await regions(seeded)
    assert now["XJ"] == "西郊街道" and now["XJ-HS"] == "禾石社区"
    assert now["XJ-HS-01"] == "禾石社区第一网格"
    assert await audits(seeded, "district.import") == 1


async def test_a_bad_file_is_refused_with_line_and_reason(make_client: MakeClient,
                                                          seeded: Database) -> None:
    before = await regions(seeded)
    async with make_client("admin") as c:
        resp = await post(c, BAD)
        assert resp.status == 400
        page = html.unescape(await resp.text())
        assert "没有任何改动" in page
        assert f"第 {BAD_LINE} 行" in page
        assert "kind 只能是 residential 或 special" in page
        assert "'market'" in page
        users = await (await c.get("/console/users")).text()
        assert "西郊街道" not in users and "凤城新街道" not in users
    assert await regions(seeded) == before
    assert await audits(seeded, "district.import") == 0
    assert await audits(seeded, "district.refused") == 1


@pytest.mark.parametrize(("text", "words"), [
    (b"\xff\xfe not utf-8", "不是 UTF-8"),
    ("[district\ncode = 1", "TOML 语法错误"),
])
async def test_unreadable_files_are_refused(make_client: MakeClient, seeded: Database,
                                            text: str | bytes, words: str) -> None:
    before = await regions(seeded)
    async with make_client("admin") as c:
        resp = await post(c, text)
        assert resp.status == 400
        assert words in html.unescape(await resp.text())
    assert await regions(seeded) == before


@pytest.mark.parametrize("username", ["centre", "fc", "lianjiang"])
async def test_non_admins_get_404(make_client: MakeClient, seeded: Database,
                                  username: str) -> None:
    before = await regions(seeded)
    async with make_client(username) as c:
        assert (await c.get("/console/district")).status == 404
        token = await page_csrf(c)  # their own valid session token
        resp = await post(c, GOOD, token=token)
        assert resp.status == 404
        assert "西郊街道" not in await resp.text()
    assert await regions(seeded) == before


@pytest.mark.parametrize("token", [None, "not-the-token"])
async def test_upload_needs_the_csrf_token(make_client: MakeClient, seeded: Database,
                                           token: str | None) -> None:
    before = await regions(seeded)
    async with make_client("admin") as c:
        resp = await post(c, GOOD, token=token)
        assert resp.status == 403
    assert await regions(seeded) == before
