"""The speaker list of a sitting (发言, issue 29): members who are checked in ask for the floor from their phones; the
chair (the clerk running the sitting) orders the queue, starts a turn and ends it; each turn has the time the
rulebook gave on the day it started (`speaking_minutes`). The minutes list who spoke, in order. One list per
sitting, its own aggregate so that a queue of requests never contends with the sitting's votes. Pure: the sitting
comes in as an argument, the time with the Ctx."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid5

from backend.deliberation.domain.meeting import Meeting
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError

FLOOR_NAMESPACE = UUID("5b0c6f1e-2d7a-4c3b-9e8f-0a1b2c3d4e5f")
QUEUE_MAX = 200  # more requests than a sitting could hear: a runaway client, not a member


def floor_id(meeting_id: UUID) -> UUID:
    return uuid5(FLOOR_NAMESPACE, str(meeting_id))


@dataclass(frozen=True)
class Turn:
    resident_id: UUID
    started_at: datetime
    seconds: int
    ended_at: datetime | None = None


def check_sitting(meeting: Meeting) -> None:
    """The floor is for a sitting in session: not an online ballot (no room to speak in), not one that is over."""
    if meeting.online_until is not None:
        raise DomainError("An online ballot has no speaker list.", status=409)
    if meeting.ballot == "closed":
        raise DomainError("This meeting is over.", status=409)


class Floor(LinliAggregate):
    class Opened(LinliAggregate.Created):
        meeting_id: UUID

    class Asked(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, floor: Floor) -> None:
            floor.queue.append(self.resident_id)

    class Withdrawn(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, floor: Floor) -> None:
            floor.queue.remove(self.resident_id)

    class Ordered(LinliAggregate.Event):
        """The chair's order of the queue: the same members, in the order they will speak."""

        queue: list[UUID]

        def apply(self, floor: Floor) -> None:
            floor.queue = list(self.queue)

    class TurnStarted(LinliAggregate.Event):
        resident_id: UUID
        seconds: int

        def apply(self, floor: Floor) -> None:
            floor.queue.remove(self.resident_id)
            floor.speaking = Turn(self.resident_id, self.timestamp, self.seconds)

    class TurnEnded(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, floor: Floor) -> None:
            assert floor.speaking is not None
            floor.spoken.append(
                Turn(floor.speaking.resident_id, floor.speaking.started_at, floor.speaking.seconds, self.timestamp)
            )
            floor.speaking = None

    def __init__(self, meeting_id: UUID) -> None:
        self.meeting_id = meeting_id
        self.queue: list[UUID] = []
        self.speaking: Turn | None = None
        self.spoken: list[Turn] = []

    @classmethod
    def open(cls, ctx: Ctx, meeting: Meeting) -> Floor:
        """The sitting's list, made with its first request or the chair's first action."""
        if meeting.community_id != ctx.community_id:
            raise DomainError("No such meeting.", status=404)
        return cls.start(cls.Opened, ctx, floor_id(meeting.id), meeting_id=meeting.id)

    def ask(self, ctx: Ctx, meeting: Meeting, resident_id: UUID) -> None:
        """A member asks for the floor, for themselves: checked in, not already waiting or speaking."""
        check_sitting(meeting)
        if resident_id not in meeting.expected:
            raise DomainError("Only members of this body ask for the floor.", status=403)
        if resident_id not in meeting.present:
            raise DomainError("Check in first: the floor is for members in the room.", status=409)
        if resident_id in self.queue:
            raise DomainError("You are on the speaker list already.", status=409)
        if self.speaking is not None and self.speaking.resident_id == resident_id:
            raise DomainError("You have the floor now.", status=409)
        if len(self.queue) >= QUEUE_MAX:
            raise DomainError("The speaker list is full.", status=409)
        self.emit(self.Asked, ctx, resident_id=resident_id)

    def withdraw(self, ctx: Ctx, resident_id: UUID) -> None:
        if resident_id not in self.queue:
            raise DomainError("You are not on the speaker list.", status=409)
        self.emit(self.Withdrawn, ctx, resident_id=resident_id)

    def move_up(self, ctx: Ctx, meeting: Meeting, resident_id: UUID) -> None:
        """The chair moves a waiting member one place up (the first stays first)."""
        check_sitting(meeting)
        if resident_id not in self.queue:
            raise DomainError("This member is not on the speaker list.", status=409)
        at = self.queue.index(resident_id)
        if at == 0:
            raise DomainError("This member speaks next already.", status=409)
        order = list(self.queue)
        order[at - 1], order[at] = order[at], order[at - 1]
        self.emit(self.Ordered, ctx, queue=order)

    def start_turn(self, ctx: Ctx, meeting: Meeting, resident_id: UUID | None, seconds: int) -> UUID:
        """The chair gives the floor to a waiting member (the next one when none is named), for `seconds`. A running
        turn ends first, so that nobody's turn is lost from the minutes."""
        check_sitting(meeting)
        if not self.queue:
            raise DomainError("Nobody is waiting for the floor.", status=409)
        chosen = self.queue[0] if resident_id is None else resident_id
        if chosen not in self.queue:
            raise DomainError("This member is not on the speaker list.", status=409)
        if seconds <= 0:
            raise DomainError("A turn needs some time.", status=409)
        if self.speaking is not None:
            self.emit(self.TurnEnded, ctx, resident_id=self.speaking.resident_id)
        self.emit(self.TurnStarted, ctx, resident_id=chosen, seconds=seconds)
        return chosen

    def end_turn(self, ctx: Ctx) -> None:
        if self.speaking is None:
            raise DomainError("Nobody has the floor.", status=409)
        self.emit(self.TurnEnded, ctx, resident_id=self.speaking.resident_id)

    def speakers(self) -> list[UUID]:
        """Who spoke, in order (a member who spoke twice, twice): what the minutes list."""
        return [turn.resident_id for turn in self.spoken]
