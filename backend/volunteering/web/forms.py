"""Volunteering's forms as command arguments: an activity with its first shift and how often it repeats, hours typed
as a decimal number, a certificate's team and period. A field that cannot be read is refused on that field."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID

from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.volunteering.domain.activity import CATEGORIES, ActivityTerms, recurring
from backend.web.act import EMPTY, Clock, Day, Form, FormBody, Id, Text, Whole, one_of, text
from backend.web.pages import now, whole_number

FIELDS = (
    "title",
    "description",
    "place",
    "category",
    "beneficiary",
    "min_age",
    "offer_hours",
    "day",
    "start",
    "end",
    "weeks",
    "capacity",
)
CERTIFICATE_FIELDS = ("team_id", "period_from", "period_to")


def activity_values(form: Form) -> dict[str, str]:
    """The activity form as typed (shown again when it is refused)."""
    values = {k: text(form, k) for k in FIELDS}
    values["risky"] = "1" if form.get("risky") == "1" else ""
    return values


def activity_of(values: dict[str, str]) -> tuple[ActivityTerms, list[tuple[datetime, datetime]], int]:
    """The activity's terms, its shifts' times and their capacity."""
    terms = ActivityTerms(
        values["title"],
        values["description"],
        values["place"],
        values["category"],
        values["beneficiary"],
        whole_number(values["min_age"] or "0", "min_age", "The minimum age must be between 0 and 80."),
        values["risky"] == "1",
        whole_number(values["offer_hours"] or "0", "offer_hours", "An offer lasts between 0 and 72 hours."),
    )
    capacity = whole_number(values["capacity"], "capacity", "A shift needs between 1 and 1000 seats.")
    return terms, _times(values), capacity


def _times(values: dict[str, str]) -> list[tuple[datetime, datetime]]:
    try:
        day = date.fromisoformat(values["day"])
        start, end = time.fromisoformat(values["start"]), time.fromisoformat(values["end"])
    except ValueError:
        raise DomainError("Give the day and the start and end times of the first shift.", "day") from None
    if day > now().astimezone(LOCAL_ZONE).date() + timedelta(days=366):
        raise DomainError("The first shift must be within the coming year.", "day")
    if day.year < 2000:
        raise DomainError("A shift must start in the future.", "day")
    first = datetime.combine(day, start, LOCAL_ZONE).astimezone(UTC)
    # An end at or before the start is on the next day (a night patrol 22:00–02:00).
    last = datetime.combine(day + timedelta(days=int(end <= start)), end, LOCAL_ZONE).astimezone(UTC)
    return recurring(first, last, whole_number(values["weeks"] or "1", "weeks", "Repeat for 1 to 60 weeks."))


def minutes(form: Form) -> int:
    """The hours field (e.g. 2.5) in minutes."""
    try:
        return round(float(text(form, "hours").strip()) * 60)
    except (ValueError, OverflowError):  # "abc", "nan", "1e999"
        raise DomainError("Give the hours as a number, e.g. 2.5.", "hours") from None


def certificate_values(form: Form) -> dict[str, str]:
    """The certificate form as typed (shown again when it is refused)."""
    return {k: text(form, k) for k in CERTIFICATE_FIELDS}


def certificate_of(values: dict[str, str]) -> tuple[UUID, date, date]:
    """The team and the period a certificate is asked for."""
    try:
        return (
            UUID(values["team_id"]),
            date.fromisoformat(values["period_from"]),
            date.fromisoformat(values["period_to"]),
        )
    except ValueError:
        raise DomainError("Choose the team and the period.", "period_from") from None


# -- the forms, as the API schema describes them (backend.web.act: every field optional, read by the handler) --------
class SignUpForm(FormBody):
    waitlist: Annotated[Text, one_of("1")] = EMPTY


class ConsentForm(FormBody):
    minor_id: Id = EMPTY


class NoteForm(FormBody):
    """The leader confirms the activity's insurance, with a note."""

    note: Text = EMPTY


class TeamForm(FormBody):
    name: Text = EMPTY
    description: Text = EMPTY


class LeaderForm(FormBody):
    resident_id: Id = EMPTY


class ActivityForm(FormBody):
    title: Text = EMPTY
    description: Text = EMPTY
    place: Text = EMPTY
    category: Annotated[Text, one_of(*CATEGORIES)] = EMPTY
    beneficiary: Text = EMPTY
    min_age: Whole = EMPTY
    risky: Annotated[Text, one_of("1")] = EMPTY
    offer_hours: Whole = EMPTY
    day: Day = EMPTY
    start: Clock = EMPTY
    end: Clock = EMPTY
    weeks: Whole = EMPTY
    capacity: Whole = EMPTY


class DecisionForm(FormBody):
    decision: Annotated[Text, one_of("approve", "reject")] = EMPTY
    reason: Text = EMPTY


class VolunteerForm(FormBody):
    """The leader acts on a volunteer of the roster; back: the volunteer's scan page, when the leader came from it."""

    volunteer_id: Id = EMPTY
    back: Text = EMPTY


class CodeForm(FormBody):
    """The volunteer checks in with the code on the leader's screen."""

    code: Whole = EMPTY


class CertificateForm(FormBody):
    team_id: Id = EMPTY
    period_from: Day = EMPTY
    period_to: Day = EMPTY


class HonoursForm(FormBody):
    show: Annotated[Text, one_of("1")] = EMPTY


class CorrectionForm(FormBody):
    hours: Text = EMPTY
    reason: Text = EMPTY
