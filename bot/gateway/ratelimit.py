"""Flood control: a sender's messages are processed at most N in any sliding minute.

Nothing is dropped. A message that would be the (N+1)-th within a minute is given a slot: the
time the window has room for it (the N-th earlier slot plus a minute). The gateway stores it
`deferred` until then and the recovery sweep processes it at its slot, so a flood is slowed
down, not lost. The first message of a burst that has to wait earns one notice saying so.

`FloodCounter` is the interface the gateway uses; it awaits whatever a method returns that is
awaitable. `FloodGuard` keeps the counters in memory, per worker process (answers at once);
`bot.gateway.flood_shared.SharedFloodGuard` keeps them in Redis, shared by every worker of
`gridbot serve --workers N` (`[server] flood_store = "redis"`; its methods are coroutines).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

Key = tuple[str, str]  # (channel, sender)
SWEEP_EVERY = 1024  # hits between sweeps of senders gone quiet


@dataclass(frozen=True)
class Slot:
    at: datetime  # when the message may be processed (== now: at once)
    notice: bool = False  # the first one of a burst to wait: tell the sender, once

    def waits(self, now: datetime) -> bool:
        return self.at > now


class FloodCounter(Protocol):
    def slot(self, key: Key, now: datetime, limit: int) -> Slot | Awaitable[Slot]: ...

    def would_wait(self, key: Key, now: datetime, limit: int) -> bool | Awaitable[bool]: ...

    def release(self, key: Key, slot: Slot) -> None | Awaitable[None]: ...


class FloodGuard:
    """Per sender, the slots given in the last minute (future ones included)."""

    def __init__(self, window_seconds: float = 60.0) -> None:
        self.window = timedelta(seconds=window_seconds)
        self._slots: dict[Key, deque[datetime]] = {}
        self._noticed: set[Key] = set()
        self._hits = 0

    def would_wait(self, key: Key, now: datetime, limit: int) -> bool:
        times = self._slots.get(key)
        if not times:
            return False
        self._expire(times, now)
        return len(times) >= limit

    def slot(self, key: Key, now: datetime, limit: int) -> Slot:
        """Count one message from `key` arriving at `now`: when to process it."""
        self._hits += 1
        if self._hits % SWEEP_EVERY == 0:
            self._sweep(now)
        times = self._slots.setdefault(key, deque())
        self._expire(times, now)
        if len(times) < limit:  # behind a backlog a message waits its turn: order is kept
            at = max(now, times[-1]) if times else now
        else:  # the window has room once the limit-th latest slot is a minute old
            at = max(times[-limit] + self.window, times[-1])
        times.append(at)
        if at <= now:
            self._noticed.discard(key)
            return Slot(at)
        first = key not in self._noticed
        self._noticed.add(key)
        return Slot(at, notice=first)

    def release(self, key: Key, slot: Slot) -> None:
        """Undo a slot given to what turned out to be a retry of a message already counted."""
        times = self._slots.get(key)
        if times and slot.at in times:
            times.remove(slot.at)
        if slot.notice:
            self._noticed.discard(key)

    def _expire(self, times: deque[datetime], now: datetime) -> None:
        while times and times[0] <= now - self.window:
            times.popleft()

    def _sweep(self, now: datetime) -> None:
        for key in list(self._slots):
            times = self._slots[key]
            self._expire(times, now)
            if not times:
                del self._slots[key]
                self._noticed.discard(key)
