"""志愿服务队: the team, its leaders, and the numbering of the certificates it issues."""

from __future__ import annotations

from uuid import UUID

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics
from backend.volunteering.domain.topics import TOPICS_MODULE

TITLE_MAX = 60
TEXT_MAX = 2000


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


keep_topics(TOPICS_MODULE, Team)
