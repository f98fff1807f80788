"""Working time (DESIGN 10): acceptance and answer deadlines run in working time — the working periods of the day
(08:30–12:00 and 14:00–17:30 by default, from the rulebook) on working days (Monday to Friday, except the holidays
of the street's calendar, plus the weekend days it says are worked, 调休). Pure functions of a calendar: no clock.

"N working days" is N times the working minutes of a day: raised on Tuesday at 10:00 with one working day to
answer, the answer is due on Wednesday at 10:00; raised on Saturday, on Monday at 17:30. So every deadline is a
moment, the same for everyone who computes it, and the working time between two moments adds up."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE

DEFAULT_PERIODS = ((8 * 60 + 30, 12 * 60), (14 * 60, 17 * 60 + 30))
SEARCH_DAYS = 3 * 366  # a calendar without a working day for three years is a mistake, not a long holiday


def _at(day: date, minute: int) -> datetime:
    return (
        datetime.combine(day, time(minute // 60, minute % 60), LOCAL_ZONE)
        if minute < 24 * 60
        else (datetime.combine(day + timedelta(days=1), time(0), LOCAL_ZONE))
    )


def check_periods(periods: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Working periods as minutes of the day: each starts before it ends, in order, none overlapping."""
    last = 0
    for start, end in periods:
        if not last <= start < end <= 24 * 60:
            raise DomainError("Working hours must run forward within the day, morning before afternoon.", "periods")
        last = end
    if not periods:
        raise DomainError("Working hours must run forward within the day, morning before afternoon.", "periods")
    return periods


@dataclass(frozen=True)
class WorkTime:
    """A street's calendar (`days`: a holiday False, a weekend day worked True; every other day by its weekday)
    and the working periods of a day (minutes from midnight, China time)."""

    days: Mapping[date, bool] = field(default_factory=dict)
    periods: tuple[tuple[int, int], ...] = DEFAULT_PERIODS

    def __post_init__(self) -> None:
        check_periods(self.periods)

    def is_working_day(self, day: date) -> bool:
        return self.days.get(day, day.weekday() < 5)

    @property
    def day_length(self) -> timedelta:
        return timedelta(minutes=sum(end - start for start, end in self.periods))

    def _spans(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working spans from the day of `moment` on, in order (the day's spans that end before it too)."""
        day = moment.astimezone(LOCAL_ZONE).date()
        for offset in range(SEARCH_DAYS):
            current = day + timedelta(days=offset)
            if self.is_working_day(current):
                for start, end in self.periods:
                    yield _at(current, start), _at(current, end)
        raise DomainError("The calendar has no working day for three years; ask the street to correct it.")

    def add(self, moment: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of working time after `moment` (which may fall outside working time: the count then
        starts with the next working period). Adding nothing is the moment itself."""
        if amount <= timedelta(0):
            return moment
        left = amount
        for start, end in self._spans(moment):
            if end <= moment:
                continue
            begin = max(start, moment)
            if left <= end - begin:
                return (begin + left).astimezone(moment.tzinfo)
            left -= end - begin
        raise AssertionError("unreachable: _spans raises first")  # pragma: no cover

    def add_hours(self, moment: datetime, hours: float) -> datetime:
        return self.add(moment, timedelta(hours=hours))

    def add_days(self, moment: datetime, days: int) -> datetime:
        return self.add(moment, self.day_length * days)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time from `start` to `end` (nothing when `end` is not after `start`)."""
        total = timedelta(0)
        if end <= start:
            return total
        last_day = end.astimezone(LOCAL_ZONE).date()
        for span_start, span_end in self._spans(start):
            if span_start.date() > last_day or span_start >= end:
                break
            overlap = min(span_end, end) - max(span_start, start)
            if overlap > timedelta(0):
                total += overlap
        return total

    def warn_at(self, start: datetime, due: datetime, share: float) -> datetime:
        """The moment `share` of the working time from `start` to `due` has passed (a deadline's early notice)."""
        return min(self.add(start, self.between(start, due) * share), due)


def clock_warn_at(start: datetime, due: datetime, share: float) -> datetime:
    """The same on the clock (an urgent case's 30 minutes, a department's hours to report in, a rating window)."""
    return start + (due - start) * share if due > start else due
