"""A street's working calendar (DESIGN 10): the national holidays and 调休 working weekends it starts from (rules:
the State Council's notice), and the street's own days over them — a later year's holidays, a local one. Its
communities inherit it; the working hours of a day are the community's rulebook's."""

from __future__ import annotations

from datetime import date

from backend.casework.domain.rules import TOPICS_MODULE, calendar_id_for, national_days, street_key
from backend.casework.domain.worktime import WorkTime
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics

NOTE_MAX = 30
DAYS_MAX = 2000


class WorkCalendar(LinliAggregate):
    class Opened(LinliAggregate.Created):
        street: str

    class DaySet(LinliAggregate.Event):
        """`day` is a working day (a weekend day worked, 调休) or not (a holiday), whatever its weekday."""

        day: date
        working: bool
        note: str

        def apply(self, calendar: WorkCalendar) -> None:
            calendar.own[self.day] = self.working

    class DayCleared(LinliAggregate.Event):
        """`day` reads as the national calendar (or its weekday) says again."""

        day: date

        def apply(self, calendar: WorkCalendar) -> None:
            calendar.own.pop(self.day, None)

    def __init__(self, street: str) -> None:
        self.street = street
        self.own: dict[date, bool] = {}

    @classmethod
    def open(cls, ctx: Ctx, street: str) -> WorkCalendar:
        street = street_key(street)
        if not street:
            raise DomainError("Departments belong to a street; set the community's street first.", "street")
        return cls.start(cls.Opened, ctx, calendar_id_for(street), street=street)

    @property
    def days(self) -> dict[date, bool]:
        return calendar_days(self)

    def set_day(self, ctx: Ctx, day: date, working: bool, note: str) -> None:
        note = check_text(note, NOTE_MAX, "note", "Name the day (at most 30 characters).")
        if self.days.get(day, day.weekday() < 5) == working:
            raise DomainError("The calendar says so already.", "day", status=409)
        if len(self.own) >= DAYS_MAX:
            raise DomainError("The calendar is full.", "day", status=409)
        self.emit(self.DaySet, ctx, day=day, working=working, note=note)

    def clear_day(self, ctx: Ctx, day: date) -> None:
        if day not in self.own:
            raise DomainError("The street set nothing for this day.", "day", status=409)
        self.emit(self.DayCleared, ctx, day=day)


def calendar_days(calendar: WorkCalendar | None) -> dict[date, bool]:
    """The days that differ from their weekday: the national ones, with the street's own over them."""
    days = national_days()
    if calendar is not None:
        days.update(calendar.own)
    return days


def work_time(calendar: WorkCalendar | None, periods: tuple[tuple[int, int], ...]) -> WorkTime:
    return WorkTime(calendar_days(calendar), periods)


keep_topics(TOPICS_MODULE, WorkCalendar)
