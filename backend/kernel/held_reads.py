"""The writer thread's held reads (backend.kernel.group_commit): while they are held, each aggregate's events are read
from the log once a batch — from SQLite's held snapshot (backend.kernel.sqlite_store) or PostgreSQL's reads kept for
the batch (backend.kernel.postgres_store) — and a read asked for again is answered from what was read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

HeldReads = dict[str, tuple[int, list[StoredEvent]]]  # aggregate id -> (the version above which, its events)


class HeldReadsSelect:
    """`select_events` of an eventsourcing recorder, answered from the held reads when there are (a mixin before
    the recorder's class; `held_reads` says where this thread's are)."""

    def held_reads(self) -> HeldReads | None:
        raise NotImplementedError

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        recorder: Any = super()
        reads = self.held_reads()
        if reads is None or lte is not None or desc or limit is not None:
            return list(recorder.select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit))
        key = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        above = gt or 0
        known = reads.get(key)
        if known is not None and known[0] <= above:
            return [event for event in known[1] if event.originator_version > above]
        events = list(recorder.select_events(originator_id, gt=gt))
        reads[key] = (above, events)
        return events
