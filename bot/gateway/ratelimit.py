"""Flood control: at most N messages per sender in a sliding minute.

The first message over the limit earns one polite notice; later ones are ignored until the
window has room again (the gateway still stores them, so nothing is lost). Only accepted
messages fill the window, so a sender who keeps flooding is let through again as soon as their
oldest accepted message is a minute old.

State is in memory, per worker process: with several gateway workers behind a balancer a
sender may get up to N per worker. That is enough to keep one person from drowning the
officers; it is not a security boundary.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from enum import Enum

from bot.gateway.crypto import EPOCH

Key = tuple[str, str]  # (channel, sender)
SWEEP_EVERY = 1024  # hits between sweeps of senders gone quiet


class Verdict(Enum):
    ACCEPT = "accept"
    NOTICE = "notice"  # the first one over the limit: say so once
    IGNORE = "ignore"


class FloodGuard:
    def __init__(self, limit: int, window_seconds: float = 60.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._accepted: dict[Key, deque[float]] = {}
        self._noticed: set[Key] = set()
        self._hits = 0

    def hit(self, key: Key, now: datetime) -> Verdict:
        """Count one message from `key` at `now` and say what to do with it."""
        t = (now - EPOCH).total_seconds()
        self._hits += 1
        if self._hits % SWEEP_EVERY == 0:
            self._sweep(t)
        times = self._accepted.setdefault(key, deque())
        self._expire(times, t)
        if len(times) < self.limit:
            times.append(t)
            self._noticed.discard(key)
            return Verdict.ACCEPT
        if key in self._noticed:
            return Verdict.IGNORE
        self._noticed.add(key)
        return Verdict.NOTICE

    def release(self, key: Key, verdict: Verdict, now: datetime) -> None:
        """Undo a hit that turned out to be a retry of a message already counted."""
        t = (now - EPOCH).total_seconds()
        times = self._accepted.get(key)
        if verdict is Verdict.ACCEPT and times and t in times:
            times.remove(t)
        elif verdict is Verdict.NOTICE:
            self._noticed.discard(key)

    def _expire(self, times: deque[float], t: float) -> None:
        while times and times[0] <= t - self.window:
            times.popleft()

    def _sweep(self, t: float) -> None:
        for key in list(self._accepted):
            times = self._accepted[key]
            self._expire(times, t)
            if not times:
                del self._accepted[key]
                self._noticed.discard(key)
