"""The projection of 一表通's submissions: a row per 报送."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from piccolo.table import Table

from backend.workload.domain.submission import OneTableSubmission
from projections.db import bulk_insert
from projections.types import Item, LiveMessage
from projections.workload.one_table.tables import SubmissionView


class OneTableProjection:
    name = "workload_one_table"
    tables: ClassVar[Sequence[type[Table]]] = (SubmissionView,)
    handles: ClassVar[Sequence[type]] = (OneTableSubmission.Submitted,)

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        rows = [
            {
                "submission_id": e.originator_id,
                "community_id": e.community_id,
                "period": e.period,
                "number": e.number,
                "log_position": e.position,
                "chain_head": e.chain_head,
                "counts": dict(e.counts),
                "submitted_by": e.actor_id,
                "submitted_at": e.timestamp,
                "position": item.position,
            }
            for item in items
            if isinstance(e := item.event, OneTableSubmission.Submitted)
        ]
        await bulk_insert(SubmissionView, rows)
        return []
