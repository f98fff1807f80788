"""The disclosure schedule (DESIGN 4.6: deadlines are data): what must be on the board by when — each month's
finance report, each period's general disclosure, each major matter's resolution notice — and whether it was done in
time."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from backend.disclosure.domain.finance import month_bounds, month_of
from backend.i18n import N_

# What falls due, by kind, as the pages name it.
DUE_KINDS = {"finance": N_("Finance report"), "general": N_("General disclosure"), "major": N_("Major matter")}



@dataclass(frozen=True)
class Due:
    """Something that must be on the board by `due`: a month's finance report, a period's general disclosure, or a
    major matter's resolution notice."""

    kind: str  # finance | general | major
    subject: str  # the month ("2026-10"), the period ("2026-Q3"), or the matter's title
    due: date
    done_on: date | None = None  # the day it was published, if it was

    def overdue(self, today: date) -> bool:
        """Not published by its day: overdue from the day after (on time if published on the day)."""
        return self.done_on is None and today > self.due

    @property
    def late(self) -> bool:
        return self.done_on is not None and self.done_on > self.due


def finance_due(month: str, report_day: int) -> date:
    """A month's finance report is due on the `report_day` of the next month (the 15th by default)."""
    _, last = month_bounds(month)
    following = last + timedelta(days=1)
    return following.replace(day=min(report_day, calendar.monthrange(following.year, following.month)[1]))


def period_of(day: date, months: int) -> tuple[str, date, date]:
    """The general-disclosure period (of `months` months, counted from January) a day falls in: its name and
    bounds. Quarterly by default: 2026-Q4 = October to December."""
    index = (day.month - 1) // months
    first = date(day.year, index * months + 1, 1)
    end_month = index * months + months
    last = date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    name = f"{day.year}-Q{index + 1}" if months == 3 else f"{day.year}-{index + 1}/{12 // months}"
    return name, first, last


def schedule(
    today: date,
    since: date,
    report_day: int,
    general_months: int,
    major_days: int,
    finance_published: dict[str, date],
    general_published: list[date],
    resolutions: list[tuple[str, date, date | None]],
) -> list[Due]:
    """What was due from `since` (the board's first day) to today, and whether it was done in time:
    - each month's finance report by the `report_day` of the next month;
    - in each general period (quarterly) at least one notice of residents' or party affairs, by its last day;
    - each major matter's resolution notice within `major_days` of the resolution (title, resolved on, notice on).
    Only what has fallen due, or has been done, is listed."""
    found: list[Due] = []
    month = date(since.year, since.month, 1)
    while month <= today:
        name = month_of(month)
        due = finance_due(name, report_day)
        if due < today or name in finance_published:
            found.append(Due("finance", name, due, finance_published.get(name)))
        month = (month + timedelta(days=32)).replace(day=1)
    day = since
    while day <= today:
        name, first, last = period_of(day, general_months)
        done = sorted(d for d in general_published if first <= d <= last)
        if last < today or done:
            found.append(Due("general", name, last, done[0] if done else None))
        day = last + timedelta(days=1)
    for title, resolved_on, notice_on in resolutions:
        due = resolved_on + timedelta(days=major_days)
        if due < today or notice_on is not None:
            found.append(Due("major", title, due, notice_on))
    return found
