"""One-time sign-in codes for residents who cannot manage a password. Pure: no I/O, no clock (the command passes
the time)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics
from backend.residents.domain.resident import Resident


class SignInCode(LinliAggregate):
    """A one-time sign-in code printed on a slip for a resident who cannot manage a password. The log keeps only
    a keyed digest of the code (it is the aggregate's id); the code works once, before it expires."""

    class Issued(LinliAggregate.Created):
        resident_id: UUID
        expires_at: datetime

    class Used(LinliAggregate.Event):
        def apply(self, code: SignInCode) -> None:
            code.used = True

    def __init__(self, resident_id: UUID, expires_at: datetime) -> None:
        self.resident_id = resident_id
        self.expires_at = expires_at
        self.used = False

    @classmethod
    def issue(cls, ctx: Ctx, code_id: UUID, resident: Resident, expires_at: datetime) -> SignInCode:
        if resident.community_id != ctx.community_id or resident.erased:
            raise DomainError("No such resident.", status=404)
        if resident.status != "verified":
            raise DomainError("Sign-in codes are only for verified residents.", status=409)
        return cls.start(cls.Issued, ctx, code_id, resident_id=resident.id, expires_at=expires_at)

    def use(self, ctx: Ctx) -> None:
        if self.used:
            raise DomainError("This sign-in code has already been used. Ask the committee for a new one.", status=410)
        if ctx.now >= self.expires_at:
            raise DomainError("This sign-in code has expired. Ask the committee for a new one.", status=410)
        self.emit(self.Used, ctx)


# The log names these events by the module the aggregate lived in before the architecture step split it.
keep_topics("backend.residents.domain", SignInCode)
