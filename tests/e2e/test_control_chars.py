"""NUL and other control characters in what the admin API and the console receive, on SQLite
and PostgreSQL (which refuses NUL in text): free text is kept without them, an identifier or a
query parameter with one is a 400 with one log line, never a 500."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from yarl import URL

from bot.inputs import clean_text
from storage.db import Database
from storage.models import Ticket, TicketEvent
from tests.support import console
from tests.support.e2e import World, start_world, stop_world


@pytest_asyncio.fixture
async def world(tmp_path: Path, any_db: Database) -> AsyncIterator[World]:
    w, runner = await start_world(tmp_path, database=any_db)
    yield w
    await stop_world(w, runner)


def auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.settings.admin.token}"}


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "control character" in r.getMessage()]


def test_free_text_keeps_everything_but_control_characters() -> None:
    assert clean_text("3号楼\x00楼道\t灯坏了\r\n电话\x07138\x1b") == "3号楼楼道\t灯坏了\n电话138"
    assert clean_text("第一行\r第二行") == "第一行\n第二行"
    assert clean_text("没有控制字符") == "没有控制字符"


async def test_a_hand_off_with_nul_in_its_free_text_gets_in_once(world: World) -> None:
    body = {"text": "市民来电：幸福花园3号楼\u0000楼道路灯不亮",
            "contact": "138\u00000000\u00011111", "external_id": "12345-nul-1",
            "location": {"community": "幸福\u0000花园", "building": "3\u0000",
                         "place": "楼道\u0000口"}}
    async with world.http.post(f"{world.base}/api/v1/tickets", json=body,
                               headers=auth(world)) as resp:
        assert resp.status == 201, await resp.text()
        item = await resp.json()
    assert "\\u0000" not in json.dumps(item) and "楼道路灯不亮" in item["text"]
    async with world.http.post(f"{world.base}/api/v1/tickets", json=body,
                               headers=auth(world)) as resp:  # the hotline's retry
        assert resp.status == 200 and (await resp.json())["code"] == item["code"]
    t = await world.db.read(lambda s: s.scalar(select(Ticket).where(
        Ticket.code == item["code"])))
    assert (t.contact, t.building, t.place) == ("13800001111", "3", "楼道口")


@pytest.mark.parametrize("field", ["external_id", "category", "urgency"])
async def test_an_identifier_with_nul_in_a_hand_off_is_a_400(
        world: World, field: str, caplog: pytest.LogCaptureFixture) -> None:
    body = {"text": "路灯不亮", field: "noise\u0000"}
    with caplog.at_level(logging.WARNING):
        async with world.http.post(f"{world.base}/api/v1/tickets", json=body,
                                   headers=auth(world)) as resp:
            assert resp.status == 400
            err = (await resp.json())["error"]
    assert field in err and "control character" in err
    assert len(refusals(caplog)) == 1 and not any(r.exc_info for r in caplog.records)
    assert "\x00" not in caplog.text


@pytest.mark.parametrize("target", [
    "/api/v1/tickets?grid=%00", "/api/v1/tickets?assignee=a%00b", "/api/v1/tickets?status=%01",
    "/api/v1/tickets/GD20261123-0001%00", "/api/v1/tickets/%00", "/api/v1/stats?since=%00",
    "/api/v1/tickets?gr%00id=1"])
async def test_a_query_or_a_code_with_a_control_character_is_a_400(
        world: World, target: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        async with world.http.get(URL(world.base + target, encoded=True),
                                  headers=auth(world)) as resp:
            assert resp.status == 400, await resp.text()
            assert "control character" in (await resp.json())["error"]
    assert len(refusals(caplog)) == 1 and not any(r.exc_info for r in caplog.records)
    assert "\x00" not in caplog.text


# -- the console ----------------------------------------------------------------------------

@pytest_asyncio.fixture
async def console_client(any_db: Database, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[
        TestClient[Any, Any]]:
    from argon2 import PasswordHasher

    from bot.console import auth as console_auth

    monkeypatch.setattr(console_auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                                parallelism=1))
    await any_db.run(console.seed)
    async with TestClient(TestServer(console.build_app(any_db), host="127.0.0.1")) as c:
        assert (await console.sign_in(c, "admin")).status == 302
        yield c


async def test_console_forms_and_queries_with_control_characters(
        console_client: TestClient[Any, Any], any_db: Database,
        caplog: pytest.LogCaptureFixture) -> None:
    c, code = console_client, console.LJ_CODES[0]
    csrf = await console.page_csrf(c, f"/console/tickets/{code}")
    # a person's words: kept without the NUL
    resp = await c.post(f"/console/tickets/{code}/act", allow_redirects=False,
                        data={"csrf": csrf, "op": "reply", "text": "已联系\x00物业，今天修"})
    assert resp.status == 302, await resp.text()

    async def note(s: Any) -> str | None:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
        return await s.scalar(select(TicketEvent.note).where(
            TicketEvent.ticket_id == t.id, TicketEvent.kind == "replied"))

    assert await any_db.read(note) == "已联系物业，今天修"
    # identifiers and filters: a 400 with one log line each
    for method, target, data in (
            ("POST", f"/console/tickets/{code}/act",
             {"csrf": csrf, "op": "dispatch", "person": "lina\x00"}),
            ("POST", "/console/users", {"csrf": csrf, "username": "x\x00", "role": "admin",
                                        "password": "long-enough-pw"}),
            ("GET", "/console/tickets?grid=%00", None),
            ("GET", f"/console/tickets/{code}%00", None),
            ("POST", "/console/login", {"username": "admin\x00", "password": "x", "csrf": "x"})):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            resp = await c.request(method, URL(target, encoded=True), data=data,
                                   allow_redirects=False)
            assert resp.status == 400, (target, resp.status, await resp.text())
            assert "control character" in await resp.text()
        assert len(refusals(caplog)) == 1, target
        assert not any(r.exc_info for r in caplog.records)
