"""时段: a slot of a service, with its seats, its bookings and its waitlist, and the reminders sent for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics
from backend.services.domain.diary import Diary
from backend.services.domain.rules import (
    ACTIVE,
    DAY_BEFORE,
    EARLY_SERVICE,
    HELD,
    HOUR_BEFORE,
    NOTE_MAX,
    REASON_MAX,
    TOPICS_MODULE,
    WAITLIST_MAX,
    WHEN_REMINDED,
    BookingRules,
    Limits,
    slot_id_for,
)


class Offering(Protocol):
    """What a slot is published for (a Service is one): the service, and its provider."""

    @property
    def id(self) -> UUID: ...

    @property
    def provider_id(self) -> UUID: ...


@dataclass
class Booking:
    status: str  # pending | confirmed | cancelled | declined | done | no_show
    note: str
    address: str
    booked_at: datetime
    reminded: set[str] = field(default_factory=set)
    rated: bool = False


class Slot(LinliAggregate):
    """时段: a time of one service with seats, at a place or as a home visit; its bookings and its waitlist."""

    class Published(LinliAggregate.Created):
        service_id: UUID
        provider_id: UUID
        starts_at: datetime
        ends_at: datetime
        capacity: int
        place: str  # "" = a home visit

    class Booked(LinliAggregate.Event):
        resident_id: UUID
        note: str
        address: str
        status: str  # pending (the provider confirms) | confirmed

        def apply(self, slot: Slot) -> None:
            slot.bookings[self.resident_id] = Booking(self.status, self.note, self.address, self.timestamp)

    class Waitlisted(LinliAggregate.Event):
        resident_id: UUID
        note: str
        address: str

        def apply(self, slot: Slot) -> None:
            slot.waitlist.append(self.resident_id)
            slot.waiting[self.resident_id] = (self.note, self.address)

    class Cancelled(LinliAggregate.Event):
        """By the resident: a booking before the cutoff, or a place on the waitlist."""

        resident_id: UUID

        def apply(self, slot: Slot) -> None:
            if self.resident_id in slot.waitlist:
                slot.waitlist.remove(self.resident_id)
                slot.waiting.pop(self.resident_id, None)
            else:
                slot.bookings[self.resident_id].status = "cancelled"

    class Promoted(LinliAggregate.Event):
        """The first on the waitlist takes a freed seat."""

        resident_id: UUID
        status: str

        def apply(self, slot: Slot) -> None:
            slot.waitlist.remove(self.resident_id)
            note, address = slot.waiting.pop(self.resident_id)
            slot.bookings[self.resident_id] = Booking(self.status, note, address, self.timestamp)

    class Passed(LinliAggregate.Event):
        """The first on the waitlist could not take the freed seat (another booking at that time, the weekly limit):
        they leave the waitlist and are told why."""

        resident_id: UUID
        reason: str

        def apply(self, slot: Slot) -> None:
            slot.waitlist.remove(self.resident_id)
            slot.waiting.pop(self.resident_id, None)

    class Confirmed(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, slot: Slot) -> None:
            slot.bookings[self.resident_id].status = "confirmed"

    class Declined(LinliAggregate.Event):
        resident_id: UUID
        reason: str

        def apply(self, slot: Slot) -> None:
            slot.bookings[self.resident_id].status = "declined"

    class Completed(LinliAggregate.Event):
        """办结: the provider marks the booking done, or the resident as a no-show."""

        resident_id: UUID
        no_show: bool

        def apply(self, slot: Slot) -> None:
            slot.bookings[self.resident_id].status = "no_show" if self.no_show else "done"

    class Rated(LinliAggregate.Event):
        resident_id: UUID
        stars: int
        comment: str

        def apply(self, slot: Slot) -> None:
            slot.bookings[self.resident_id].rated = True

    class Reminded(LinliAggregate.Event):
        resident_id: UUID
        kind: str  # day | hour

        def apply(self, slot: Slot) -> None:
            slot.bookings[self.resident_id].reminded.add(self.kind)

    def __init__(
        self, service_id: UUID, provider_id: UUID, starts_at: datetime, ends_at: datetime, capacity: int, place: str
    ) -> None:
        self.service_id = service_id
        self.provider_id = provider_id
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.capacity = capacity
        self.place = place
        self.bookings: dict[UUID, Booking] = {}
        self.waitlist: list[UUID] = []
        self.waiting: dict[UUID, tuple[str, str]] = {}

    @classmethod
    def publish(
        cls, ctx: Ctx, service: Offering, starts_at: datetime, ends_at: datetime, capacity: int, place: str
    ) -> Slot:
        return cls.start(
            cls.Published,
            ctx,
            slot_id_for(service.id, starts_at),
            service_id=service.id,
            provider_id=service.provider_id,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            place=place.strip(),
        )

    @property
    def home_visit(self) -> bool:
        return not self.place

    @property
    def taken(self) -> int:
        return sum(1 for b in self.bookings.values() if b.status in HELD)

    @property
    def free(self) -> int:
        return self.capacity - self.taken

    def status_of(self, resident_id: UUID) -> str:
        if resident_id in self.waitlist:
            return "waitlisted"
        booking = self.bookings.get(resident_id)
        return booking.status if booking else ""

    def book(
        self, ctx: Ctx, resident_id: UUID, diary: Diary, limits: Limits, note: str, address: str, waitlist: bool
    ) -> str:
        """A seat if one is free and nobody waits for it; otherwise the waitlist, when asked for. Returns the new
        status: pending, confirmed or waitlisted."""
        note = check_text(note, NOTE_MAX, "note", "The note has at most 200 characters.", required=False)
        if ctx.now >= self.starts_at:
            raise DomainError("This slot is in the past.", status=409)
        if ctx.now + timedelta(hours=limits.rules.min_notice_hours) > self.starts_at:
            raise DomainError(
                "Book at least %(hours)s hours ahead; this slot is too soon.",
                status=409,
                hours=limits.rules.min_notice_hours,
            )
        if self.status_of(resident_id) in (*ACTIVE, "waitlisted"):
            raise DomainError("You have already booked this slot.", status=409)
        if self.status_of(resident_id) in ("done", "no_show", "declined"):
            raise DomainError("This slot cannot be booked again.", status=409)
        if self.home_visit and not address:
            raise DomainError("A home visit needs your household's address on record; ask the committee.", status=409)
        refusal = diary.refusal(ctx, self, limits.rules, limits.no_show_limit, limits.no_show_days)
        if refusal:
            raise DomainError(refusal, status=409)
        if self.free > 0 and not self.waitlist:
            status = "pending" if limits.rules.confirm else "confirmed"
            self.emit(self.Booked, ctx, resident_id=resident_id, note=note, address=address, status=status)
            diary.hold(ctx, self)
            return status
        if not waitlist:
            raise DomainError("This slot is full. You can join the waitlist.", status=409)
        if len(self.waitlist) >= WAITLIST_MAX:
            raise DomainError("The waitlist of this slot is full.", status=409)
        self.emit(self.Waitlisted, ctx, resident_id=resident_id, note=note, address=address)
        return "waitlisted"

    def cancel(self, ctx: Ctx, resident_id: UUID, diary: Diary, rules: BookingRules) -> bool:
        """The resident gives up a booking (before the cutoff) or a place on the waitlist. True: a seat was freed
        (the command then offers it to the waitlist with `promote`)."""
        status = self.status_of(resident_id)
        if ctx.now >= self.starts_at:
            raise DomainError("This slot has already started.", status=409)
        if status == "waitlisted":
            self.emit(self.Cancelled, ctx, resident_id=resident_id)
            return False
        if status not in ACTIVE:
            raise DomainError("You have no booking on this slot.", status=409)
        if ctx.now + timedelta(hours=rules.cancel_hours) > self.starts_at:
            raise DomainError(
                "Bookings can be cancelled until %(hours)s hours before; please call the provider.",
                status=409,
                hours=rules.cancel_hours,
            )
        self.emit(self.Cancelled, ctx, resident_id=resident_id)
        diary.release(ctx, self)
        return True

    def next_waiting(self, ctx: Ctx) -> UUID | None:
        """Who a freed seat goes to first, if anyone may still take it."""
        if self.free <= 0 or not self.waitlist or ctx.now >= self.starts_at:
            return None
        return self.waitlist[0]

    def promote(self, ctx: Ctx, diary: Diary, limits: Limits) -> bool:
        """The freed seat to the first on the waitlist (whose diary this is), or, when it no longer fits them, they
        leave the waitlist with the reason and the command asks the next. True: promoted."""
        resident_id = self.next_waiting(ctx)
        if resident_id is None or diary.resident_id != resident_id:
            raise DomainError("Nobody waits for this seat.", status=409)
        refusal = diary.refusal(ctx, self, limits.rules, limits.no_show_limit, limits.no_show_days)
        if refusal:
            self.emit(self.Passed, ctx, resident_id=resident_id, reason=refusal)
            return False
        status = "pending" if limits.rules.confirm else "confirmed"
        self.emit(self.Promoted, ctx, resident_id=resident_id, status=status)
        diary.hold(ctx, self)
        return True

    # -- the provider ---------------------------------------------------------------------------------------
    def _booking(self, resident_id: UUID, statuses: tuple[str, ...], message: str) -> Booking:
        booking = self.bookings.get(resident_id)
        if booking is None or booking.status not in statuses:
            raise DomainError(message, status=409)
        return booking

    def confirm(self, ctx: Ctx, resident_id: UUID) -> None:
        self._booking(resident_id, ("pending",), "Only a booking waiting for confirmation can be confirmed.")
        if ctx.now >= self.ends_at:
            raise DomainError("This slot is over.", status=409)
        self.emit(self.Confirmed, ctx, resident_id=resident_id)

    def decline(self, ctx: Ctx, resident_id: UUID, reason: str, diary: Diary) -> bool:
        """The provider cannot serve this booking (with a reason the resident sees). True: a seat was freed."""
        self._booking(resident_id, ACTIVE, "Only a booking still to happen can be declined.")
        reason = check_text(reason, REASON_MAX, "reason", "Say why (at most 500 characters).")
        if ctx.now >= self.ends_at:
            raise DomainError("This slot is over.", status=409)
        self.emit(self.Declined, ctx, resident_id=resident_id, reason=reason)
        diary.release(ctx, self)
        return True

    def complete(self, ctx: Ctx, resident_id: UUID, no_show: bool, diary: Diary) -> None:
        self._booking(resident_id, ACTIVE, "Only a booking still to happen can be marked done or no-show.")
        if ctx.now < self.starts_at - EARLY_SERVICE:
            raise DomainError("A booking is marked done or no-show from 30 minutes before its slot.", status=409)
        self.emit(self.Completed, ctx, resident_id=resident_id, no_show=no_show)
        diary.keep(ctx, self, no_show)

    # -- the resident, afterwards ---------------------------------------------------------------------------
    def rate(self, ctx: Ctx, resident_id: UUID, stars: int, comment: str) -> None:
        booking = self.bookings.get(resident_id)
        if booking is None or booking.status != "done":
            raise DomainError("Only a booking marked done can be rated.", status=409)
        if booking.rated:
            raise DomainError("You have rated this booking already.", status=409)
        if stars not in (1, 2, 3, 4, 5):
            raise DomainError("Choose 1 to 5 stars.", "stars")
        comment = check_text(comment, REASON_MAX, "comment", "The comment has at most 500 characters.", required=False)
        self.emit(self.Rated, ctx, resident_id=resident_id, stars=stars, comment=comment)

    # -- reminders ------------------------------------------------------------------------------------------
    def due_reminders(self, now: datetime) -> list[tuple[UUID, str]]:
        """(resident, kind) of the reminders due now and not yet sent: the day-before one from 24 hours before
        until the hour-before one is due (then only that one is sent), the hour-before one until the start. A
        booking made inside a reminder's window does not get that reminder."""
        if now >= self.starts_at:
            return []
        kind = "hour" if now >= self.starts_at - HOUR_BEFORE else "day" if now >= self.starts_at - DAY_BEFORE else ""
        if not kind:
            return []
        window = self.starts_at - WHEN_REMINDED[kind]
        return [
            (resident_id, kind)
            for resident_id, booking in self.bookings.items()
            if booking.status in ACTIVE and kind not in booking.reminded and booking.booked_at < window
        ]

    def remind(self, ctx: Ctx) -> int:
        """Records the reminders due (each exactly once: a second round finds them recorded). Returns how many."""
        due = self.due_reminders(ctx.now)
        if not due:
            raise DomainError("No reminder is due.", status=409)
        for resident_id, kind in due:
            self.emit(self.Reminded, ctx, resident_id=resident_id, kind=kind)
        return len(due)


keep_topics(TOPICS_MODULE, Slot)
