"""Naive UTC as residents and officers read it (Asia/Shanghai), however often it is asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.clock import SHANGHAI, local_text, to_local


def test_an_instant_reads_the_same_every_time_it_is_asked() -> None:
    start = datetime(2026, 12, 3, 15, 59, 30)  # 23:59:30 in Shanghai
    for step in range(200):  # more instants than are remembered: each still right
        dt = start + timedelta(seconds=step)
        for _ in range(3):
            local = to_local(dt)
            assert local == dt.replace(tzinfo=UTC)
            assert local.tzinfo is SHANGHAI and local.utcoffset() == timedelta(hours=8)
    assert to_local(start).date().day == 3 and to_local(start + timedelta(minutes=1)).day == 4
    assert local_text(start) == "12月3日 23:59"
    assert to_local(None) is None


def test_an_aware_time_is_read_as_utc_as_before() -> None:
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=SHANGHAI)
    same_instant = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
    assert noon == same_instant
    assert to_local(same_instant).hour == 12
    assert to_local(noon).hour == 20  # its wall clock taken as UTC, whatever was asked before


def test_naive_is_replace_without_the_zone() -> None:
    """`clock.naive` stands in for `replace(tzinfo=None)` (2 µs on this Python): the same
    wall-clock digits, fold included, and no zone."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from storage.clock import naive

    for dt in (datetime(2026, 12, 4, 2, 30, 15, 123456, tzinfo=UTC),
               datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
               datetime(2026, 1, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai")), datetime(2026, 1, 1)):
        got = naive(dt)
        assert got == dt.replace(tzinfo=None) and got.tzinfo is None
        assert got.fold == dt.fold
