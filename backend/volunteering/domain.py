"""Volunteering (志愿服务): teams, activities, shifts with capacity and a waitlist, check-in and check-out, an hours
ledger and certificates. Pure: no I/O, no clock (the time comes with the command).

A shift is one aggregate holding its seats, its waitlist and its timed offers, so concurrent sign-ups serialize on
it and its capacity is never exceeded (DESIGN 4.2). Hours are a ledger (DESIGN 4.3): an hours record starts with
the entry the leader confirmed, and a correction is a new entry with a reason that refers to the original; the total
is always the sum of the entries. 谁组织谁记录、谁记录谁证明: the team that recorded the hours issues the
certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID, uuid5

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text

TITLE_MAX = 60
TEXT_MAX = 2000
PLACE_MAX = 60
REASON_MAX = 500
CAPACITY_MAX = 1000
SHIFT_MAX = timedelta(hours=12)
SHIFTS_MAX = 60  # of one activity, recurring ones included
OFFER_HOURS_MAX = 72
EARLY_CHECKIN = timedelta(minutes=30)
MINUTES_MAX = 24 * 60
STARS = (1, 2, 3, 4, 5)
OWN_HOURS = N_("Nobody confirms or corrects their own hours: another leader of the team does.")
SHIFT_NAMESPACE = UUID("5d0c6a8e-2f4b-4c1d-9e7a-3b6f8d2c1a40")
RECORD_NAMESPACE = UUID("9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d")
CERTIFICATE_NAMESPACE = UUID("c4e8a2f6-1b3d-4f5a-9c7e-2d4f6a8b0c1e")
CONSENT_NAMESPACE = UUID("7e3c5a9b-2d4f-4b6a-8c1e-5f7a9b3d2c10")
HONOURS_NAMESPACE = UUID("a8d6c4b2-0e1f-4a3b-9c5d-7e9f1a3b5c7d")
CATEGORIES = {
    "elderly": N_("Elderly care"),
    "children": N_("Children and youth"),
    "environment": N_("Environment and cleaning"),
    "safety": N_("Safety patrol"),
    "culture": N_("Culture and sports"),
    "health": N_("Health"),
    "other": N_("Other"),
}


def shift_id_for(activity_id: UUID, starts_at: datetime) -> UUID:
    return uuid5(SHIFT_NAMESPACE, f"{activity_id}|{starts_at.isoformat()}")


def record_id_for(shift_id: UUID, volunteer_id: UUID) -> UUID:
    """One hours record per volunteer and shift: confirming twice collides on the store's unique key."""
    return uuid5(RECORD_NAMESPACE, f"{shift_id}|{volunteer_id}")


def star_level(minutes: int, thresholds_hours: list[int]) -> int:
    """0 to 5 stars: the number of thresholds (in hours) reached."""
    return sum(1 for t in thresholds_hours if minutes >= t * 60)


class Team(LinliAggregate):
    """志愿服务队: led by the volunteer leader who founded it and the co-leaders added; numbers the certificates it
    issues."""

    class Founded(LinliAggregate.Created):
        name: str
        description: str

        def apply(self, team: Team) -> None:  # type: ignore[override]
            super().apply(team)
            team.leaders = [self.actor_id] if self.actor_id else []

    class CertificateNumbered(LinliAggregate.Event):
        number: int

        def apply(self, team: Team) -> None:
            team.certificates = self.number

    class LeaderAdded(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, team: Team) -> None:
            team.leaders.append(self.resident_id)

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description
        self.leaders: list[UUID] = []
        self.certificates = 0

    @classmethod
    def found(cls, ctx: Ctx, team_id: UUID, name: str, description: str) -> Team:
        name = check_text(name, TITLE_MAX, "name", "A team needs a name of at most 60 characters.")
        description = check_text(description, TEXT_MAX, "description", "The description is too long.", required=False)
        return cls.start(cls.Founded, ctx, team_id, name=name, description=description)

    def led_by(self, actor_id: UUID | None) -> bool:
        return actor_id is None or actor_id in self.leaders

    def add_leader(self, ctx: Ctx, resident_id: UUID, is_volunteer_leader: bool) -> None:
        """A leader adds a co-leader (who holds the volunteer leader role): then each can confirm the other's hours."""
        if not self.led_by(ctx.actor_id):
            raise DomainError("Only the team's leaders do this.", status=403)
        if not is_volunteer_leader:
            raise DomainError("A co-leader needs the volunteer leader role (the clerk grants it).", "resident_id")
        if resident_id in self.leaders:
            raise DomainError("This resident already leads the team.", "resident_id", status=409)
        self.emit(self.LeaderAdded, ctx, resident_id=resident_id)

    def next_certificate(self, ctx: Ctx) -> int:
        self.emit(self.CertificateNumbered, ctx, number=self.certificates + 1)
        return self.certificates


