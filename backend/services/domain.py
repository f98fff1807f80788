"""Service bookings (便民服务): the catalog of services and their providers, slots with seats and a waitlist, each
resident's diary of bookings, reminders and ratings. Pure: no I/O, no clock (the time comes with the command).

A slot is one aggregate holding its bookings and its waitlist, so concurrent bookings serialize on it and its
capacity is never exceeded (DESIGN 4.2). A resident's diary is one aggregate too, saved in the same transaction as
the slot: two bookings of one resident that overlap, or past the service's weekly limit, can never both land."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID, uuid5

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.zone import LOCAL_ZONE

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


class Provider(LinliAggregate):
    """服务方: a clinic, a repair team, a lawyer; the residents holding the service provider role who act for it."""

    class Created(LinliAggregate.Created):
        name: str
        description: str

    class MemberAdded(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, provider: Provider) -> None:
            provider.members.append(self.resident_id)

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description
        self.members: list[UUID] = []

    @classmethod
    def create(cls, ctx: Ctx, provider_id: UUID, name: str, description: str) -> Provider:
        name = check_text(name, NAME_MAX, "name", "A provider needs a name of at most 60 characters.")
        description = check_text(description, TEXT_MAX, "description", "The description is too long.", required=False)
        return cls.start(cls.Created, ctx, provider_id, name=name, description=description)

    def add_member(self, ctx: Ctx, resident_id: UUID, is_service_provider: bool) -> None:
        if not is_service_provider:
            raise DomainError("Grant this resident the service provider role first.", "resident_id")
        if resident_id in self.members:
            raise DomainError("This resident already acts for the provider.", "resident_id", status=409)
        self.emit(self.MemberAdded, ctx, resident_id=resident_id)

    def staffed_by(self, actor_id: UUID | None) -> bool:
        return actor_id is None or actor_id in self.members


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


class Service(LinliAggregate):
    """便民服务 in the catalog: what it is, who provides it, its booking rules and the times of its slots."""

    class Created(LinliAggregate.Created):
        provider_id: UUID
        name: str
        category: str
        description: str
        min_notice_hours: int
        cancel_hours: int
        per_week: int
        confirm: bool

    class RulesChanged(LinliAggregate.Event):
        min_notice_hours: int
        cancel_hours: int
        per_week: int
        confirm: bool

        def apply(self, service: Service) -> None:
            service.rules = BookingRules(self.min_notice_hours, self.cancel_hours, self.per_week, self.confirm)

    class SlotsPublished(LinliAggregate.Event):
        slot_ids: list[UUID]
        times: list[list[datetime]]  # [starts_at, ends_at] of each

        def apply(self, service: Service) -> None:
            service.times.extend((start, end) for start, end in self.times)

    def __init__(
        self,
        provider_id: UUID,
        name: str,
        category: str,
        description: str,
        min_notice_hours: int,
        cancel_hours: int,
        per_week: int,
        confirm: bool,
    ) -> None:
        self.provider_id = provider_id
        self.name = name
        self.category = category
        self.description = description
        self.rules = BookingRules(min_notice_hours, cancel_hours, per_week, confirm)
        self.times: list[tuple[datetime, datetime]] = []

    @classmethod
    def create(
        cls,
        ctx: Ctx,
        service_id: UUID,
        provider: Provider,
        name: str,
        category: str,
        description: str,
        rules: BookingRules,
    ) -> Service:
        if category not in CATEGORIES:
            raise DomainError("Choose a category.", "category")
        name = check_text(name, NAME_MAX, "name", "A service needs a name of at most 60 characters.")
        description = check_text(
            description, TEXT_MAX, "description", "Describe the service (at most 1000 characters)."
        )
        rules = rules.checked()
        return cls.start(
            cls.Created,
            ctx,
            service_id,
            provider_id=provider.id,
            name=name,
            category=category,
            description=description,
            min_notice_hours=rules.min_notice_hours,
            cancel_hours=rules.cancel_hours,
            per_week=rules.per_week,
            confirm=rules.confirm,
        )

    def change_rules(self, ctx: Ctx, rules: BookingRules) -> None:
        rules = rules.checked()
        if rules == self.rules:
            raise DomainError("These are the rules already in force.", status=409)
        self.emit(self.RulesChanged, ctx, **rules.__dict__)

    def publish(self, ctx: Ctx, provider: Provider, schedule: Schedule) -> list[Slot]:
        """The schedule's slots, refused whole when any overlaps another (its own or one published before)."""
        if provider.id != self.provider_id or not provider.staffed_by(ctx.actor_id):
            raise DomainError("Only the service's provider publishes its schedule.", status=403)
        times = schedule.times()
        if not times:
            raise DomainError("This schedule yields no slots: check the weekdays and the skipped dates.", "weekdays")
        if times[0][0] <= ctx.now:
            raise DomainError("Slots must start in the future.", "first_day")
        taken = sorted([*self.times, *times])
        for (_, end), (start, _) in itertools.pairwise(taken):
            if start < end:
                clash = start.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
                raise DomainError(
                    "The slots overlap with others of this service (at %(when)s).", "starts_at", when=clash
                )
        ids = [slot_id_for(self.id, start) for start, _ in times]
        self.emit(self.SlotsPublished, ctx, slot_ids=ids, times=[[s, e] for s, e in times])
        return [Slot.publish(ctx, self, start, end, schedule.capacity, schedule.place) for start, end in times]


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


