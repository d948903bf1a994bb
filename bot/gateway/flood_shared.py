"""The flood guard's counters in Redis, shared by every worker (`[server] flood_store =
"redis"`), so a sender cannot flood by landing on different workers.

Same rules and interface as `bot.gateway.ratelimit.FloodGuard` (slot / would_wait / release;
the methods are coroutines here, the gateway awaits either): per sender, the slots given in the
last minute (future ones included); a message over the limit is given the time the window has
room for it, and the first of a burst to wait earns one notice. Each slot is one Lua script run,
so two workers counting the same sender cannot both take the last place.

If Redis is away the message is processed at once: nothing is lost, but the guard is off.
The operator reads one line (no traceback) when it goes away, one when it is back, and a
reminder at most every `REMIND_SECONDS` while it stays away; `gridbot_flood_store_up` on
/metrics is 0 meanwhile, and a start without Redis warns at once (`check`). While it is away
Redis is tried again at most every `RETRY_SECONDS`, so messages do not each wait for a timeout.
/healthz does not depend on it (the gateway works without the guard).
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from bot import metrics
from bot.gateway.crypto import EPOCH
from bot.gateway.ratelimit import Key, Slot

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0  # while Redis is away, try it again at most this often
REMIND_SECONDS = 300.0  # and say it is still away at most this often
TIMEOUT_SECONDS = 1.0  # connecting and each command: a message must not wait long for it

# KEYS: slots (sorted set of slot times), noticed (flag). ARGV: now, window, limit, nonce.
# Returns {member, notice}: the member's prefix is the slot time (Lua numbers come back as
# integers, strings do not).
SLOT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
local at = now
if n > 0 then
  local last = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])
  if n >= limit then
    at = tonumber(redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')[2]) + window
  end
  if last > at then at = last end
end
local member = string.format('%.6f', at) .. ':' .. ARGV[4]
redis.call('ZADD', KEYS[1], at, member)
local ttl = math.ceil(at - now + window) + 1
redis.call('EXPIRE', KEYS[1], ttl)
local notice = 0
if at <= now then
  redis.call('DEL', KEYS[2])
elseif redis.call('SET', KEYS[2], '1', 'NX', 'EX', ttl) then
  notice = 1
end
return {member, notice}
"""


def _seconds(at: datetime) -> float:
    return (at - EPOCH).total_seconds()


class SharedFloodGuard:
    def __init__(self, redis: Redis, window_seconds: float = 60.0,
                 prefix: str = "gridbot:flood") -> None:
        self.redis = redis
        self.window = window_seconds
        self.prefix = prefix
        self._slot = redis.register_script(SLOT)
        self._members: dict[tuple[Key, datetime], str] = {}  # for release, in this worker
        self.up = True  # as far as this worker knows
        self._retry_at = 0.0  # monotonic: while down, Redis is left alone until then
        self._remind_at = 0.0
        metrics.FLOOD_STORE_UP.set(1)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> SharedFloodGuard:
        return cls(Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS,
                                  socket_timeout=TIMEOUT_SECONDS), **kwargs)

    def _usable(self) -> bool:
        return self.up or time.monotonic() >= self._retry_at

    def _ok(self) -> None:
        if not self.up:
            self.up = True
            metrics.FLOOD_STORE_UP.set(1)
            logger.warning("flood store (Redis) is reachable again: the flood guard is back on")

    def _failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        self._retry_at = now + RETRY_SECONDS
        why = f"{type(exc).__name__}: {str(exc)[:160]}"
        if self.up:
            self.up = False
            self._remind_at = now + REMIND_SECONDS
            metrics.FLOOD_STORE_UP.set(0)
            logger.warning("flood store (Redis) unreachable (%s): the flood guard is off, "
                           "messages are processed at once until it is back", why)
        elif now >= self._remind_at:
            self._remind_at = now + REMIND_SECONDS
            logger.warning("flood store (Redis) still unreachable (%s): the flood guard is off",
                           why)

    async def check(self) -> bool:
        """At start: is Redis there? A warning if not (the guard is off until it is)."""
        try:
            await self.redis.ping()
        except Exception as exc:  # noqa: BLE001 - any failure means the same to the operator
            self.up = False
            self._retry_at = time.monotonic() + RETRY_SECONDS
            self._remind_at = time.monotonic() + REMIND_SECONDS
            metrics.FLOOD_STORE_UP.set(0)
            logger.warning("flood store (Redis) cannot be reached at start (%s: %s): the flood "
                           "guard is off until it can", type(exc).__name__, str(exc)[:160])
            return False
        self._ok()
        return True

    def _keys(self, key: Key) -> list[str]:
        base = f"{self.prefix}:{key[0]}:{key[1]}"
        return [f"{base}:slots", f"{base}:noticed"]

    async def would_wait(self, key: Key, now: datetime, limit: int) -> bool:
        if not self._usable():
            return False
        try:
            n = await self.redis.zcount(self._keys(key)[0], f"({_seconds(now) - self.window}",
                                        "+inf")
        except Exception as exc:  # noqa: BLE001 - Redis away: slot() lets it through
            self._failed(exc)
            return False
        self._ok()
        return int(n) >= limit

    async def slot(self, key: Key, now: datetime, limit: int) -> Slot:
        """Count one message from `key` arriving at `now`: when to process it."""
        if not self._usable():
            return Slot(now)
        try:
            member, notice = await self._slot(
                keys=self._keys(key),
                args=[_seconds(now), self.window, limit, secrets.token_hex(4)])
        except Exception as exc:  # noqa: BLE001 - Redis away: through rather than lost
            self._failed(exc)
            return Slot(now)
        self._ok()
        member = member.decode() if isinstance(member, bytes) else str(member)
        at = EPOCH + timedelta(seconds=float(member.partition(":")[0]))
        if at - now < timedelta(milliseconds=1):  # at once (the 6-digit text round trip)
            at = now
        if len(self._members) > 10000:  # releases come within seconds; drop old ones
            self._members.clear()
        self._members[(key, at)] = member
        return Slot(at, notice=bool(int(notice)))

    async def release(self, key: Key, slot: Slot) -> None:
        """Undo a slot given to what turned out to be a retry of a message already counted."""
        slots, noticed = self._keys(key)
        member = self._members.pop((key, slot.at), None)
        if not self._usable() or (member is None and not slot.notice):
            return
        try:
            if member is not None:
                await self.redis.zrem(slots, member)
            if slot.notice:
                await self.redis.delete(noticed)
        except Exception as exc:  # noqa: BLE001 - the same outage as slot()'s
            self._failed(exc)

    async def close(self) -> None:
        await self.redis.aclose()
