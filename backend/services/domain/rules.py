"""What the aggregates of service bookings share: the limits of their fields, the categories, the statuses that hold
a seat, the reminder windows, the ids made from what they name, and a service's booking rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from backend.i18n import N_
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE

# The module the aggregates lived in before the domain was split by aggregate: their events keep its topics.
TOPICS_MODULE = "backend.services.domain"
NAME_MAX = 60
TEXT_MAX = 1000
PLACE_MAX = 60
NOTE_MAX = 200
REASON_MAX = 500
CAPACITY_MAX = 500
SLOT_MINUTES = (15, 240)
SCHEDULE_WEEKS_MAX = 12
SLOTS_PER_SCHEDULE_MAX = 500
WAITLIST_MAX = 100
DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)
EARLY_SERVICE = timedelta(minutes=30)  # a resident who comes early may be served early
SLOT_NAMESPACE = UUID("0b7e1c3a-5d2f-4e6a-8b9c-1d3e5f7a9b2c")
DIARY_NAMESPACE = UUID("3f5a7c9e-1b2d-4c6e-8a0b-2d4f6a8c0e1a")
BOOKING_NAMESPACE = UUID("8c1e3a5b-7d9f-4b2c-9e4a-6b8d0f2a4c6e")
CATEGORIES = {
    "doctor": N_("Family doctor sessions"),
    "repair": N_("Water and electric repairs"),
    "legal": N_("Legal advice"),
    "errand": N_("Errands"),
    "care": N_("Elderly care"),
    "other": N_("Other"),
}
ACTIVE = ("pending", "confirmed")  # bookings that hold a seat and are still to happen
HELD = (*ACTIVE, "done", "no_show")  # bookings that count in the weekly limit
WHEN_REMINDED = {"day": DAY_BEFORE, "hour": HOUR_BEFORE}


def slot_id_for(service_id: UUID, starts_at: datetime) -> UUID:
    return uuid5(SLOT_NAMESPACE, f"{service_id}|{starts_at.isoformat()}")


def diary_id_for(resident_id: UUID) -> UUID:
    return uuid5(DIARY_NAMESPACE, str(resident_id))


def booking_id_for(slot_id: UUID, resident_id: UUID) -> UUID:
    """A resident's booking of a slot (the same after cancelling and booking again: one calendar entry)."""
    return uuid5(BOOKING_NAMESPACE, f"{slot_id}|{resident_id}")


def week_of(moment: datetime) -> tuple[int, int]:
    """The ISO week (in China) a moment falls in: the weekly limit counts bookings by it."""
    year, week, _ = moment.astimezone(LOCAL_ZONE).isocalendar()
    return year, week


@dataclass(frozen=True)
class BookingRules:
    """A service's booking rules (cal.com's minimum notice, cancellation cutoff, booking limits, confirmation)."""

    min_notice_hours: int = 2
    cancel_hours: int = 2
    per_week: int = 2
    confirm: bool = False

    def checked(self) -> BookingRules:
        if not 0 <= self.min_notice_hours <= 168:
            raise DomainError("The minimum notice is between 0 and 168 hours.", "min_notice_hours")
        if not 0 <= self.cancel_hours <= 168:
            raise DomainError("The cancellation cutoff is between 0 and 168 hours.", "cancel_hours")
        if not 1 <= self.per_week <= 20:
            raise DomainError("Allow between 1 and 20 bookings per resident per week.", "per_week")
        return self


@dataclass(frozen=True)
class Limits:
    """What the command knows besides the slot: the service's rules and the rulebook's no-show restriction."""

    rules: BookingRules
    no_show_limit: int = 3
    no_show_days: int = 60
