"""The volunteer honours: star levels by total hours (the rulebook's thresholds), and each volunteer's choice to be
shown (name masked) on the board."""

from __future__ import annotations

from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics
from backend.volunteering.domain.topics import TOPICS_MODULE

STARS = (1, 2, 3, 4, 5)
HONOURS_NAMESPACE = UUID("a8d6c4b2-0e1f-4a3b-9c5d-7e9f1a3b5c7d")


def star_level(minutes: int, thresholds_hours: list[int]) -> int:
    """0 to 5 stars: the number of thresholds (in hours) reached."""
    return sum(1 for t in thresholds_hours if minutes >= t * 60)


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


keep_topics(TOPICS_MODULE, HonoursChoice)


def honours_id_for(volunteer_id: UUID) -> UUID:
    return uuid5(HONOURS_NAMESPACE, str(volunteer_id))
