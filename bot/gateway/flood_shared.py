"""The flood guard's counters in Redis, shared by every worker (`[server] flood_store =
"redis"`), so a sender cannot flood by landing on different workers.

Same rules and interface as `bot.gateway.ratelimit.FloodGuard` (hit / release / limit; the
methods are coroutines here, the gateway awaits either): a sliding minute of accepted
messages per sender, one notice for the first over the limit, silence after. Each hit is one
Lua script run, so two workers counting the same sender cannot both take the last place.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from redis.asyncio import Redis

from bot.gateway.crypto import EPOCH
from bot.gateway.ratelimit import Key, Verdict

logger = logging.getLogger(__name__)

# KEYS: accepted (sorted set of times), noticed (flag). ARGV: now, window, limit, member.
HIT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(ARGV[2]) + 1)
  redis.call('DEL', KEYS[2])
  return 'accept'
end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', math.ceil(ARGV[2]) + 1) then
  return 'notice'
end
return 'ignore'
"""


class SharedFloodGuard:
    def __init__(self, redis: Redis, limit: int, window_seconds: float = 60.0,
                 prefix: str = "gridbot:flood") -> None:
        self.redis = redis
        self.limit = limit
        self.window = window_seconds
        self.prefix = prefix
        self._hit = redis.register_script(HIT)
        self._members: dict[tuple[Key, float], str] = {}  # for release, in this worker

    @classmethod
    def from_url(cls, url: str, limit: int, **kwargs: object) -> SharedFloodGuard:
        return cls(Redis.from_url(url), limit, **kwargs)  # type: ignore[arg-type]

    def _keys(self, key: Key) -> list[str]:
        base = f"{self.prefix}:{key[0]}:{key[1]}"
        return [f"{base}:accepted", f"{base}:noticed"]

    async def hit(self, key: Key, now: datetime) -> Verdict:
        """Count one message from `key` at `now` and say what to do with it."""
        t = (now - EPOCH).total_seconds()
        member = f"{t:.6f}:{secrets.token_hex(4)}"
        try:
            answer = await self._hit(keys=self._keys(key), args=[t, self.window, self.limit,
                                                                 member])
        except Exception:  # Redis away: let the message through rather than lose it
            logger.exception("flood counters unavailable; %s:%s accepted", *key)
            return Verdict.ACCEPT
        verdict = Verdict(answer.decode() if isinstance(answer, bytes) else answer)
        if verdict is Verdict.ACCEPT:
            if len(self._members) > 10000:  # releases come within seconds; drop old ones
                self._members.clear()
            self._members[(key, t)] = member
        return verdict

    async def release(self, key: Key, verdict: Verdict, now: datetime) -> None:
        """Undo a hit that turned out to be a retry of a message already counted."""
        t = (now - EPOCH).total_seconds()
        accepted, noticed = self._keys(key)
        try:
            if verdict is Verdict.ACCEPT:
                member = self._members.pop((key, t), None)
                if member is not None:
                    await self.redis.zrem(accepted, member)
            elif verdict is Verdict.NOTICE:
                await self.redis.delete(noticed)
        except Exception:
            logger.exception("could not release a flood hit of %s:%s", *key)

    async def close(self) -> None:
        await self.redis.aclose()
