"""A provider's weekly schedule: the times of the slots it publishes at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain.rules import (
    CAPACITY_MAX,
    PLACE_MAX,
    SCHEDULE_WEEKS_MAX,
    SLOT_MINUTES,
    SLOTS_PER_SCHEDULE_MAX,
)


@dataclass(frozen=True)
class Schedule:
    """A weekly pattern: on these weekdays (0 = Monday), from `opens` to `closes` in slots of `slot_minutes`, for
    `weeks` weeks from `first_day`, except the `skipped` days. An empty place means a home visit."""

    first_day: date
    weeks: int
    weekdays: frozenset[int]
    opens: time
    closes: time
    slot_minutes: int
    capacity: int
    place: str
    skipped: frozenset[date] = field(default_factory=frozenset)

    def times(self) -> list[tuple[datetime, datetime]]:
        if not 1 <= self.weeks <= SCHEDULE_WEEKS_MAX:
            raise DomainError("Publish 1 to 12 weeks at a time.", "weeks")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise DomainError("Choose at least one weekday.", "weekdays")
        if self.closes <= self.opens:
            raise DomainError("The service must close after it opens.", "closes")
        if not SLOT_MINUTES[0] <= self.slot_minutes <= SLOT_MINUTES[1]:
            raise DomainError("A slot lasts 15 to 240 minutes.", "slot_minutes")
        if not 1 <= self.capacity <= CAPACITY_MAX:
            raise DomainError("A slot takes between 1 and 500 people.", "capacity")
        if len(self.place) > PLACE_MAX:
            raise DomainError("The place has at most 60 characters.", "place")
        length = timedelta(minutes=self.slot_minutes)
        times = []
        for offset in range(self.weeks * 7):
            day = self.first_day + timedelta(days=offset)
            if day.weekday() not in self.weekdays or day in self.skipped:
                continue
            start = datetime.combine(day, self.opens, LOCAL_ZONE)
            closes = datetime.combine(day, self.closes, LOCAL_ZONE)
            while start + length <= closes:
                times.append((start, start + length))
                start += length
        if len(times) > SLOTS_PER_SCHEDULE_MAX:
            raise DomainError("At most 500 slots at a time: publish fewer weeks.", "weeks")
        if (
            not times
            and self.slot_minutes
            > (
                datetime.combine(self.first_day, self.closes) - datetime.combine(self.first_day, self.opens)
            ).total_seconds()
            // 60
        ):
            raise DomainError("A slot must fit between opening and closing.", "slot_minutes")
        return times
