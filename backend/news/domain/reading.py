"""A resident's reading (已读) of an important news item, or of a notice on the board (公示).

Why an aggregate per (subject, resident) and not one per news item or per resident: a reading touches nothing
shared, so five thousand residents reading the same notice at once contend on nothing (one aggregate per item would
serialise them on one lock and grow by a reader each time, loaded whole at every read); it is one small event, and
its id is derived from the subject and the resident, so the store's unique key on (id, version) makes "recorded once"
hold across processes, as a vote does (DESIGN 4.1). One aggregate per resident would grow with every notice read
for years. Pure: no I/O, no clock."""

from __future__ import annotations

from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError

READING_NAMESPACE = UUID("3c5e7a9b-1d2f-4a6c-8e0b-2d4f6a8c0e1f")
SUBJECTS = ("news", "notice")  # a news item; a notice of the board (backend.disclosure)


def reading_id(subject_id: UUID, resident_id: UUID) -> UUID:
    return uuid5(READING_NAMESPACE, f"{subject_id}|{resident_id}")


class Reading(LinliAggregate):
    class Recorded(LinliAggregate.Created):
        subject: str
        subject_id: UUID
        resident_id: UUID

    def __init__(self, subject: str, subject_id: UUID, resident_id: UUID) -> None:
        self.subject = subject
        self.subject_id = subject_id
        self.resident_id = resident_id

    @classmethod
    def record(cls, ctx: Ctx, subject: str, subject_id: UUID, resident_id: UUID, already: bool) -> Reading:
        """`already`: a reading of this subject by this resident is in the log (a second one is refused; two at
        the same instant collide on the store's key and the loser finds the first)."""
        if subject not in SUBJECTS:
            raise DomainError("Unknown kind of reading.")
        if already:
            raise DomainError("You have marked this read already.", status=409)
        return cls.start(
            cls.Recorded,
            ctx,
            reading_id(subject_id, resident_id),
            subject=subject,
            subject_id=subject_id,
            resident_id=resident_id,
        )
