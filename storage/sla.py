"""Deadlines: `m`/`h` are clock time, `d` are working days on the Chinese calendar.

A working-day deadline ends at the close of that working day (`workday_end`, 18:00 unless
configured), the way an office means 「两个工作日内」: reported on Wednesday morning, two working
days end on Friday at close. A report made after close or on a rest day counts from the next
working day.

chinese-calendar knows public holidays and 调休 make-up workdays only up to its release year;
config lists extra holidays and workdays for later years, and a year known to neither falls back
to Monday–Friday with one logged warning per year, never an exception.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import chinese_calendar

from storage.clock import SHANGHAI, naive, to_local

logger = logging.getLogger(__name__)


class WorkCalendar:
    def __init__(self, holidays: Iterable[str] = (), workdays: Iterable[str] = (),
                 workday_end: str = "18:00") -> None:
        self.holidays = {date.fromisoformat(d) for d in holidays}
        self.workdays = {date.fromisoformat(d) for d in workdays}
        hour, _, minute = workday_end.partition(":")
        self.workday_end = time(int(hour), int(minute or 0))
        # a year listed in config is known: its unlisted days follow the week without a warning
        self._configured = {d.year for d in self.holidays | self.workdays}
        self._warned: set[int] = set()
        self._days: dict[date, bool] = {}  # every deadline walks the same few weeks
        self._closes: dict[tuple[date, bool, int], date] = {}

    def is_workday(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
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

    def known(self, day: date) -> bool:
        """Whether holidays are known for `day`'s year (chinese-calendar or the config)."""
        if day.year in self._configured:
            return True
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def unknown_years(self, start: date, end: date) -> list[int]:
        """Years from `start` to `end` whose holidays nobody knows (they count Mon–Fri)."""
        return [y for y in range(start.year, end.year + 1) if not self.known(date(y, 12, 31))]

    def close_of_working_days(self, start_local: datetime, days: int) -> datetime:
        """The close of the `days`-th working day after `start_local`'s (a start after close
        or on a rest day counts from the next working day)."""
        start = start_local.date()
        key = (start, start_local.time() > self.workday_end, days)
        day = self._closes.get(key)
        if day is None:  # the same for every report of the day
            day = self._closes[key] = self._close_day(*key)
        return datetime.combine(day, self.workday_end, tzinfo=start_local.tzinfo)

    def _close_day(self, day: date, after_close: bool, days: int) -> date:
        if not self.is_workday(day) or after_close:
            day += timedelta(days=1)
            while not self.is_workday(day):
                day += timedelta(days=1)
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

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
    local = to_local(start_utc)  # as start_utc.replace(tzinfo=UTC).astimezone(SHANGHAI)
    assert local is not None
    if amount == int(amount) and amount >= 1:
        end = calendar.close_of_working_days(local, int(amount))
    else:  # a fraction of a working day is clock time counted over working days
        end = calendar.add_working_days(local, amount)
    return naive(end.astimezone(UTC))


def is_working_day_duration(duration: str) -> bool:
    return parse_duration(duration)[1] == "d"


# the longest a deadline reaches ahead: 10 working days plus the longest holiday around them
HORIZON = timedelta(days=45)


def calendar_warnings(calendar: WorkCalendar, now_utc: datetime) -> list[str]:
    """What to tell operators while deadlines reach into a year with no holiday data."""
    today = now_utc.replace(tzinfo=UTC).astimezone(SHANGHAI).date()
    years = calendar.unknown_years(today, today + HORIZON)
    return [f"{y} 年的法定节假日和调休尚无数据：截止时间暂按周一至周五"
            f"计算。请在配置 [calendar] holidays / workdays 中列出 {y} 年的安排。" for y in years]
