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

from collections import OrderedDict, deque
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

Key = tuple[str, str]  # (channel, sender)
TIDY_PER_HIT = 2  # senders least recently heard from looked at (and forgotten if quiet) per hit


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
    """Per sender, the slots given in the last minute (future ones included).

    Senders gone quiet are forgotten a few at a time, the least recently heard from first
    (an OrderedDict kept in that order): a sweep of them all every 1,024 messages walked every
    sender of the last minute at once, tens of thousands on a busy day, with the event loop
    held and every request in flight waiting."""

    def __init__(self, window_seconds: float = 60.0) -> None:
        self.window = timedelta(seconds=window_seconds)
        self._slots: OrderedDict[Key, deque[datetime]] = OrderedDict()
        self._noticed: set[Key] = set()

    def would_wait(self, key: Key, now: datetime, limit: int) -> bool:
        times = self._slots.get(key)
        if not times:
            return False
        self._expire(times, now)
        return len(times) >= limit

    def slot(self, key: Key, now: datetime, limit: int) -> Slot:
        """Count one message from `key` arriving at `now`: when to process it."""
        self._tidy(now)
        times = self._slots.get(key)
        if times is None:
            times = self._slots[key] = deque()
        else:
            self._slots.move_to_end(key)  # heard from now: the last to be looked at
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

    def _tidy(self, now: datetime) -> None:
        """Forget the least recently heard-from senders whose slots have all passed out of the
        window; one still waiting on a slot (a flood's backlog) goes to the back of the line."""
        slots = self._slots
        for _ in range(min(TIDY_PER_HIT, len(slots))):
            key, times = next(iter(slots.items()))
            self._expire(times, now)
            if times:
                slots.move_to_end(key)
            else:
                del slots[key]
                self._noticed.discard(key)
