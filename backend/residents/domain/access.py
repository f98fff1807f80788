"""Who looked at a resident's personal data (个人信息保护法: the access record a resident may read): each time a clerk
sees the clear name, phone and ID number, each export of personal data and the erasure itself, with who, when and
why (from a fixed list). One record per resident. Pure: no I/O, no clock."""

from __future__ import annotations

from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError

ACCESS_NAMESPACE = UUID("0b7e5d3c-2a19-4f68-8d4e-6c5b4a3f2e1d")

# Why personal data was looked at: the short list a clerk chooses from (核验登记 / 居民本人申请 / 办理业务 / 其他).
REASONS = ("verification", "own_request", "business", "other")
# What was done with it: shown in clear on the clerk's page, exported (a download holding it), erased (注销).
KINDS = ("viewed", "exported", "erased")


def access_record_id(resident_id: UUID) -> UUID:
    """One record per resident, found without a lookup."""
    return uuid5(ACCESS_NAMESPACE, str(resident_id))


class AccessRecord(LinliAggregate):
    """The accesses to one resident's personal data, in order. Each event names its actor (the clerk, or the
    resident for their own export and erasure) like every event of the log."""

    class Opened(LinliAggregate.Created):
        resident_id: UUID

    class Accessed(LinliAggregate.Event):
        resident_id: UUID
        kind: str
        reason: str

        def apply(self, record: AccessRecord) -> None:
            record.count += 1

    def __init__(self, resident_id: UUID) -> None:
        self.resident_id = resident_id
        self.count = 0

    @classmethod
    def open(cls, ctx: Ctx, resident_id: UUID) -> AccessRecord:
        return cls.start(cls.Opened, ctx, access_record_id(resident_id), resident_id=resident_id)

    def record(self, ctx: Ctx, kind: str, reason: str) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("No such resident.", status=404)
        if kind not in KINDS:
            raise DomainError("Unknown kind of access.")
        if reason not in REASONS:
            raise DomainError("Choose why you need to see this resident's details.", "reason")
        if ctx.actor_id is None and kind == "viewed":
            raise DomainError("Only a signed-in clerk sees a resident's details.", status=403)
        self.emit(self.Accessed, ctx, resident_id=self.resident_id, kind=kind, reason=reason)
