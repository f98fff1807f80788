"""Form fields into the arguments of service bookings' commands: a weekly schedule, a service's booking rules."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Annotated, Any

import msgspec

from backend.kernel.errors import DomainError
from backend.services.domain.rules import CATEGORIES, BookingRules
from backend.services.domain.schedule import Schedule
from backend.web.act import EMPTY, Clock, Day, Form, FormBody, Id, Text, Texts, Whole, one_of, text, texts
from backend.web.pages import today, whole_number

SCHEDULE_FIELDS = ("first_day", "weeks", "opens", "closes", "slot_minutes", "capacity", "place", "skipped")
SERVICE_FIELDS = ("provider_id", "name", "category", "description", "min_notice_hours", "cancel_hours", "per_week")


def values_of(form: Form, fields: tuple[str, ...]) -> dict[str, str]:
    """The fields as typed, to parse and, when refused, to show again."""
    return {k: text(form, k) for k in fields}


def weekdays_of(form: Any) -> list[str]:
    """The weekdays ticked (a multi-valued field)."""
    return texts(form, "weekdays")


def parse_schedule(values: dict[str, str], weekdays: list[str]) -> Schedule:
    try:
        first = date.fromisoformat(values["first_day"])
    except ValueError:
        raise DomainError("Give the first day (YYYY-MM-DD).", "first_day") from None
    if first > today() + timedelta(days=366):
        raise DomainError("The first day must be within the coming year.", "first_day")
    try:
        opens, closes = time.fromisoformat(values["opens"]), time.fromisoformat(values["closes"])
    except ValueError:
        raise DomainError("Give the opening and closing times (HH:MM).", "opens") from None
    skipped = set()
    for part in values["skipped"].replace("，", ",").replace(" ", ",").split(","):
        if part.strip():
            try:
                skipped.add(date.fromisoformat(part.strip()))
            except ValueError:
                raise DomainError("Skipped days are dates like 2026-12-01, separated by commas.", "skipped") from None
    chosen = set()
    for day in weekdays:
        number = whole_number(day, "weekdays", "Choose at least one weekday.")
        if not 0 <= number <= 6:
            raise DomainError("Choose at least one weekday.", "weekdays")
        chosen.add(number)
    return Schedule(
        first_day=first,
        weeks=whole_number(values["weeks"], "weeks", "Publish 1 to 12 weeks at a time."),
        weekdays=frozenset(chosen),
        opens=opens,
        closes=closes,
        slot_minutes=whole_number(values["slot_minutes"], "slot_minutes", "A slot lasts 15 to 240 minutes."),
        capacity=whole_number(values["capacity"], "capacity", "A slot takes between 1 and 500 people."),
        place=values["place"].strip(),
        skipped=frozenset(skipped),
    )


def booking_rules(form: Form) -> BookingRules:
    return BookingRules(
        whole_number(
            form.get("min_notice_hours", ""), "min_notice_hours", "The minimum notice is between 0 and 168 hours."
        ),
        whole_number(
            form.get("cancel_hours", ""), "cancel_hours", "The cancellation cutoff is between 0 and 168 hours."
        ),
        whole_number(form.get("per_week", ""), "per_week", "Allow between 1 and 20 bookings per resident per week."),
        form.get("confirm") == "1",
    )


# -- the forms, as the API schema describes them (backend.web.act: every field optional, read by the handler) --------
class BackForm(FormBody):
    """A resident's form on a slot; back: "bookings" when it was sent from the resident's bookings."""

    back: Annotated[Text, one_of("bookings")] = EMPTY


class BookForm(BackForm):
    note: Text = EMPTY
    waitlist: Annotated[Text, one_of("1")] = EMPTY


class RescheduleForm(BackForm):
    to_slot_id: Id = EMPTY


class RateForm(BackForm):
    stars: Annotated[Text, one_of("1", "2", "3", "4", "5")] = EMPTY
    comment: Text = EMPTY


class DeclineForm(FormBody):
    """The provider's answer to a booking; reason: why it is declined."""

    reason: Text = EMPTY


class ScheduleForm(FormBody):
    first_day: Day = EMPTY
    weeks: Whole = EMPTY
    weekdays: Texts = msgspec.field(default_factory=Texts)
    opens: Clock = EMPTY
    closes: Clock = EMPTY
    slot_minutes: Whole = EMPTY
    capacity: Whole = EMPTY
    place: Text = EMPTY
    skipped: Text = EMPTY


class ProviderForm(FormBody):
    name: Text = EMPTY
    description: Text = EMPTY


class MemberForm(FormBody):
    resident_id: Id = EMPTY


class RulesForm(FormBody):
    min_notice_hours: Whole = EMPTY
    cancel_hours: Whole = EMPTY
    per_week: Whole = EMPTY
    confirm: Annotated[Text, one_of("1")] = EMPTY


class ServiceForm(RulesForm):
    provider_id: Id = EMPTY
    name: Text = EMPTY
    category: Annotated[Text, one_of(*CATEGORIES)] = EMPTY
    description: Text = EMPTY
