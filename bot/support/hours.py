"""Business hours: deadlines in the escalation ladder count only working time.

Default: Monday to Friday 08:00-17:00 Europe/Stockholm, closed on Swedish public holidays (from the
maintained `holidays` package) and on the eves Swedish workplaces close for (midsommarafton,
julafton, nyårsafton), which are not public holidays in law.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessHours:
    timezone: str = "Europe/Stockholm"
    opens: time = time(8, 0)
    closes: time = time(17, 0)
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    country: str | None = "SE"
    closed_eves: bool = True
    extra_closed: tuple[date, ...] = field(default_factory=tuple)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def day_length(self) -> timedelta:
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    def is_business_day(self, day: date) -> bool:
        if WEEKDAYS[day.weekday()] not in self.days or day in self.extra_closed:
            return False
        if self.closed_eves and self._is_closed_eve(day):
            return False
        return not (self.country and day in self._holidays(day.year))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of business time after `start` (aware datetimes, any zone)."""
        local = start.astimezone(self.zone)
        remaining = duration
        day = local.date()
        cursor = local
        while True:
            if self.is_business_day(day):
                opens = datetime.combine(day, self.opens, self.zone)
                closes = datetime.combine(day, self.closes, self.zone)
                begin = max(cursor, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(start.tzinfo)
                    remaining -= available
            day += timedelta(days=1)
            cursor = datetime.combine(day, time.min, self.zone)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from `start` to `end` (zero if end is not after start)."""
        if end <= start:
            return timedelta(0)
        local_start, local_end = start.astimezone(self.zone), end.astimezone(self.zone)
        total = timedelta(0)
        day = local_start.date()
        while day <= local_end.date():
            if self.is_business_day(day):
                opens = datetime.combine(day, self.opens, self.zone)
                closes = datetime.combine(day, self.closes, self.zone)
                begin, finish = max(opens, local_start), min(closes, local_end)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total

    def _holidays(self, year: int) -> holidays.HolidayBase:
        return _country_holidays(self.country or "", year)

    @staticmethod
    def _is_closed_eve(day: date) -> bool:
        """Midsommarafton (the Friday between 19 and 25 June), julafton, nyårsafton."""
        if (day.month, day.day) in ((12, 24), (12, 31)):
            return True
        return day.month == 6 and 19 <= day.day <= 25 and day.weekday() == 4


_CACHE: dict[tuple[str, int], holidays.HolidayBase] = {}


def _country_holidays(country: str, year: int) -> holidays.HolidayBase:
    key = (country, year)
    if key not in _CACHE:
        _CACHE[key] = holidays.country_holidays(country, years=year)
    return _CACHE[key]
