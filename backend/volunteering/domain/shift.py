"""班次: one aggregate per shift holding its seats, its waitlist and its timed offers, so concurrent sign-ups
serialize on it and its capacity is never exceeded (DESIGN 4.2); and who checked in and out, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics
from backend.volunteering.domain.diary import VolunteerDiary
from backend.volunteering.domain.topics import TOPICS_MODULE

CAPACITY_MAX = 1000
SHIFT_MAX = timedelta(hours=12)
EARLY_CHECKIN = timedelta(minutes=30)
SHIFT_NAMESPACE = UUID("5d0c6a8e-2f4b-4c1d-9e7a-3b6f8d2c1a40")
# The places that block their time in the volunteer's diary (a seat, or a seat held by an offer); a place on the
# waitlist does not: the views counted these two (roster rows "seated" and "offered") when they refused a sign-up.
HOLDING = ("seated", "offered")


def shift_id_for(activity_id: UUID, starts_at: datetime) -> UUID:
    return uuid5(SHIFT_NAMESPACE, f"{activity_id}|{starts_at.isoformat()}")


def check_shift_times(ctx: Ctx, start: datetime, end: datetime) -> None:
    if end <= start:
        raise DomainError("A shift must end after it starts.", "ends_at")
    if end - start > SHIFT_MAX:
        raise DomainError("A shift lasts at most 12 hours.", "ends_at")
    if start <= ctx.now:
        raise DomainError("A shift must start in the future.", "starts_at")


@dataclass(frozen=True)
class Minor:
    """A volunteer's age against the activity's minimum age and the rulebook's consent age."""

    age: int
    min_age: int
    consent_age: int
    consented: bool

    def check(self) -> None:
        if self.age < self.min_age:
            raise DomainError("You are younger than this activity's minimum age.", status=403)
        if self.age < self.consent_age and not self.consented:
            raise DomainError(
                "Volunteers under the consent age need a guardian's consent: ask a parent in your household to give "
                "it on this activity's page.",
                status=403,
            )


