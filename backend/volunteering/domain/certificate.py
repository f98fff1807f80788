"""志愿服务证明: 谁组织谁记录、谁记录谁证明 — the team that recorded the hours issues the certificate."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics
from backend.volunteering.domain.hours import HoursRecord
from backend.volunteering.domain.team import Team
from backend.volunteering.domain.topics import TOPICS_MODULE

CERTIFICATE_NAMESPACE = UUID("c4e8a2f6-1b3d-4f5a-9c7e-2d4f6a8b0c1e")


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


keep_topics(TOPICS_MODULE, Certificate)
