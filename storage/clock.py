"""Time in one place, so tests can move it (time is injected, never slept on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Naive UTC, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


class Clock:
    """The app's clock; `FrozenClock` in tests."""

    def now(self) -> datetime:
        return utcnow()


class FrozenClock(Clock):
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or utcnow()

    def now(self) -> datetime:
        return self._now

    def advance(self, **kwargs: float) -> None:
        self._now += timedelta(**kwargs)


def to_local(dt: datetime | None) -> datetime | None:
    """Naive UTC → aware Asia/Shanghai."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC).astimezone(SHANGHAI)


def iso(dt: datetime | None) -> str | None:
    local = to_local(dt)
    return local.isoformat(timespec="seconds") if local else None


def local_text(dt: datetime | None) -> str:
    """How a person reads a time: 11月25日 17:30."""
    local = to_local(dt)
    return f"{local.month}月{local.day}日 {local:%H:%M}" if local else "-"