class Shift(LinliAggregate):
    """班次: seats, waitlist (in order) and timed offers; who checked in and out, and when."""

    class Scheduled(LinliAggregate.Created):
        activity_id: UUID
        team_id: UUID
        starts_at: datetime
        ends_at: datetime
        capacity: int
        offer_hours: int

    class SignedUp(LinliAggregate.Event):
        volunteer_id: UUID
        seated: bool  # False: on the waitlist

        def apply(self, shift: Shift) -> None:
            (shift.seated if self.seated else shift.waitlist).append(self.volunteer_id)

    class Cancelled(LinliAggregate.Event):
        volunteer_id: UUID

        def apply(self, shift: Shift) -> None:
            shift._drop(self.volunteer_id)

    class Offered(LinliAggregate.Event):
        """A freed seat held for the first on the waitlist until `until`."""

        volunteer_id: UUID
        until: datetime

        def apply(self, shift: Shift) -> None:
            shift.waitlist.remove(self.volunteer_id)
            shift.offers[self.volunteer_id] = self.until

    class OfferLapsed(LinliAggregate.Event):
        volunteer_id: UUID

        def apply(self, shift: Shift) -> None:
            del shift.offers[self.volunteer_id]

    class Seated(LinliAggregate.Event):
        """From the waitlist: at once (no offer period), or by accepting an offer."""

        volunteer_id: UUID

        def apply(self, shift: Shift) -> None:
            shift.offers.pop(self.volunteer_id, None)
            if self.volunteer_id in shift.waitlist:
                shift.waitlist.remove(self.volunteer_id)
            shift.seated.append(self.volunteer_id)

    class CheckedIn(LinliAggregate.Event):
        volunteer_id: UUID
        at: datetime
        method: str  # code (the volunteer scanned the rotating code) | leader (the leader scanned or ticked)

        def apply(self, shift: Shift) -> None:
            shift.checked_in[self.volunteer_id] = self.at

    class CheckedOut(LinliAggregate.Event):
        volunteer_id: UUID
        at: datetime
        forgotten: bool  # checked out at the shift's end by the system, for the leader to review

        def apply(self, shift: Shift) -> None:
            shift.checked_out[self.volunteer_id] = self.at
            if self.forgotten:
                shift.flagged.append(self.volunteer_id)

    def __init__(
        self, activity_id: UUID, team_id: UUID, starts_at: datetime, ends_at: datetime, capacity: int, offer_hours: int
    ) -> None:
        self.activity_id = activity_id
        self.team_id = team_id
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.capacity = capacity
        self.offer_hours = offer_hours
        self.seated: list[UUID] = []
        self.waitlist: list[UUID] = []
        self.offers: dict[UUID, datetime] = {}
        self.checked_in: dict[UUID, datetime] = {}
        self.checked_out: dict[UUID, datetime] = {}
        self.flagged: list[UUID] = []

    @classmethod
    def schedule(
        cls,
        ctx: Ctx,
        activity_id: UUID,
        team_id: UUID,
        offer_hours: int,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
    ) -> Shift:
        """One shift of an activity (`Activity.create` makes them all, with the activity's team and offer hours)."""
        if not 1 <= capacity <= CAPACITY_MAX:
            raise DomainError("A shift needs between 1 and 1000 seats.", "capacity")
        check_shift_times(ctx, starts_at, ends_at)
        return cls.start(
            cls.Scheduled,
            ctx,
            shift_id_for(activity_id, starts_at),
            activity_id=activity_id,
            team_id=team_id,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            offer_hours=offer_hours,
        )

    # -- seats ----------------------------------------------------------------------------------------------
    @property
    def taken(self) -> int:
        """Seats filled or held by an offer."""
        return len(self.seated) + len(self.offers)

    @property
    def free(self) -> int:
        return self.capacity - self.taken

    def status_of(self, volunteer_id: UUID) -> str:
        if volunteer_id in self.seated:
            return "seated"
        if volunteer_id in self.offers:
            return "offered"
        if volunteer_id in self.waitlist:
            return "waitlisted"
        return ""

    def sign_up(
        self,
        ctx: Ctx,
        volunteer_id: UUID,
        waitlist: bool,
        minor: Minor | None = None,
        diary: VolunteerDiary | None = None,
    ) -> bool:
        """A seat if one is free and nobody waits for it; otherwise the waitlist, when asked for. True: seated.
        `minor`: what is known of a volunteer's age (from the ID number; none on record counts as an adult).
        `diary`: the volunteer's seats and offers on other shifts; one overlapping this shift refuses the sign-up,
        a seat and a place on the waitlist alike (asked first, as when the views were asked before the command).
        The command then enters the seat in the diary (`enter_in`), saved with the shift."""
        if diary is not None and diary.clashes(self.id, self.starts_at, self.ends_at):
            raise DomainError("You already have a shift at this time.", status=409)
        if ctx.now >= self.starts_at:
            raise DomainError("This shift has already started.", status=409)
        if self.status_of(volunteer_id):
            raise DomainError("You have already signed up for this shift.", status=409)
        if minor is not None:
            minor.check()
        seated = self.free > 0 and not self.waitlist
        if not seated and not waitlist:
            raise DomainError("This shift is full. You can join the waitlist.", status=409)
        self.emit(self.SignedUp, ctx, volunteer_id=volunteer_id, seated=seated)
        return seated

    def cancel(self, ctx: Ctx, volunteer_id: UUID) -> None:
        """Give up a seat, an offer or a place on the waitlist; a freed seat goes to the next in line."""
        if ctx.now >= self.starts_at:
            raise DomainError("This shift has already started.", status=409)
        if not self.status_of(volunteer_id):
            raise DomainError("You are not signed up for this shift.", status=409)
        if volunteer_id in self.checked_in:
            raise DomainError("You have checked in already; the shift can no longer be cancelled.", status=409)
        self.emit(self.Cancelled, ctx, volunteer_id=volunteer_id)
        self._fill(ctx)

    def accept_offer(self, ctx: Ctx, volunteer_id: UUID) -> None:
        until = self.offers.get(volunteer_id)
        if until is None:
            raise DomainError("There is no seat offered to you on this shift.", status=409)
        if ctx.now > until:
            raise DomainError("The offer has lapsed.", status=410)
        self.emit(self.Seated, ctx, volunteer_id=volunteer_id)

    def lapse_offers(self, ctx: Ctx) -> int:
        """Offers past their time pass on, each exactly once. Returns how many lapsed."""
        lapsed = [v for v, until in self.offers.items() if ctx.now > until]
        for volunteer_id in lapsed:
            self.emit(self.OfferLapsed, ctx, volunteer_id=volunteer_id)
        if lapsed:
            self._fill(ctx)
        return len(lapsed)

    def _fill(self, ctx: Ctx) -> None:
        while self.free > 0 and self.waitlist:
            first = self.waitlist[0]
            if self.offer_hours and ctx.now + timedelta(hours=self.offer_hours) < self.starts_at:
                self.emit(self.Offered, ctx, volunteer_id=first, until=ctx.now + timedelta(hours=self.offer_hours))
            else:  # no offer period, or no time left for one: the seat is theirs
                self.emit(self.Seated, ctx, volunteer_id=first)

    # -- the volunteers' diaries ------------------------------------------------------------------------------
    def moved(self) -> list[UUID]:
        """The volunteers whose place on this shift its new (unsaved) events changed, in order: the one who signed
        up, cancelled or accepted, and whoever an offer passed to or lapsed from, or a freed seat went to."""
        places = (self.SignedUp, self.Cancelled, self.Offered, self.OfferLapsed, self.Seated)
        return list(dict.fromkeys(e.volunteer_id for e in self.pending_events if isinstance(e, places)))

    def holds(self, volunteer_id: UUID) -> bool:
        """Whether the volunteer's place here blocks its time (a seat or an offer)."""
        return self.status_of(volunteer_id) in HOLDING

    def enter_in(self, ctx: Ctx, diary: VolunteerDiary) -> None:
        """Bring the volunteer's diary in line with their place on this shift: what makes the diary always say what
        the shifts say, whichever way the place changed (a promotion from the waitlist included, which does not ask
        about overlaps: the seat is theirs, and later sign-ups see it)."""
        diary.follow(ctx, self.id, self.starts_at, self.ends_at, self.holds(diary.volunteer_id))

    def _drop(self, volunteer_id: UUID) -> None:
        for group in (self.seated, self.waitlist):
            if volunteer_id in group:
                group.remove(volunteer_id)
        self.offers.pop(volunteer_id, None)

    # -- attendance -----------------------------------------------------------------------------------------
    def check_in(self, ctx: Ctx, volunteer_id: UUID, method: str) -> None:
        if volunteer_id not in self.seated:
            raise DomainError("Only volunteers with a seat on this shift can check in.", status=409)
        if volunteer_id in self.checked_in:
            raise DomainError("Already checked in.", status=409)
        if not self.starts_at - EARLY_CHECKIN <= ctx.now <= self.ends_at:
            raise DomainError("Check-in opens 30 minutes before the shift and closes at its end.", status=409)
        self.emit(self.CheckedIn, ctx, volunteer_id=volunteer_id, at=ctx.now, method=method)

    def check_out(self, ctx: Ctx, volunteer_id: UUID) -> None:
        if volunteer_id not in self.checked_in:
            raise DomainError("Check in before checking out.", status=409)
        if volunteer_id in self.checked_out:
            raise DomainError("Already checked out.", status=409)
        self.emit(self.CheckedOut, ctx, volunteer_id=volunteer_id, at=min(ctx.now, self.ends_at), forgotten=False)

    def check_out_forgotten(self, ctx: Ctx) -> int:
        """After the shift's end, whoever is still checked in is checked out at the end and flagged."""
        if ctx.now < self.ends_at:
            return 0
        missing = [v for v in self.checked_in if v not in self.checked_out]
        for volunteer_id in missing:
            self.emit(self.CheckedOut, ctx, volunteer_id=volunteer_id, at=self.ends_at, forgotten=True)
        return len(missing)

    def served_minutes(self, volunteer_id: UUID) -> int:
        """Service time: from check-in to check-out, within the shift (arriving early is not service)."""
        if volunteer_id not in self.checked_out:
            raise DomainError("No hours without a check-in and a check-out.", status=409)
        return served_minutes(
            self.checked_in[volunteer_id], self.checked_out[volunteer_id], self.starts_at, self.ends_at
        )


keep_topics(TOPICS_MODULE, Shift)


def served_minutes(checked_in: datetime, checked_out: datetime, starts_at: datetime, ends_at: datetime) -> int:
    """Minutes between check-in and check-out that fall within the shift."""
    start, end = max(checked_in, starts_at), min(checked_out, ends_at)
    return max(0, int((end - start).total_seconds()) // 60)
