"""Time in one place, so tests can move it (time is injected, never slept on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Naive UTC, as stored in the database."""
    return naive(datetime.now(UTC))


_combine = datetime.combine


def naive(dt: datetime) -> datetime:
    """`dt` without its zone (its wall-clock digits kept): `dt.replace(tzinfo=None)`, which
    on this Python costs ~2 µs (keyword parsing and a new object made through the type's
    constructor) against ~0.1 µs for putting its date and time together again; a report
    strips a zone a few times over (its `now`, its deadlines)."""
    return _combine(dt.date(), dt.time())


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
    """Naive UTC → aware Asia/Shanghai. The last instants asked for are remembered: a report
    asks for the same few (its `now`, its deadlines) several times over (the code's day, the
    deadlines' texts in the reply and the officer's notice), at 1.5 µs a conversion."""
    if dt is None:
        return None
    if dt.tzinfo is not None:  # not what is stored; equal instants in other zones differ here
        return dt.replace(tzinfo=UTC).astimezone(SHANGHAI)
    local = _LOCAL.get(dt)
    if local is None:
        if len(_LOCAL) >= _LOCAL_KEPT:
            _LOCAL.clear()
        local = _LOCAL[dt] = dt.replace(tzinfo=UTC).astimezone(SHANGHAI)
    return local


_LOCAL: dict[datetime, datetime] = {}  # naive UTC → aware local (datetimes are immutable)
_LOCAL_KEPT = 64


def iso(dt: datetime | None) -> str | None:
    local = to_local(dt)
    return local.isoformat(timespec="seconds") if local else None


def local_text(dt: datetime | None) -> str:
    """How a person reads a time: 11月25日 17:30."""
    local = to_local(dt)
    return f"{local.month}月{local.day}日 {local:%H:%M}" if local else "-"
