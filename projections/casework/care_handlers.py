"""The care projection (关爱 and 走访): each care record's row — its sealed categories as the log holds them, the
visit interval and the next visit's due day, which the grid worker's list is ordered by — and each visit's row. Few
events, each written as it comes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from piccolo.table import Table

from backend.casework.domain.care import CareRecipient, Visit
from projections.casework.care_tables import CareView, VisitView
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage


class CareProjection:
    name = "casework_care"
    tables: ClassVar[Sequence[type[Table]]] = (CareView, VisitView)
    handles: ClassVar[Sequence[type]] = (
        CareRecipient.Flagged,
        CareRecipient.Changed,
        CareRecipient.Visited,
        CareRecipient.Unflagged,
        Visit.Opened,
        Visit.Logged,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        for item in items:
            e, position = item.event, item.position
            if isinstance(e, CareRecipient.Flagged):
                await bulk_insert(CareView, [_care_row(e, position)])
            elif isinstance(e, CareRecipient.Changed):
                await bulk_execute(
                    CareView,
                    "UPDATE casework_care SET sealed_with = ?, categories_sealed = ?, interval_days = ?, "
                    "next_visit_due = ?, active = ?, position = ? WHERE id = ?",
                    [(e.sealed_with, e.categories_sealed, e.interval_days, e.next_visit_due, True, position, _id(e))],
                )
            elif isinstance(e, CareRecipient.Visited):
                await bulk_execute(
                    CareView,
                    "UPDATE casework_care SET last_visit = ?, next_visit_due = ?, position = ? WHERE id = ?",
                    [(e.visited_on, e.next_visit_due, position, _id(e))],
                )
            elif isinstance(e, CareRecipient.Unflagged):
                sql = "UPDATE casework_care SET active = ?, position = ? WHERE id = ?"
                await bulk_execute(CareView, sql, [(False, position, _id(e))])
            elif isinstance(e, Visit.Opened):
                await bulk_insert(VisitView, [_visit_row(e, position)])
            elif isinstance(e, Visit.Logged):
                await bulk_execute(
                    VisitView,
                    "UPDATE casework_visit SET visited_on = ?, found = ?, case_id = ?, logged_at = ?, position = ? "
                    "WHERE id = ?",
                    [(e.visited_on, e.found, e.case_id, e.timestamp, position, _id(e))],
                )
        return []


def _id(e: Any) -> Any:
    return e.originator_id


def _care_row(e: CareRecipient.Flagged, position: int) -> dict[str, Any]:
    return {
        "id": e.originator_id,
        "community_id": e.community_id,
        "household_id": e.household_id,
        "household": e.household,
        "building": e.building,
        "resident_id": e.resident_id,
        "sealed_with": e.sealed_with,
        "categories_sealed": e.categories_sealed,
        "interval_days": e.interval_days,
        "next_visit_due": e.next_visit_due,
        "last_visit": None,
        "active": True,
        "flagged_at": e.timestamp,
        "position": position,
    }


def _visit_row(e: Visit.Opened, position: int) -> dict[str, Any]:
    return {
        "id": e.originator_id,
        "community_id": e.community_id,
        "household_id": e.household_id,
        "household": e.household,
        "building": e.building,
        "visitor_id": e.visitor_id,
        "planned_by": e.actor_id,
        "task": e.task,
        "due_on": e.due_on,
        "shift_id": e.shift_id,
        "visited_on": None,
        "found": "",
        "case_id": None,
        "opened_at": e.timestamp,
        "logged_at": None,
        "position": position,
    }