@dataclass(frozen=True)
class ActivityTerms:
    title: str
    description: str
    place: str
    category: str
    beneficiary: str
    min_age: int = 0
    risky: bool = False
    offer_hours: int = 12  # 0: a freed seat goes to the first on the waitlist at once

    def checked(self) -> ActivityTerms:
        if self.category not in CATEGORIES:
            raise DomainError("Choose a category.", "category")
        if not 0 <= self.min_age <= 80:
            raise DomainError("The minimum age must be between 0 and 80.", "min_age")
        if not 0 <= self.offer_hours <= OFFER_HOURS_MAX:
            raise DomainError("An offer lasts between 0 and 72 hours.", "offer_hours")
        return ActivityTerms(
            check_text(self.title, TITLE_MAX, "title", "An activity needs a title of at most 60 characters."),
            check_text(self.description, TEXT_MAX, "description", "Describe the activity (at most 2000 characters)."),
            check_text(self.place, PLACE_MAX, "place", "Say where it takes place (at most 60 characters)."),
            self.category,
            check_text(self.beneficiary, PLACE_MAX, "beneficiary", "Say who it serves (at most 60 characters)."),
            self.min_age,
            self.risky,
            self.offer_hours,
        )


def recurring(first_start: datetime, first_end: datetime, weeks: int) -> list[tuple[datetime, datetime]]:
    """The shifts of an activity held at the same time every week for `weeks` weeks."""
    if not 1 <= weeks <= SHIFTS_MAX:
        raise DomainError("Repeat for 1 to 60 weeks.", "weeks")
    return [(first_start + timedelta(weeks=w), first_end + timedelta(weeks=w)) for w in range(weeks)]


class Activity(LinliAggregate):
    """活动: what, where, for whom; published once (a risky one only after insurance is confirmed)."""

    class Created(LinliAggregate.Created):
        team_id: UUID
        title: str
        description: str
        place: str
        category: str
        beneficiary: str
        min_age: int
        risky: bool
        offer_hours: int
        shift_ids: list[UUID]

    class InsuranceConfirmed(LinliAggregate.Event):
        note: str

        def apply(self, activity: Activity) -> None:
            activity.insured = True

    class Published(LinliAggregate.Event):
        def apply(self, activity: Activity) -> None:
            activity.published = True

    def __init__(
        self,
        team_id: UUID,
        title: str,
        description: str,
        place: str,
        category: str,
        beneficiary: str,
        min_age: int,
        risky: bool,
        offer_hours: int,
        shift_ids: list[UUID],
    ) -> None:
        self.team_id = team_id
        self.title = title
        self.description = description
        self.place = place
        self.category = category
        self.beneficiary = beneficiary
        self.min_age = min_age
        self.risky = risky
        self.offer_hours = offer_hours
        self.shift_ids = list(shift_ids)
        self.insured = False
        self.published = False

    @classmethod
    def create(
        cls,
        ctx: Ctx,
        activity_id: UUID,
        team: Team,
        terms: ActivityTerms,
        times: list[tuple[datetime, datetime]],
        capacity: int,
    ) -> tuple[Activity, list[Shift]]:
        """The activity and its shifts (one per time), all of the same capacity."""
        terms = terms.checked()
        if not team.led_by(ctx.actor_id):
            raise DomainError("Only the team's leaders manage its activities.", status=403)
        if not times:
            raise DomainError("Add at least one shift.", "starts_at")
        if len(times) > SHIFTS_MAX:
            raise DomainError("At most 60 shifts per activity.", "weeks")
        ordered = sorted(times)
        for (start, end), following in zip(ordered, [*ordered[1:], None], strict=True):
            check_shift_times(ctx, start, end)
            if following is not None and following[0] < end:
                raise DomainError("The shifts of an activity must not overlap.", "starts_at")
        ids = [shift_id_for(activity_id, start) for start, _ in ordered]
        activity = cls.start(
            cls.Created,
            ctx,
            activity_id,
            team_id=team.id,
            title=terms.title,
            description=terms.description,
            place=terms.place,
            category=terms.category,
            beneficiary=terms.beneficiary,
            min_age=terms.min_age,
            risky=terms.risky,
            offer_hours=terms.offer_hours,
            shift_ids=ids,
        )
        return activity, [Shift.schedule(ctx, activity, start, end, capacity) for start, end in ordered]

    def confirm_insurance(self, ctx: Ctx, team: Team, note: str) -> None:
        self._managed(ctx, team)
        if not self.risky:
            raise DomainError("Only a risky activity needs insurance.", status=409)
        if self.insured:
            raise DomainError("Insurance is already confirmed.", status=409)
        note = check_text(note, REASON_MAX, "note", "Name the insurance (policy number or insurer).")
        self.emit(self.InsuranceConfirmed, ctx, note=note)

    def publish(self, ctx: Ctx, team: Team) -> None:
        self._managed(ctx, team)
        if self.published:
            raise DomainError("This activity is already published.", status=409)
        if self.risky and not self.insured:
            raise DomainError("A risky activity needs its insurance confirmed before it is published.", status=409)
        self.emit(self.Published, ctx)

    def _managed(self, ctx: Ctx, team: Team) -> None:
        if team.id != self.team_id or not team.led_by(ctx.actor_id):
            raise DomainError("Only the team's leaders manage its activities.", status=403)


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


