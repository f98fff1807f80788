"""A reminder the inbox sends by itself, once: an online ballot closes within 24 hours and these residents may still
vote in it. One aggregate per ballot and reminder, so a second round (in this process or another) finds it made and
the residents are reminded once. Pure: no I/O, no clock."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError

REMINDER_NAMESPACE = UUID("7b1d3f5a-9c2e-4a6b-8d0f-1e3a5c7e9b2d")


def reminder_id_for(subject_id: UUID, what: str) -> UUID:
    return uuid5(REMINDER_NAMESPACE, f"{what}|{subject_id}")


class Reminder(LinliAggregate):
    class Sent(LinliAggregate.Created):
        """`what` is reminded of `subject_id` (ballot_closing: the meeting, closing at `due`); `to` are the residents
        who may still act (who had not voted when the round looked)."""

        what: str
        subject_id: UUID
        due: datetime
        to: list[UUID]

    def __init__(self, what: str, subject_id: UUID, due: datetime, to: list[UUID]) -> None:
        self.what = what
        self.subject_id = subject_id
        self.due = due
        self.to = list(to)

    @classmethod
    def ballot_closing(cls, ctx: Ctx, meeting_id: UUID, closes_at: datetime, to: list[UUID]) -> Reminder:
        """Sent by the system (no actor) within the day before the ballot closes, once."""
        if not ctx.now < closes_at:
            raise DomainError("This ballot has closed.", status=409)
        return cls.start(
            cls.Sent,
            ctx,
            reminder_id_for(meeting_id, "ballot_closing"),
            what="ballot_closing",
            subject_id=meeting_id,
            due=closes_at,
            to=sorted(set(to), key=str),
        )
