"""A volunteer's diary: the shifts where they hold a seat or an offer, whatever the activity. It is what makes the
rule "no two overlapping shifts" an invariant of the log (DESIGN 4.8): the sign-up reads it and saves it in the same
transaction as the shift, so two sign-ups at the same moment for overlapping shifts meet on the diary's version and
the second is refused, however the views lag.

Logs written before the diary existed have no diary events: a volunteer's diary starts empty at the first command
after the upgrade that changes their place on a shift, and holds what happens from then on (a seat taken before the
upgrade blocks nothing until a command changes that place)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.topics import keep_topics
from backend.volunteering.domain.topics import TOPICS_MODULE

DIARY_NAMESPACE = UUID("3e5b7d9f-2a4c-4e6b-8d0f-1b3d5f7a9c2e")


def diary_id_for(volunteer_id: UUID) -> UUID:
    """One diary per volunteer: two first sign-ups at once both open it, and the store keeps one."""
    return uuid5(DIARY_NAMESPACE, str(volunteer_id))


def overlap(starts_at: datetime, ends_at: datetime, other_start: datetime, other_end: datetime) -> bool:
    """Two times overlap when each starts before the other ends (one ending as the other starts does not)."""
    return starts_at < other_end and other_start < ends_at


class VolunteerDiary(LinliAggregate):
    """The shifts where a volunteer holds a seat or an offer (shift id -> its start and end)."""

    class Opened(LinliAggregate.Created):
        volunteer_id: UUID

    class Held(LinliAggregate.Event):
        shift_id: UUID
        starts_at: datetime
        ends_at: datetime

        def apply(self, diary: VolunteerDiary) -> None:
            diary.held[self.shift_id] = (self.starts_at, self.ends_at)

    class Released(LinliAggregate.Event):
        shift_id: UUID

        def apply(self, diary: VolunteerDiary) -> None:
            diary.held.pop(self.shift_id, None)

    def __init__(self, volunteer_id: UUID) -> None:
        self.volunteer_id = volunteer_id
        self.held: dict[UUID, tuple[datetime, datetime]] = {}

    @classmethod
    def open(cls, ctx: Ctx, volunteer_id: UUID) -> VolunteerDiary:
        return cls.start(cls.Opened, ctx, diary_id_for(volunteer_id), volunteer_id=volunteer_id)

    def clashes(self, shift_id: UUID, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether the volunteer holds a seat or an offer on another shift overlapping this time."""
        return any(
            held != shift_id and overlap(start, end, starts_at, ends_at) for held, (start, end) in self.held.items()
        )

    def follow(self, ctx: Ctx, shift_id: UUID, starts_at: datetime, ends_at: datetime, holds: bool) -> None:
        """Enter or strike the shift as the volunteer now holds a place there or not (nothing when it already says
        so)."""
        if holds and shift_id not in self.held:
            self.emit(self.Held, ctx, shift_id=shift_id, starts_at=starts_at, ends_at=ends_at)
        elif not holds and shift_id in self.held:
            self.emit(self.Released, ctx, shift_id=shift_id)


keep_topics(TOPICS_MODULE, VolunteerDiary)
