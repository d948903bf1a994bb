"""The Official Account and WeCom clients against the stand-in: tokens shared through the
database, refresh at most once per call, WeCom's own error meanings, timeouts and 5xx."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import NETWORK_ERROR, NOT_CONFIGURED
from bot.channels.mp import MpClient
from storage.db import Database
from storage.models import AccessToken

Rig = Any  # tests/bot/channels/conftest.py: the stand-in, settings, database, frozen clock


@pytest_asyncio.fixture
async def db(any_db: Database) -> Database:
    """The shared token row is an upsert: every test here runs on SQLite and PostgreSQL."""
    return any_db


async def stored_token(db: Database, key: str) -> AccessToken | None:
    async def q(s: AsyncSession) -> AccessToken | None:
        return await s.get(AccessToken, key)

    return await db.read(q)


async def test_token_is_stored_and_shared_by_a_second_worker(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    assert (await rig.mp().send_text("oResident", "第一条")).ok
    assert (await rig.mp().send_text("oResident", "第二条")).ok  # another worker's client

    assert rig.standin.calls["stable_token"] == 1
    row = await stored_token(db, f"mp:{rig.settings.wechat.mp.app_id}")
    assert row is not None and row.expires_at > rig.clock.now()
    assert rig.standin.requests[0]["json"]["force_refresh"] is False
    assert rig.standin.texts("oResident") == ["第一条", "第二条"]


async def test_concurrent_sends_in_one_worker_fetch_one_token(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    mp = rig.mp()
    results = await asyncio.gather(*(mp.send_text(f"o{i}", "hi") for i in range(5)))
    assert all(r.ok for r in results)
    assert rig.standin.calls["stable_token"] == 1


async def test_a_token_close_to_expiry_is_renewed_before_use(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    mp = rig.mp()
    assert (await mp.send_text("oA", "x")).ok
    rig.clock.advance(seconds=7200 - 4 * 60)  # 4 minutes left: inside the 5-minute margin
    assert (await mp.send_text("oA", "y")).ok
    assert rig.standin.calls["stable_token"] == 2
    assert rig.standin.calls["message/custom/send"] == 2  # no call was wasted on a refusal


async def test_expired_token_is_refreshed_once_and_the_call_succeeds(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    mp = rig.mp()
    assert (await mp.send_text("oA", "before")).ok
    old = (await stored_token(db, f"mp:{rig.settings.wechat.mp.app_id}")).token
    rig.standin.expire_tokens()  # WeChat expired it early: the next call answers 42001

    assert (await mp.send_text("oA", "after")).ok
    assert rig.standin.calls["stable_token"] == 2
    assert rig.standin.requests[-2]["json"]["force_refresh"] is True
    # the other workers see it
    assert (await stored_token(db, f"mp:{rig.settings.wechat.mp.app_id}")).token != old
    assert rig.standin.texts("oA") == ["before", "after"]


async def test_a_call_that_keeps_answering_42001_fails_after_one_refresh(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    rig.standin.fail("message/custom/send", 42001, times=5)
    res = await rig.mp().send_text("oA", "x")
    assert not res.ok and res.errcode == 42001 and res.retryable
    assert rig.standin.calls["stable_token"] == 2  # the first token and one refresh
    assert rig.standin.calls["message/custom/send"] == 2
    assert rig.standin.sent == []


async def test_wecom_40001_is_a_bad_secret_not_refreshed_and_logged_loudly(
        db: Database, make_rig: Callable[..., Rig], caplog: pytest.LogCaptureFixture) -> None:
    rig = make_rig(db)
    rig.standin.fail("message/send", 40001, errmsg="invalid credential")
    with caplog.at_level(logging.ERROR):
        res = await rig.work().send_text("zhangwei", "新工单")
    assert not res.ok and res.errcode == 40001 and not res.retryable
    assert rig.standin.calls["gettoken"] == 1
    assert rig.standin.calls["message/send"] == 1
    assert any(r.levelno == logging.ERROR and "40001" in r.getMessage() for r in caplog.records)


async def test_wecom_bad_secret_on_gettoken_is_not_retryable(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    rig.standin.fail("gettoken", 40001, errmsg="invalid secret")
    res = await rig.work().send_text("zhangwei", "新工单")
    assert not res.ok and res.errcode == 40001 and not res.retryable
    assert rig.standin.calls["message/send"] == 0


async def test_wecom_expired_token_is_refreshed(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    work = rig.work()
    assert (await work.send_text("zhangwei", "一")).ok
    rig.standin.expire_tokens()
    assert (await work.send_text("zhangwei", "二")).ok
    assert rig.standin.calls["gettoken"] == 2
    assert await stored_token(db, f"work:{rig.settings.wechat.work.corp_id}:1000002") is not None
    assert rig.standin.texts("zhangwei") == ["一", "二"]


async def test_wecom_invaliduser_is_a_failed_delivery(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    rig.standin.fail("message/send", invaliduser=True)
    res = await rig.work().send_text("leftthejob", "新工单")
    assert not res.ok and not res.retryable
    assert "invaliduser" in res.errmsg


async def test_a_send_that_timed_out_is_not_resent_blindly(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, http={"timeout_seconds": 0.1, "retries": 2})
    mp = rig.mp()
    rig.standin.fail("message/custom/send", delay=2, times=3, status=503)
    res = await mp.send_text("oA", "x")
    # it may have been delivered: one call, and the outbox decides what comes next
    assert not res.ok and res.errcode == NETWORK_ERROR and res.retryable
    assert rig.standin.calls["message/custom/send"] == 1


async def test_5xx_and_token_timeouts_are_retried_within_the_bound(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db, http={"timeout_seconds": 0.1, "retries": 2})
    mp = rig.mp()
    rig.standin.fail("message/custom/send", status=503, times=3)  # answered: not delivered
    res = await mp.send_text("oA", "x")
    assert not res.ok and res.retryable
    assert rig.standin.calls["message/custom/send"] == 3  # one try and two retries, no more
    rig.standin.expire_tokens()
    tokens_before = rig.standin.calls["stable_token"]
    rig.standin.fail("stable_token", delay=2)  # a token request is safe to repeat
    assert (await mp.send_text("oA", "y")).ok
    assert rig.standin.calls["stable_token"] == tokens_before + 2
    assert rig.standin.texts("oA") == ["y"]


async def test_wecom_sends_ask_for_the_duplicate_check(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    work = rig.work()
    assert (await work.send_text("ZhangWei", "新工单 GD1")).ok
    assert (await work.send_text("ZhangWei", "新工单 GD1")).ok  # a resend after a timeout
    [sent] = [r["json"] for r in rig.standin.requests if r["endpoint"] == "message/send"][:1]
    assert sent["enable_duplicate_check"] == 1 and sent["duplicate_check_interval"] >= 600
    assert rig.standin.texts("ZhangWei") == ["新工单 GD1"]  # shown once


async def test_5xx_is_retried(db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    rig.standin.fail("message/custom/send", status=502)
    assert (await rig.mp().send_text("oA", "x")).ok
    assert rig.standin.calls["message/custom/send"] == 2
    assert rig.standin.texts("oA") == ["x"]


async def test_unconfigured_app_fails_without_calling(
        db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    cfg = rig.settings.wechat.mp.model_copy(update={"app_secret": ""})
    res = await MpClient(cfg, rig.http(), db, rig.clock).send_text("oA", "x")
    assert not res.ok and res.errcode == NOT_CONFIGURED and not res.retryable
    assert sum(rig.standin.calls.values()) == 0


async def test_secrets_and_tokens_never_reach_the_logs(
        db: Database, make_rig: Callable[..., Rig], caplog: pytest.LogCaptureFixture) -> None:
    rig = make_rig(db, http={"timeout_seconds": 0.3, "retries": 1})
    rig.standin.fail("message/custom/send", 42001)
    rig.standin.fail("message/send", status=500)
    rig.standin.fail("gettoken", status=500)
    with caplog.at_level(logging.DEBUG, logger="bot"):  # ours (aiosqlite's DEBUG shows SQL)
        assert (await rig.mp().send_text("oA", "x")).ok
        assert (await rig.work().send_text("zhangwei", "y")).ok
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    issued = [r["query"].get("access_token") for r in rig.standin.requests]
    assert any(issued) and "gettoken" in ours and "42001" in ours  # the failures were logged…
    secrets = [rig.settings.wechat.mp.app_secret, rig.settings.wechat.work.secret]
    for secret in [*secrets, *filter(None, issued)]:
        assert secret not in ours  # …without what would let someone in


async def test_thin_calls_menu_media_qrcode(db: Database, make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(db)
    mp = rig.mp()
    rig.standin.media["MEDIA1"] = (b"\xff\xd8jpeg", "image/jpeg")
    menu = {"button": [{"type": "click", "name": "我要反映", "key": "REPORT"}]}
    assert (await mp.menu_create(menu)).ok
    assert rig.standin.menus == [menu]
    got = await mp.media_get("MEDIA1")
    assert got.ok and got.content == b"\xff\xd8jpeg" and got.content_type == "image/jpeg"
    missing = await mp.media_get("EXPIRED")
    assert not missing.ok and missing.errcode == 40007
    qr = await mp.qrcode_create("grid-07")
    assert qr.ok and qr.data["ticket"]
