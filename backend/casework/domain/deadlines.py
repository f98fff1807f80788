"""A case's deadlines and their notices. The command computes `Terms` (the rulebook's values on the day and the
street's working time); the case asks them for each deadline it sets and stores the moments in its events, so a
rebuild or a recount never needs the clock or the calendar again.

A case's `deadlines` map a kind (rules.Due) to [warn_at, due_at]. Each deadline has two notices, "before" (at
warn_at) and "at" (at due_at), each sent once: `reminded` holds (kind, stage, due_at ISO) of those sent. A "before"
not sent by the time its "at" is due is never sent: the "at" says it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from backend.casework.domain.rules import AT, BEFORE, WARN_SHARE
from backend.casework.domain.worktime import WorkTime, clock_warn_at

Deadlines = dict[str, list[datetime]]  # kind -> [warn_at, due_at]
Reminded = frozenset[tuple[str, str, str]]  # (kind, stage, due_at ISO)


@dataclass(frozen=True)
class Terms:
    """The rules a case's deadlines come from, as in force on the day (the command reads them)."""

    work: WorkTime = field(default_factory=WorkTime)
    accept_hours: int = 2  # case_accept_hours, working hours
    urgent_accept_minutes: int = 30  # case_urgent_accept_minutes, on the clock
    report_hours: int = 24  # whistle_report_hours, on the clock
    rating_days: int = 3  # case_rating_days, calendar days
    extension_days: int = 15  # case_extension_days, calendar days at most

    def _working(self, start: datetime, due: datetime) -> list[datetime]:
        return [self.work.warn_at(start, due, WARN_SHARE), due]

    def _clock(self, start: datetime, due: datetime) -> list[datetime]:
        return [clock_warn_at(start, due, WARN_SHARE), due]

    def accept(self, start: datetime, urgent: bool) -> list[datetime]:
        if urgent:
            return self._clock(start, start + timedelta(minutes=self.urgent_accept_minutes))
        return self._working(start, self.work.add_hours(start, self.accept_hours))

    def answer(self, start: datetime, days: int) -> list[datetime]:
        return self._working(start, self.work.add_days(start, days))

    def report(self, start: datetime) -> list[datetime]:
        return self._clock(start, start + timedelta(hours=self.report_hours))

    def rating(self, start: datetime) -> list[datetime]:
        return self._clock(start, start + timedelta(days=self.rating_days))

    def extended(self, now: datetime, due: datetime, days: int) -> list[datetime]:
        """An approved extension moves the answer deadline by `days` calendar days."""
        moved = due + timedelta(days=days)
        return self._working(min(now, moved), moved)


@dataclass(frozen=True)
class Handler:
    """Who handles a case, as the command found them: a clerk of the community (who holds every case), or a grid
    worker with the grids they hold (their grids' cases, and cases handed to them)."""

    id: UUID
    clerk: bool = False
    grids: frozenset[UUID] = frozenset()


def pending_notices(deadlines: Deadlines, reminded: Reminded) -> list[tuple[datetime, str, str, datetime]]:
    """(when, kind, stage, due_at) of every notice not yet sent, soonest first."""
    found = []
    for kind, (warn, due) in deadlines.items():
        key = due.isoformat()
        if (kind, AT, key) in reminded:
            continue
        if warn < due and (kind, BEFORE, key) not in reminded:
            found.append((warn, kind, BEFORE, due))
        found.append((due, kind, AT, due))
    return sorted(found)


def notices_due(deadlines: Deadlines, reminded: Reminded, now: datetime) -> list[tuple[str, str, datetime]]:
    """(kind, stage, due_at) of the notices due at `now`: a "before" whose "at" is due too is left out."""
    due = [(kind, stage, at) for when, kind, stage, at in pending_notices(deadlines, reminded) if when <= now]
    at_due = {(kind, at) for kind, stage, at in due if stage == AT}
    return [(kind, stage, at) for kind, stage, at in due if stage == AT or (kind, at) not in at_due]


def next_notice_at(deadlines: Deadlines, reminded: Reminded) -> datetime | None:
    """When the next notice (or, for the rating window, the closing) is due; None when none is pending."""
    pending = pending_notices(deadlines, reminded)
    return pending[0][0] if pending else None


def next_deadline(deadlines: Deadlines) -> tuple[str, datetime] | None:
    """The kind and moment of the soonest deadline (an overdue one included): what a list shows."""
    if not deadlines:
        return None
    kind, (_, due) = min(deadlines.items(), key=lambda item: item[1][1])
    return kind, due
