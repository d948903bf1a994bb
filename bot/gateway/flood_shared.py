"""The flood guard's counters in Redis, shared by every worker (`[server] flood_store =
"redis"`), so a sender cannot flood by landing on different workers.

Same rules and interface as `bot.gateway.ratelimit.FloodGuard` (slot / would_wait / release;
the methods are coroutines here, the gateway awaits either): per sender, the slots given in the
last minute (future ones included); a message over the limit is given the time the window has
room for it, and the first of a burst to wait earns one notice. Each slot is one Lua script run,
so two workers counting the same sender cannot both take the last place. If Redis is away the
message is processed at once and a line logged: nothing is lost.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from redis.asyncio import Redis

from bot.gateway.crypto import EPOCH
from bot.gateway.ratelimit import Key, Slot

logger = logging.getLogger(__name__)

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

    @classmethod
    def from_url(cls, url: str, **kwargs: object) -> SharedFloodGuard:
        return cls(Redis.from_url(url), **kwargs)  # type: ignore[arg-type]

    def _keys(self, key: Key) -> list[str]:
        base = f"{self.prefix}:{key[0]}:{key[1]}"
        return [f"{base}:slots", f"{base}:noticed"]

    async def would_wait(self, key: Key, now: datetime, limit: int) -> bool:
        try:
            n = await self.redis.zcount(self._keys(key)[0], f"({_seconds(now) - self.window}",
                                        "+inf")
        except Exception:  # noqa: BLE001 - Redis away: the slot() that follows lets it through
            logger.warning("flood counters unavailable", exc_info=True)
            return False
        return int(n) >= limit

    async def slot(self, key: Key, now: datetime, limit: int) -> Slot:
        """Count one message from `key` arriving at `now`: when to process it."""
        try:
            member, notice = await self._slot(
                keys=self._keys(key),
                args=[_seconds(now), self.window, limit, secrets.token_hex(4)])
        except Exception:  # Redis away: let the message through rather than lose it
            logger.exception("flood counters unavailable; a message processed at once")
            return Slot(now)
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
        try:
            member = self._members.pop((key, slot.at), None)
            if member is not None:
                await self.redis.zrem(slots, member)
            if slot.notice:
                await self.redis.delete(noticed)
        except Exception:
            logger.exception("could not release a flood slot")

    async def close(self) -> None:
        await self.redis.aclose()