class GuardianConsent(LinliAggregate):
    """A guardian's consent for a minor of their household to volunteer in one activity (个人信息保护法 Art 31)."""

    class Given(LinliAggregate.Created):
        activity_id: UUID
        minor_id: UUID
        guardian_id: UUID

    def __init__(self, activity_id: UUID, minor_id: UUID, guardian_id: UUID) -> None:
        self.activity_id = activity_id
        self.minor_id = minor_id
        self.guardian_id = guardian_id

    @classmethod
    def give(
        cls,
        ctx: Ctx,
        activity: Activity,
        minor_id: UUID,
        same_household: bool,
        minor_age: int | None,
        guardian_age: int | None,
        consent_age: int,
    ) -> GuardianConsent:
        guardian = ctx.actor_id
        if guardian is None or guardian == minor_id or not same_household:
            raise DomainError("Only a guardian in the same household gives consent.", status=403)
        if guardian_age is not None and guardian_age < 18:
            raise DomainError("Only an adult gives consent.", status=403)
        if minor_age is None or minor_age >= consent_age:
            raise DomainError("This resident does not need a guardian's consent.", status=409)
        if not activity.published:
            raise DomainError("This activity is not open for sign-up yet.", status=409)
        return cls.start(
            cls.Given,
            ctx,
            consent_id_for(activity.id, minor_id),
            activity_id=activity.id,
            minor_id=minor_id,
            guardian_id=guardian,
        )