@dataclass
class Booking:
    status: str  # pending | confirmed | cancelled | declined | done | no_show
    note: str
    address: str
    booked_at: datetime
    reminded: set[str] = field(default_factory=set)
    rated: bool = False


class Diary(LinliAggregate):
    """A resident's bookings across services (and their no-shows): what makes one resident's bookings never
    overlap and keeps the weekly limit, whichever slots they book at once."""

    class Opened(LinliAggregate.Created):
        resident_id: UUID

    class Held(LinliAggregate.Event):
        slot_id: UUID
        service_id: UUID
        starts_at: datetime
        ends_at: datetime

        def apply(self, diary: Diary) -> None:
            diary.held[self.slot_id] = (self.service_id, self.starts_at, self.ends_at)

    class Released(LinliAggregate.Event):
        slot_id: UUID

        def apply(self, diary: Diary) -> None:
            diary.held.pop(self.slot_id, None)
            diary.kept.pop(self.slot_id, None)

    class Kept(LinliAggregate.Event):
        """The booking took place (done) or the resident did not come (no-show): it stays in the weekly count but
        no longer blocks its time."""

        slot_id: UUID
        no_show: bool

        def apply(self, diary: Diary) -> None:
            diary.kept[self.slot_id] = self.no_show
            if self.no_show:
                diary.no_shows.append(self.timestamp)

    def __init__(self, resident_id: UUID) -> None:
        self.resident_id = resident_id
        self.held: dict[UUID, tuple[UUID, datetime, datetime]] = {}
        self.kept: dict[UUID, bool] = {}
        self.no_shows: list[datetime] = []

    @classmethod
    def open(cls, ctx: Ctx, resident_id: UUID) -> Diary:
        return cls.start(cls.Opened, ctx, diary_id_for(resident_id), resident_id=resident_id)

    def refusal(self, ctx: Ctx, slot: Slot, rules: BookingRules, no_show_limit: int, no_show_days: int) -> str:
        """Why this resident may not hold a seat on `slot` now ("" when they may)."""
        for slot_id, (_, start, end) in self.held.items():
            if slot_id != slot.id and slot_id not in self.kept and start < slot.ends_at and slot.starts_at < end:
                return N_("You already have a booking at this time.")
        week = week_of(slot.starts_at)
        same_week = [
            s for s, (service, start, _) in self.held.items() if service == slot.service_id and week_of(start) == week
        ]
        if len(same_week) >= rules.per_week:
            return N_("You have reached this service's limit of bookings for that week.")
        if self.blocked_until(ctx, no_show_limit, no_show_days) is not None:
            return N_("After repeated no-shows you cannot book for a while; ask the committee if this is wrong.")
        return ""

    def blocked_until(self, ctx: Ctx, no_show_limit: int, no_show_days: int) -> date | None:
        """The day a no-show restriction ends, if one is in force."""
        recent = sorted(t for t in self.no_shows if t > ctx.now - timedelta(days=no_show_days))
        if not no_show_limit or len(recent) < no_show_limit:
            return None
        return (recent[-no_show_limit] + timedelta(days=no_show_days)).astimezone(LOCAL_ZONE).date()

    def hold(self, ctx: Ctx, slot: Slot) -> None:
        self.emit(
            self.Held, ctx, slot_id=slot.id, service_id=slot.service_id, starts_at=slot.starts_at, ends_at=slot.ends_at
        )

    def release(self, ctx: Ctx, slot: Slot) -> None:
        if slot.id in self.held:
            self.emit(self.Released, ctx, slot_id=slot.id)

    def keep(self, ctx: Ctx, slot: Slot, no_show: bool) -> None:
        self.emit(self.Kept, ctx, slot_id=slot.id, no_show=no_show)


@dataclass(frozen=True)
class Limits:
    """What the command knows besides the slot: the service's rules and the rulebook's no-show restriction."""

    rules: BookingRules
    no_show_limit: int = 3
    no_show_days: int = 60


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
        cls, ctx: Ctx, service: Service, starts_at: datetime, ends_at: datetime, capacity: int, place: str
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
