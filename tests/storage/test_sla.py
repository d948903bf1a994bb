"""Working-day deadlines on the Chinese calendar (storage.sla), with real 2026 dates."""

from __future__ import annotations

import logging

import pytest

from storage.sla import WorkCalendar, calendar_warnings, deadline
from tests.support.clock import utc


@pytest.mark.parametrize(("start", "duration", "expected"), [
    # Friday + 1 working day: over the weekend to the close of Monday (18:00)
    ("2026-11-20 10:00", "1d", "2026-11-23 18:00"),
    ("2026-11-20 10:00", "2d", "2026-11-24 18:00"),
    # National Day 2026: Oct 1–7 are off, Saturday Oct 10 is a 调休 working day
    ("2026-09-30 10:00", "1d", "2026-10-08 18:00"),
    ("2026-09-30 10:00", "2d", "2026-10-09 18:00"),
    ("2026-09-30 10:00", "3d", "2026-10-10 18:00"),
    ("2026-10-09 16:00", "1d", "2026-10-10 18:00"),
    # Sunday Sep 20 is a 调休 working day too; Mid-Autumn (Sep 25, a Friday) is not
    ("2026-09-18 09:30", "1d", "2026-09-20 18:00"),
    ("2026-09-24 09:30", "1d", "2026-09-28 18:00"),
    # a start on a rest day or after close counts from the next working day
    ("2026-10-03 15:00", "1d", "2026-10-09 18:00"),
    ("2026-11-21 20:00", "1d", "2026-11-24 18:00"),
    ("2026-11-23 19:00", "1d", "2026-11-25 18:00"),
    # m and h are clock time, holidays or not
    ("2026-10-01 10:00", "30m", "2026-10-01 10:30"),
    ("2026-09-30 18:00", "24h", "2026-10-01 18:00"),
])
def test_deadlines_on_the_2026_calendar(start: str, duration: str, expected: str) -> None:
    assert deadline(utc(start), duration, WorkCalendar()) == utc(expected)


def test_close_of_business_is_configurable() -> None:
    cal = WorkCalendar(workday_end="17:30")
    assert deadline(utc("2026-11-20 10:00"), "1d", cal) == utc("2026-11-23 17:30")


def test_configured_2027_holidays_and_workdays_without_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    # chinese-calendar 1.11 stops at 2026; a deadline set on Dec 31 reaches into 2027
    cal = WorkCalendar(holidays=["2027-01-01", "2027-01-04"], workdays=["2027-01-03"])
    with caplog.at_level(logging.WARNING, logger="storage.sla"):
        # Jan 1 (holiday) and Jan 2 (Saturday) off, Sunday Jan 3 worked, Jan 4 off, Jan 5 on
        assert deadline(utc("2026-12-31 10:00"), "1d", cal) == utc("2027-01-03 18:00")
        assert deadline(utc("2026-12-31 10:00"), "2d", cal) == utc("2027-01-05 18:00")
        assert deadline(utc("2027-01-07 10:00"), "2d", cal) == utc("2027-01-11 18:00")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_unknown_year_falls_back_to_weekends_with_one_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="storage.sla"):
        # 2028-09-29 is a Friday: Monday Oct 2 would be National Day, but nothing says so
        assert deadline(utc("2028-09-29 10:00"), "1d", cal) == utc("2028-10-02 18:00")
        assert deadline(utc("2028-09-29 10:00"), "3d", cal) == utc("2028-10-04 18:00")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "2028" in warnings[0]


def test_operators_are_warned_while_deadlines_reach_an_unknown_year() -> None:
    assert any("2027" in w for w in calendar_warnings(WorkCalendar(), utc("2026-12-20 10:00")))
    assert calendar_warnings(WorkCalendar(), utc("2026-06-01 10:00")) == []
    known = WorkCalendar(holidays=["2027-01-01"])
    assert calendar_warnings(known, utc("2026-12-20 10:00")) == []