def consent_id_for(activity_id: UUID, minor_id: UUID) -> UUID:
    return uuid5(CONSENT_NAMESPACE, f"{activity_id}|{minor_id}")


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
    def schedule(cls, ctx: Ctx, activity: Activity, starts_at: datetime, ends_at: datetime, capacity: int) -> Shift:
        if not 1 <= capacity <= CAPACITY_MAX:
            raise DomainError("A shift needs between 1 and 1000 seats.", "capacity")
        check_shift_times(ctx, starts_at, ends_at)
        return cls.start(
            cls.Scheduled,
            ctx,
            shift_id_for(activity.id, starts_at),
            activity_id=activity.id,
            team_id=activity.team_id,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            offer_hours=activity.offer_hours,
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

    def sign_up(self, ctx: Ctx, volunteer_id: UUID, waitlist: bool, minor: Minor | None = None) -> bool:
        """A seat if one is free and nobody waits for it; otherwise the waitlist, when asked for. True: seated.
        `minor`: what is known of a volunteer's age (from the ID number; none on record counts as an adult)."""
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


def served_minutes(checked_in: datetime, checked_out: datetime, starts_at: datetime, ends_at: datetime) -> int:
    """Minutes between check-in and check-out that fall within the shift."""
    start, end = max(checked_in, starts_at), min(checked_out, ends_at)
    return max(0, int((end - start).total_seconds()) // 60)


class HoursRecord(LinliAggregate):
    """志愿服务记录 of one volunteer on one shift: a ledger whose first entry the leader confirmed; corrections are
    new entries (with a reason, referring to entry 1), requested by the volunteer or made by the leader."""

    class Recorded(LinliAggregate.Created):
        volunteer_id: UUID
        team_id: UUID
        activity_id: UUID
        shift_id: UUID
        served_on: date
        activity: str
        place: str
        content: str
        beneficiary: str
        minutes: int
        leader_id: UUID | None
        recorder_id: UUID | None

        def apply(self, record: HoursRecord) -> None:  # type: ignore[override]
            super().apply(record)
            record.entries = [(1, self.minutes, "", 0)]

    class CorrectionRequested(LinliAggregate.Event):
        minutes: int  # the total the volunteer says is right
        reason: str

        def apply(self, record: HoursRecord) -> None:
            record.request = (self.minutes, self.reason)

    class CorrectionRejected(LinliAggregate.Event):
        reason: str

        def apply(self, record: HoursRecord) -> None:
            record.request = None

    class Corrected(LinliAggregate.Event):
        entry: int
        delta_minutes: int
        reason: str
        refers_to: int

        def apply(self, record: HoursRecord) -> None:
            record.entries.append((self.entry, self.delta_minutes, self.reason, self.refers_to))
            record.request = None

    def __init__(
        self,
        volunteer_id: UUID,
        team_id: UUID,
        activity_id: UUID,
        shift_id: UUID,
        served_on: date,
        activity: str,
        place: str,
        content: str,
        beneficiary: str,
        minutes: int,
        leader_id: UUID | None,
        recorder_id: UUID | None,
    ) -> None:
        self.volunteer_id = volunteer_id
        self.team_id = team_id
        self.activity_id = activity_id
        self.shift_id = shift_id
        self.served_on = served_on
        self.activity_title = activity
        self.place = place
        self.content = content
        self.beneficiary = beneficiary
        self.leader_id = leader_id
        self.recorder_id = recorder_id
        self.entries: list[tuple[int, int, str, int]] = []
        self.request: tuple[int, str] | None = None

    @property
    def total(self) -> int:
        return sum(delta for _, delta, _, _ in self.entries)

    @classmethod
    def confirm(
        cls, ctx: Ctx, team: Team, activity: Activity, shift: Shift, volunteer_id: UUID, served_on: date
    ) -> HoursRecord:
        """The leader confirms the service time measured from check-in to check-out."""
        if shift.team_id != team.id or not team.led_by(ctx.actor_id):
            raise DomainError("Only the team's leaders confirm hours.", status=403)
        if ctx.actor_id == volunteer_id:
            raise DomainError(OWN_HOURS, status=403)
        minutes = shift.served_minutes(volunteer_id)
        return cls.start(
            cls.Recorded,
            ctx,
            record_id_for(shift.id, volunteer_id),
            volunteer_id=volunteer_id,
            team_id=team.id,
            activity_id=activity.id,
            shift_id=shift.id,
            served_on=served_on,
            activity=activity.title,
            place=activity.place,
            content=activity.description[:200],
            beneficiary=activity.beneficiary,
            minutes=minutes,
            leader_id=ctx.actor_id,
            recorder_id=ctx.actor_id,
        )

    def request_correction(self, ctx: Ctx, minutes: int, reason: str) -> None:
        if ctx.actor_id != self.volunteer_id:
            raise DomainError("Only the volunteer asks to correct their own hours.", status=403)
        if self.request is not None:
            raise DomainError("A correction is already waiting for the leader.", status=409)
        self._check_total(minutes)
        if minutes == self.total:
            raise DomainError("That is the number of minutes already recorded.", "minutes")
        reason = check_text(reason, REASON_MAX, "reason", "Give a reason (at most 500 characters).")
        self.emit(self.CorrectionRequested, ctx, minutes=minutes, reason=reason)

    def decide_request(self, ctx: Ctx, team: Team, approve: bool, reason: str = "") -> None:
        self._led(ctx, team)
        if self.request is None:
            raise DomainError("No correction is waiting.", status=409)
        if approve:
            minutes, asked = self.request
            note = check_text(reason, REASON_MAX, "reason", "Give a reason (at most 500 characters).", required=False)
            self._correct(ctx, minutes, note or asked)
        else:
            reason = check_text(reason, REASON_MAX, "reason", "Say why the correction is rejected.")
            self.emit(self.CorrectionRejected, ctx, reason=reason)

    def correct(self, ctx: Ctx, team: Team, minutes: int, reason: str) -> None:
        """The leader's own correction: the new total, with a reason."""
        self._led(ctx, team)
        self._check_total(minutes)
        if minutes == self.total:
            raise DomainError("That is the number of minutes already recorded.", "minutes")
        self._correct(ctx, minutes, check_text(reason, REASON_MAX, "reason", "Give a reason (at most 500 characters)."))

    def _correct(self, ctx: Ctx, minutes: int, reason: str) -> None:
        self._check_total(minutes)
        entry = len(self.entries) + 1
        self.emit(self.Corrected, ctx, entry=entry, delta_minutes=minutes - self.total, reason=reason, refers_to=1)

    def _led(self, ctx: Ctx, team: Team) -> None:
        if team.id != self.team_id or not team.led_by(ctx.actor_id):
            raise DomainError("Only the team's leaders correct its records.", status=403)
        if ctx.actor_id == self.volunteer_id:
            raise DomainError(OWN_HOURS, status=403)

    @staticmethod
    def _check_total(minutes: int) -> None:
        if minutes < 0:
            raise DomainError("Hours cannot be negative.", "minutes")
        if minutes > MINUTES_MAX:
            raise DomainError("A record holds at most 24 hours.", "minutes")


class Certificate(LinliAggregate):
    """志愿服务证明: numbered by the team, free, listing the confirmed hours and activities of a period."""

    class Issued(LinliAggregate.Created):
        team_id: UUID
        volunteer_id: UUID
        number: str
        period_from: date
        period_to: date
        minutes: int
        lines: list[list[str]]  # [served_on ISO, activity, minutes] per record, oldest first

    def __init__(
        self,
        team_id: UUID,
        volunteer_id: UUID,
        number: str,
        period_from: date,
        period_to: date,
        minutes: int,
        lines: list[list[str]],
    ) -> None:
        self.team_id = team_id
        self.volunteer_id = volunteer_id
        self.number = number
        self.period_from = period_from
        self.period_to = period_to
        self.minutes = minutes
        self.lines = lines

    @classmethod
    def issue(
        cls, ctx: Ctx, team: Team, volunteer_id: UUID, period_from: date, period_to: date, records: list[HoursRecord]
    ) -> Certificate:
        if period_to < period_from:
            raise DomainError("The period must end after it starts.", "period_to")
        if period_to > ctx.today:
            raise DomainError("The period cannot end in the future.", "period_to")
        mine = sorted(
            (
                r
                for r in {r.id: r for r in records}.values()
                if r.volunteer_id == volunteer_id and r.team_id == team.id and period_from <= r.served_on <= period_to
            ),
            key=lambda r: (r.served_on, str(r.id)),
        )
        minutes = sum(r.total for r in mine)
        if minutes <= 0:
            raise DomainError("There are no confirmed hours with this team in this period.", "period_from")
        number = team.next_certificate(ctx)
        # The team's part has 32 bits; the certificate's id is derived from the whole number, so should two teams
        # ever share it, the store refuses the second certificate (the runner then reports it busy) — no duplicate.
        code = f"{ctx.today.year}-{team.id.hex[:8].upper()}-{number:05d}"
        return cls.start(
            cls.Issued,
            ctx,
            uuid5(CERTIFICATE_NAMESPACE, code),
            team_id=team.id,
            volunteer_id=volunteer_id,
            number=code,
            period_from=period_from,
            period_to=period_to,
            minutes=minutes,
            lines=[[r.served_on.isoformat(), r.activity_title, str(r.total)] for r in mine if r.total],
        )


class HonoursChoice(LinliAggregate):
    """Whether a volunteer agrees to be shown (name masked) in the volunteer honours on the board."""

    class Chosen(LinliAggregate.Created):
        volunteer_id: UUID
        show: bool

    class Changed(LinliAggregate.Event):
        show: bool

        def apply(self, choice: HonoursChoice) -> None:
            choice.show = self.show

    def __init__(self, volunteer_id: UUID, show: bool) -> None:
        self.volunteer_id = volunteer_id
        self.show = show

    @classmethod
    def choose(cls, ctx: Ctx, volunteer_id: UUID, show: bool) -> HonoursChoice:
        return cls.start(cls.Chosen, ctx, honours_id_for(volunteer_id), volunteer_id=volunteer_id, show=show)

    def change(self, ctx: Ctx, show: bool) -> None:
        if show == self.show:
            raise DomainError("That is already your choice.", status=409)
        self.emit(self.Changed, ctx, show=show)


def honours_id_for(volunteer_id: UUID) -> UUID:
    return uuid5(HONOURS_NAMESPACE, str(volunteer_id))
