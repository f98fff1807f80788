"""The admission list's projection: each edit of a street's list, the tasks as they stand, the refused attempts
(未准入) and the applications (申请准入) with the street's decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from piccolo.table import Table

from backend.workload.domain.admission import AdmissionList
from backend.workload.domain.tasks import (
    ACCEPTED,
    APPROVED,
    ASSIGNED,
    DONE,
    PENDING,
    REJECTED,
    Application,
    RefusedAttempt,
    Task,
)
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage
from projections.workload.admission.tables import AdmissionEditView, ApplicationView, RefusedView, TaskView

ITEM_FIELDS = ("kind", "title", "basis", "department_id", "funding")
REMOVED = {"kind": "", "title": "", "basis": "", "department_id": None, "funding": ""}  # a removal names only the code


class AdmissionProjection:
    name = "workload_admission"
    tables: ClassVar[Sequence[type[Table]]] = (AdmissionEditView, TaskView, RefusedView, ApplicationView)
    handles: ClassVar[Sequence[type]] = (
        AdmissionList.ItemSet,
        AdmissionList.ItemRemoved,
        Task.Assigned,
        Task.Accepted,
        Task.Completed,
        RefusedAttempt.Recorded,
        Application.Applied,
        Application.Approved,
        Application.Rejected,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        for item in items:
            await self._one(item)
        return []

    async def _one(self, item: Item) -> None:
        e: Any = item.event
        if isinstance(e, AdmissionList.ItemSet | AdmissionList.ItemRemoved):
            removed = isinstance(e, AdmissionList.ItemRemoved)
            row = {
                "street": e.street,
                "code": e.code,
                "removed": removed,
                "added": not removed and e.added,
                **({f: getattr(e, f) for f in ITEM_FIELDS} if not removed else REMOVED),
                "edit_basis": e.edit_basis,
                "effective_from": e.effective_from,
                "at": e.timestamp,
                "actor_id": e.actor_id,
                "position": item.position,
            }
            await bulk_insert(AdmissionEditView, [row])
        elif isinstance(e, Task.Assigned):
            await bulk_insert(
                TaskView,
                [
                    {
                        "id": e.originator_id,
                        "community_id": e.community_id,
                        "street": e.street,
                        "department_id": e.department_id,
                        **{f: getattr(e, f) for f in ("code", "kind", "title", "basis", "funding", "deadline")},
                        "details": e.details,
                        "state": ASSIGNED,
                        "assigned_at": e.timestamp,
                        "assigned_by": e.actor_id,
                        "accepted_at": None,
                        "done_at": None,
                        "note": "",
                    }
                ],
            )
        elif isinstance(e, Task.Accepted):
            await bulk_execute(
                TaskView,
                "UPDATE workload_task SET state = ?, accepted_at = ? WHERE id = ?",
                [(ACCEPTED, e.timestamp, e.originator_id)],
            )
        elif isinstance(e, Task.Completed):
            await bulk_execute(
                TaskView,
                "UPDATE workload_task SET state = ?, done_at = ?, note = ? WHERE id = ?",
                [(DONE, e.timestamp, e.note, e.originator_id)],
            )
        elif isinstance(e, RefusedAttempt.Recorded):
            await bulk_insert(
                RefusedView,
                [
                    {
                        "id": e.originator_id,
                        "community_id": e.community_id,
                        "street": e.street,
                        "department_id": e.department_id,
                        "code": e.code,
                        "title": e.title,
                        "reason": e.reason,
                        "deadline": e.deadline,
                        "at": e.timestamp,
                        "actor_id": e.actor_id,
                    }
                ],
            )
        else:
            await self._application(e)

    async def _application(self, e: Any) -> None:
        if isinstance(e, Application.Applied):
            await bulk_insert(
                ApplicationView,
                [
                    {
                        "id": e.originator_id,
                        "street": e.street,
                        "department_id": e.department_id,
                        **{f: getattr(e, f) for f in ("kind", "title", "basis", "funding", "effective_from")},
                        "attempt_id": e.attempt_id,
                        "state": PENDING,
                        "code": "",
                        "reason": "",
                        "applied_at": e.timestamp,
                        "decided_at": None,
                    }
                ],
            )
        elif isinstance(e, Application.Approved):
            await bulk_execute(
                ApplicationView,
                "UPDATE workload_application SET state = ?, code = ?, effective_from = ?, decided_at = ? WHERE id = ?",
                [(APPROVED, e.code, e.effective_from, e.timestamp, e.originator_id)],
            )
        elif isinstance(e, Application.Rejected):
            await bulk_execute(
                ApplicationView,
                "UPDATE workload_application SET state = ?, reason = ?, decided_at = ? WHERE id = ?",
                [(REJECTED, e.reason, e.timestamp, e.originator_id)],
            )
