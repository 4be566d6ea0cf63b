"""Business hours: what the escalation deadlines count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.support.hours import BusinessHours

STOCKHOLM = BusinessHours()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_within_a_day_and_over_the_night() -> None:
    # Tue 3 Nov 2026, 09:00 CET = 08:00 UTC
    assert STOCKHOLM.add(utc(2026, 11, 3, 8), timedelta(hours=2)) == utc(2026, 11, 3, 10)
    # 16:00 CET + 2 h -> 1 h today, 1 h from 08:00 tomorrow = 09:00 CET
    assert STOCKHOLM.add(utc(2026, 11, 3, 15), timedelta(hours=2)) == utc(2026, 11, 4, 8)
    # asked in the evening: the clock starts at 08:00 next morning
    assert STOCKHOLM.add(utc(2026, 11, 3, 20), timedelta(minutes=30)) == utc(2026, 11, 4, 7, 30)


def test_weekends_holidays_and_eves_are_closed() -> None:
    # Friday 16:30 CET + 1 h -> Monday 08:30
    assert STOCKHOLM.add(utc(2026, 11, 6, 15, 30), timedelta(hours=1)) == utc(2026, 11, 9, 7, 30)
    # Thursday before midsummer 17:00 CEST: Fri is midsommarafton, then the weekend
    assert STOCKHOLM.add(utc(2026, 6, 18, 15), timedelta(hours=2)) == utc(2026, 6, 22, 8)
    assert not STOCKHOLM.is_business_day(date(2026, 12, 24))  # julafton
    assert not STOCKHOLM.is_business_day(date(2026, 12, 25))  # juldagen (public holiday)
    assert not STOCKHOLM.is_business_day(date(2026, 5, 14))  # Kristi himmelfärd
    assert STOCKHOLM.is_business_day(date(2026, 12, 23))
    no_eves = BusinessHours(closed_eves=False)
    assert no_eves.is_business_day(date(2026, 12, 24))


def test_daylight_saving_change() -> None:
    # Fri 27 March 2026 16:30 CET; the clocks go forward on Sunday: Monday 08:30 is CEST
    assert STOCKHOLM.add(utc(2026, 3, 27, 15, 30), timedelta(hours=1)) == utc(2026, 3, 30, 6, 30)


def test_between_counts_only_open_time() -> None:
    friday_afternoon, monday_morning = utc(2026, 11, 6, 15), utc(2026, 11, 9, 8)
    assert STOCKHOLM.between(friday_afternoon, monday_morning) == timedelta(hours=2)
    assert STOCKHOLM.between(monday_morning, friday_afternoon) == timedelta(0)
    start = utc(2026, 11, 3, 8, 17)
    for minutes in (1, 59, 9 * 60, 3 * 9 * 60 + 7):
        end = STOCKHOLM.add(start, timedelta(minutes=minutes))
        assert STOCKHOLM.between(start, end) == timedelta(minutes=minutes)


def test_other_hours_and_zone() -> None:
    helsinki = BusinessHours("Europe/Helsinki", time(7, 30), time(16), days=("mon",), country="FI")
    assert helsinki.day_length == timedelta(hours=8, minutes=30)
    # Tuesday -> next Monday 07:30 EET = 05:30 UTC, + 1 h
    assert helsinki.add(utc(2026, 11, 3, 10), timedelta(hours=1)) == utc(2026, 11, 9, 6, 30)
