"""One phone number, one account. Pure: no I/O, no clock."""

from __future__ import annotations

from uuid import UUID

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics


class PhoneClaim(LinliAggregate):
    """One phone number, one account: its id is derived from a keyed digest of the phone, so a second claim
    collides; erasing the resident releases it."""

    class Claimed(LinliAggregate.Created):
        resident_id: UUID

    class Released(LinliAggregate.Event):
        def apply(self, claim: PhoneClaim) -> None:
            claim.released = True

    class Reclaimed(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, claim: PhoneClaim) -> None:
            claim.resident_id = self.resident_id
            claim.released = False

    def __init__(self, resident_id: UUID) -> None:
        self.resident_id = resident_id
        self.released = False

    def release(self, ctx: Ctx) -> None:
        if not self.released:
            self.emit(self.Released, ctx)

    def reclaim(self, ctx: Ctx, resident_id: UUID) -> None:
        if not self.released:
            raise DomainError("This phone number is already registered.", "phone", status=409)
        self.emit(self.Reclaimed, ctx, resident_id=resident_id)


# The log names these events by the module the aggregate lived in before the architecture step split it.
keep_topics("backend.residents.domain", PhoneClaim)
