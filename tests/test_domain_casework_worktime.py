"""Working time (DESIGN 10), property-tested: adding working time is monotone, lands in a working period of a working
day, and the working time between two moments adds up and gives back what was added; holidays and weekends count
nothing, 调休 weekend days and the lunch break as the calendar says; the 2026 national calendar as published."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.casework.domain.rules import HOLIDAYS_2026, WORKDAYS_2026, national_days
from backend.casework.domain.worktime import WorkTime, check_periods
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE

NATIONAL = WorkTime(national_days())
moments = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
).map(lambda m: m.replace(microsecond=0))
amounts = st.integers(min_value=0, max_value=60 * 7 * 40).map(lambda minutes: timedelta(minutes=minutes))
extra_days = st.dictionaries(
    st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 2, 1)), st.booleans(), max_size=40
)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_ZONE)


def in_working_time(work: WorkTime, moment: datetime) -> bool:
    """Within a working period (its end included) of a working day."""
    here = moment.astimezone(LOCAL_ZONE)
    minute = here.hour * 60 + here.minute + here.second / 60
    return work.is_working_day(here.date()) and any(start < minute <= end for start, end in work.periods)


@settings(max_examples=300, deadline=None)
@given(moments, amounts, amounts, extra_days)
def test_adding_working_time_is_monotone_and_lands_in_working_time(start, one, two, extra):
    work = WorkTime({**national_days(), **extra})
    small, large = sorted((one, two))
    assert work.add(start, small) <= work.add(start, large)
    if large > timedelta(0):
        assert work.add(start, large) > start
        assert in_working_time(work, work.add(start, large))


@settings(max_examples=300, deadline=None)
@given(moments, moments, amounts)
def test_a_later_start_never_gives_an_earlier_deadline(one, two, amount):
    early, late = sorted((one, two))
    assert NATIONAL.add(early, amount) <= NATIONAL.add(late, amount)


@settings(max_examples=300, deadline=None)
@given(moments, amounts, extra_days)
def test_the_working_time_between_gives_back_what_was_added(start, amount, extra):
    work = WorkTime({**national_days(), **extra})
    assert work.between(start, work.add(start, amount)) == amount


@settings(max_examples=200, deadline=None)
@given(moments, moments, moments)
def test_working_time_adds_up_and_never_exceeds_the_clock(a, b, c):
    a, b, c = sorted((a, b, c))
    assert NATIONAL.between(a, b) + NATIONAL.between(b, c) == NATIONAL.between(a, c)
    assert NATIONAL.between(a, c) <= c - a
    assert NATIONAL.between(c, a) == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), extra_days)
def test_a_day_counts_a_full_working_day_or_nothing(day, extra):
    work = WorkTime({**national_days(), **extra})
    whole = work.between(local(day, 0), local(day + timedelta(days=1), 0))
    expected = extra.get(day, national_days().get(day, day.weekday() < 5))
    assert whole == (timedelta(hours=7) if expected else timedelta(0))


def test_the_lunch_break_and_the_evening_count_nothing():
    tuesday = date(2026, 11, 3)
    assert NATIONAL.between(local(tuesday, 12), local(tuesday, 14)) == timedelta(0)
    assert NATIONAL.between(local(tuesday, 17, 30), local(tuesday + timedelta(days=1), 8, 30)) == timedelta(0)
    assert NATIONAL.add_hours(local(tuesday, 11), 2) == local(tuesday, 15)  # an hour before lunch, an hour after
    assert NATIONAL.add_hours(local(tuesday, 12, 30), 1) == local(tuesday, 15)  # raised at lunch: from 14:00
    assert NATIONAL.add_days(local(tuesday, 10), 1) == local(tuesday + timedelta(days=1), 10)


def test_the_2026_holidays_and_the_weekends_worked_instead():
    # 国庆: raised on 30 September at 16:00, two working hours: 1.5 h that day, then 8 October (a Thursday)
    assert NATIONAL.add_hours(local(date(2026, 9, 30), 16), 2) == local(date(2026, 10, 8), 9)
    # 调休: Saturday 14 February is worked, so a working day from Friday the 13th ends on that Saturday
    assert NATIONAL.add_days(local(date(2026, 2, 13), 10), 1) == local(date(2026, 2, 14), 10)
    # 春节 from 15 to 23 February: five working days from Saturday the 14th at 10:00 are 24–27 February and the
    # Saturday worked on the 28th
    assert NATIONAL.add_days(local(date(2026, 2, 14), 10), 5) == local(date(2026, 2, 28), 10)
    assert NATIONAL.add_days(local(date(2026, 2, 14), 10), 6) == local(date(2026, 3, 2), 10)
    days = national_days()
    assert sum(1 for working in days.values() if not working) == 33  # 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert [d for d, working in days.items() if working] == list(WORKDAYS_2026)
    assert all(d.weekday() >= 5 for d in WORKDAYS_2026), "every 调休 working day is a weekend day"
    assert len(HOLIDAYS_2026) == 7


def test_working_hours_come_from_the_rulebook_and_must_make_sense():
    short = WorkTime(national_days(), ((9 * 60, 12 * 60), (13 * 60, 16 * 60)))
    assert short.day_length == timedelta(hours=6)
    assert short.add_hours(local(date(2026, 11, 3), 11), 2) == local(date(2026, 11, 3), 14)
    for wrong in (((720, 510),), ((510, 720), (700, 1050)), ()):
        with pytest.raises(DomainError):
            check_periods(wrong)


def test_a_calendar_without_working_days_is_refused_not_looped_forever():
    never = WorkTime({date(2026, 1, 1) + timedelta(days=i): False for i in range(3 * 366 + 10)})
    with pytest.raises(DomainError, match="no working day"):
        never.add_hours(local(date(2026, 1, 1), 9), 1)
