"""活动: what, where, for whom, its terms and its shifts (one per time, a recurring activity one a week)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics
from backend.volunteering.domain.shift import Shift, check_shift_times, shift_id_for
from backend.volunteering.domain.team import TEXT_MAX, TITLE_MAX, Team
from backend.volunteering.domain.topics import TOPICS_MODULE

PLACE_MAX = 60
REASON_MAX = 500
SHIFTS_MAX = 60  # of one activity, recurring ones included
OFFER_HOURS_MAX = 72
CATEGORIES = {
    "elderly": N_("Elderly care"),
    "children": N_("Children and youth"),
    "environment": N_("Environment and cleaning"),
    "safety": N_("Safety patrol"),
    "culture": N_("Culture and sports"),
    "health": N_("Health"),
    "other": N_("Other"),
}


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
        return activity, [
            Shift.schedule(ctx, activity.id, activity.team_id, activity.offer_hours, start, end, capacity)
            for start, end in ordered
        ]

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


keep_topics(TOPICS_MODULE, Activity)
