"""Redis away under `flood_store = "redis"`: messages go through, the operator reads one line
when it goes and one when it is back (no tracebacks), a warning at start, and a gauge."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.gateway import flood_shared
from bot.gateway.flood_shared import SharedFloodGuard

T0 = datetime(2026, 12, 1, 9, 0, 0)


class FlakyRedis:
    def __init__(self) -> None:
        self.down = True
        self.calls = 0

    def register_script(self, _lua: str) -> Any:
        async def run(keys: list[str], args: list[Any]) -> list[Any]:
            self.calls += 1
            if self.down:
                raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")
            return [f"{args[0]:.6f}:n".encode(), 0]
        return run

    async def zcount(self, *_a: Any) -> int:
        if self.down:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")
        return 0

    async def ping(self) -> bool:
        if self.down:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")
        return True


def up() -> float | None:
    return REGISTRY.get_sample_value("gridbot_flood_store_up")


async def test_an_outage_is_two_lines_and_a_gauge(caplog: pytest.LogCaptureFixture,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flood_shared, "RETRY_SECONDS", 0.0)  # try Redis on every message
    redis = FlakyRedis()
    guard = SharedFloodGuard(redis)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="bot.gateway"):
        for n in range(5):
            assert not await guard.would_wait(("mp", f"o-{n}"), T0, 10)
            slot = await guard.slot(("mp", f"o-{n}"), T0, 10)
            assert slot.at == T0 and not slot.notice  # through at once: nothing lost
        assert up() == 0
        redis.down = False
        await guard.slot(("mp", "o-back"), T0, 10)
        assert up() == 1
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert "unreachable" in lines[0] and "flood guard is off" in lines[0]
    assert "reachable again" in lines[1]
    assert not any(r.exc_info for r in caplog.records)


async def test_while_down_redis_is_left_alone_between_retries(
        caplog: pytest.LogCaptureFixture) -> None:
    redis = FlakyRedis()
    guard = SharedFloodGuard(redis)  # type: ignore[arg-type]
    for n in range(20):
        await guard.slot(("mp", f"o-{n}"), T0, 10)
    assert redis.calls == 1  # the next try waits RETRY_SECONDS, not one timeout per message


async def test_a_start_without_redis_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    guard = SharedFloodGuard(FlakyRedis())  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="bot.gateway"):
        assert await guard.check() is False
        await guard.slot(("mp", "o-1"), T0, 10)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "cannot be reached at start" in lines[0]
    assert up() == 0
