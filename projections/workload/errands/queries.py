"""What the errands' pages read: the community's errands still running (the clerk's desk) and the latest closed;
a resident's errands with their steps (the timeline); one errand; and the counts the 一表通 takes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.query.functions.aggregate import Count

from backend.workload.domain.errands import CONFIRMED
from projections.workload.errands.tables import ErrandStep, ErrandView

LIMIT = 200
COUNTED = {"opened": "opened", "handed_over": "handed_over", "handed_back": "done", "confirmed": "confirmed"}


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def shaped(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its documents as lists: required, received, and those still missing."""
    documents, received = _lines(row["documents"]), _lines(row["received"])
    return {**row, "documents": documents, "received": received, "missing": [d for d in documents if d not in received]}


async def errand(errand_id: object) -> dict[str, Any] | None:
    row = await ErrandView.select().where(ErrandView.id == errand_id).first()
    return shaped(row) if row else None


async def running(community_id: object) -> list[dict[str, Any]]:
    """The errands not yet confirmed, oldest first."""
    rows = await (
        ErrandView.select()
        .where((ErrandView.community_id == community_id) & (ErrandView.status != CONFIRMED))
        .order_by(ErrandView.opened_at)
        .limit(LIMIT)
    )
    return [shaped(r) for r in rows]


async def closed(community_id: object, limit: int = 30) -> list[dict[str, Any]]:
    rows = await (
        ErrandView.select()
        .where((ErrandView.community_id == community_id) & (ErrandView.status == CONFIRMED))
        .order_by(ErrandView.updated_at, ascending=False)
        .limit(limit)
    )
    return [shaped(r) for r in rows]


async def of_resident(resident_id: object) -> list[dict[str, Any]]:
    """The resident's errands, newest first, each with its steps in the order they happened."""
    rows = await (
        ErrandView.select()
        .where(ErrandView.resident_id == resident_id)
        .order_by(ErrandView.opened_at, ascending=False)
        .limit(LIMIT)
    )
    ids = [r["id"] for r in rows]
    steps = (
        await ErrandStep.select().where(ErrandStep.errand_id.is_in(ids)).order_by(ErrandStep.position) if ids else []
    )
    out = []
    for row in rows:
        mine = [s for s in steps if str(s["errand_id"]) == str(row["id"])]
        out.append({**shaped(row), "steps": mine})
    return out


async def errand_counts(community_ids: Iterable[object], start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """For the 一表通, per community (id as text) over [start, end): errands opened, handovers to an office, errands
    handed back to the resident (done), and receipts confirmed. One statement; a community with nothing has zeros."""
    ids = [UUID(str(i)) for i in community_ids]
    out = {str(i): dict.fromkeys(COUNTED.values(), 0) for i in ids}
    if not ids:
        return out
    rows = await (
        ErrandStep.select(ErrandStep.community_id, ErrandStep.kind, Count(ErrandStep.id, alias="n"))
        .where(
            ErrandStep.community_id.is_in(ids)
            & ErrandStep.kind.is_in(list(COUNTED))
            & (ErrandStep.at >= start)
            & (ErrandStep.at < end)
        )
        .group_by(ErrandStep.community_id, ErrandStep.kind)
    )
    for row in rows:
        out[str(row["community_id"])][COUNTED[row["kind"]]] += int(row["n"])
    return out
