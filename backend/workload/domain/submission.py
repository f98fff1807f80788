"""报送: the committee checks (核对) a period's 一表通 and submits it to the street. One aggregate per community and
period; each submission records the period, the log position and chain head the table was computed at, and the
counts as submitted, so that a later recomputation that differs shows as a revision beside them, never as a silent
change. A resubmission (the record corrected since) is the next submission of the same aggregate; the first stays.
Pure: no I/O, no clock."""

from __future__ import annotations

from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.workload.domain.one_table import period

SUBMISSION_NAMESPACE = UUID("5b7d9f1a-3c5e-4a7b-9d1f-2e4a6c8e0b3d")
HEAD = 64  # a chain head: sha-256 in hex


def submission_id(community_id: UUID, period_name: str) -> UUID:
    return uuid5(SUBMISSION_NAMESPACE, f"{community_id}|{period_name}")


class OneTableSubmission(LinliAggregate):
    class Started(LinliAggregate.Created):
        period: str

    class Submitted(LinliAggregate.Event):
        number: int  # 1 for the first submission, then 2, …
        period: str
        position: int  # the log position the table was computed at
        chain_head: str
        counts: dict[str, int]
        checked: bool  # 核对: the clerk confirmed they checked the figures

        def apply(self, submission: OneTableSubmission) -> None:
            submission.number = self.number
            submission.position = self.position
            submission.counts = dict(self.counts)

    def __init__(self, period: str) -> None:
        self.period = period
        self.number = 0
        self.position = 0
        self.counts: dict[str, int] = {}

    @classmethod
    def open(cls, ctx: Ctx, period_name: str) -> OneTableSubmission:
        try:
            named = period(period_name).name
        except ValueError:
            raise DomainError("Give the period as 2026-11, 2026-Q4 or 2026.", "period") from None
        return cls.start(cls.Started, ctx, submission_id(ctx.community_id, named), period=named)

    def submit(self, ctx: Ctx, position: int, chain_head: str, counts: dict[str, int], checked: bool) -> None:
        """Only a checked table, of a period already begun, computed at a real position; a resubmission only from
        a later position and with changed figures (otherwise it says nothing new)."""
        if not checked:
            raise DomainError("Check the figures (核对) before submitting them.", "checked")
        if ctx.today < period(self.period).start:
            raise DomainError("This period has not begun.", "period", status=409)
        if position < 1 or len(chain_head) != HEAD or any(c not in "0123456789abcdef" for c in chain_head):
            raise DomainError("The table names no position of the log; compute it again.", status=409)
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in counts.values()):
            raise DomainError("Counts are whole numbers, never negative.", status=400)
        if self.number and position < self.position:
            raise DomainError("A newer table was submitted already.", status=409)
        if self.number and counts == self.counts:
            raise DomainError("Nothing changed since the last submission.", status=409)
        self.emit(
            self.Submitted,
            ctx,
            number=self.number + 1,
            period=self.period,
            position=position,
            chain_head=chain_head,
            counts=dict(counts),
            checked=True,
        )
