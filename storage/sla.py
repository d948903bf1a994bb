"""Deadlines: `m`/`h` are clock time, `d` are working days on the Chinese calendar.

chinese-calendar knows public holidays and 调休 make-up workdays only up to its release year;
config lists extra holidays and workdays for later years, and a year known to neither falls back
to Monday–Friday with one logged warning per year, never an exception.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import chinese_calendar

from storage.clock import SHANGHAI

logger = logging.getLogger(__name__)


class WorkCalendar:
    def __init__(self, holidays: Iterable[str] = (), workdays: Iterable[str] = ()) -> None:
        self.holidays = {date.fromisoformat(d) for d in holidays}
        self.workdays = {date.fromisoformat(d) for d in workdays}
        # a year listed in config is known: its unlisted days follow the week without a warning
        self._configured = {d.year for d in self.holidays | self.workdays}
        self._warned: set[int] = set()

    def is_workday(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned and day.year not in self._configured:
                self._warned.add(day.year)
                logger.warning("no holiday data for %d: counting Monday-Friday as working days; "
                               "list that year's holidays in [calendar]", day.year)
            return day.weekday() < 5

    def add_working_days(self, start_local: datetime, days: float) -> datetime:
        """`days` working days after `start_local`, at the same clock time.

        A start on a rest day counts from the start of the next working day.
        """
        whole = int(days)
        frac = days - whole
        current = start_local
        if not self.is_workday(current.date()):
            current = current.replace(hour=9, minute=0, second=0, microsecond=0)
            while not self.is_workday(current.date()):
                current += timedelta(days=1)
        remaining = whole
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_workday(current.date()):
                remaining -= 1
        return current + timedelta(days=frac)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$")


def parse_duration(value: str) -> tuple[float, str]:
    """'30m' → (30, 'm'); m/h are clock time, d are working days."""
    m = _DURATION.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a duration like 30m, 4h or 2d")
    return float(m.group(1)), m.group(2)


def deadline(start_utc: datetime, duration: str, calendar: WorkCalendar) -> datetime:
    """The naive-UTC deadline `duration` after `start_utc`."""
    amount, unit = parse_duration(duration)
    if unit == "m":
        return start_utc + timedelta(minutes=amount)
    if unit == "h":
        return start_utc + timedelta(hours=amount)
    local = start_utc.replace(tzinfo=UTC).astimezone(SHANGHAI)
    end = calendar.add_working_days(local, amount)
    return end.astimezone(UTC).replace(tzinfo=None)
