"""志愿服务记录: the hours ledger (DESIGN 4.3). An hours record starts with the entry the leader confirmed, and a
correction is a new entry with a reason that refers to the original; the total is always the sum of the entries."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics
from backend.volunteering.domain.activity import REASON_MAX, Activity
from backend.volunteering.domain.shift import Shift
from backend.volunteering.domain.team import Team
from backend.volunteering.domain.topics import TOPICS_MODULE

MINUTES_MAX = 24 * 60
OWN_HOURS = N_("Nobody confirms or corrects their own hours: another leader of the team does.")
RECORD_NAMESPACE = UUID("9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d")


def record_id_for(shift_id: UUID, volunteer_id: UUID) -> UUID:
    """One hours record per volunteer and shift: confirming twice collides on the store's unique key."""
    return uuid5(RECORD_NAMESPACE, f"{shift_id}|{volunteer_id}")



STAR_RULES = tuple(f"volunteer_star_{n}_hours" for n in range(1, 6))  # the rulebook's star levels, in hours


def hours_text(minutes: int) -> str:
    """Minutes as hours with one decimal, as 志愿服务时长 are shown and certified."""
    return f"{minutes / 60:.1f}"


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


keep_topics(TOPICS_MODULE, HoursRecord)
