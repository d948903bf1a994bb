"""Who may use the admin API: bearer token, disabled without one, gateway paths untouched."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.support.api import AUTH, MakeClient

Client = TestClient[Any, Any]


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.api.tickets"]


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong"},
    {"Authorization": "Bearer t0ken-and-more"},
    {"Authorization": "Basic dDBrZW4="},
    {"Authorization": "t0ken"},
    {"Authorization": "Bearer "},
])
async def test_without_the_right_token_is_401(client: Client, headers: dict[str, str],
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.api.tickets")
    for path in ("/api/v1/tickets", "/api/v1/tickets/GD20261122-0001", "/api/v1/nothing"):
        caplog.clear()
        resp = await client.get(path, headers=headers)
        assert resp.status == 401
        assert await resp.json() == {"error": "unauthorized"}
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        assert len(refusals(caplog)) == 1
        assert "t0ken" not in refusals(caplog)[0].getMessage()


async def test_scheme_is_case_insensitive(client: Client) -> None:
    resp = await client.get("/api/v1/tickets", headers={"Authorization": "bearer t0ken"})
    assert resp.status == 200


async def test_empty_admin_token_disables_the_api(make_client: MakeClient,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.api.tickets")
    async with make_client(token="") as client:
        # even a request that sends an empty bearer cannot match the empty token
        for headers in ({}, {"Authorization": "Bearer "}, AUTH):
            resp = await client.get("/api/v1/tickets", headers=headers)
            assert resp.status == 403
            assert await resp.json() == {"error": "admin API disabled: set admin.token"}
        assert len(refusals(caplog)) == 3
        # the public parts still work
        assert (await client.get("/metrics")).status == 200
        assert (await client.get("/wechat/mp")).status == 200


async def test_gateway_routes_are_not_guarded(client: Client) -> None:
    resp = await client.get("/wechat/mp")
    assert resp.status == 200
    assert await resp.text() == "success"
    # a path outside /api/ keeps aiohttp's own answers, not the API's JSON
    resp = await client.get("/apiary")
    assert resp.status == 404
    assert resp.content_type != "application/json"


async def test_unknown_api_path_and_method_are_json(client: Client) -> None:
    resp = await client.get("/api/v1/nothing", headers=AUTH)
    assert resp.status == 404
    assert await resp.json() == {"error": "not found"}
    resp = await client.post("/api/v1/tickets", headers=AUTH, json={})
    assert resp.status == 405
    assert "error" in await resp.json()
    assert "GET" in resp.headers["Allow"]


async def test_unexpected_failure_is_a_500_json_with_a_log_line(
        client: Client, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from bot.api import views

    async def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, "list_tickets", broken)
    resp = await client.get("/api/v1/tickets", headers=AUTH)
    assert resp.status == 500
    body = await resp.json()
    assert body == {"error": "internal error"}  # no internals leak to the caller
    errors = [r for r in refusals(caplog) if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "disk on fire" in (errors[0].exc_text or "")
