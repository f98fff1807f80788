"""What the pages of 关爱 and 走访 read: the care recipients of a grid worker's buildings (or of the whole community,
for the clerks), the soonest due first so that overdue visits head the list; their categories opened at render time
for those who may see them; the grid worker's diary (民情日志); the visits planned for others and a volunteer's own.

None of these is for a public page. A volunteer's visits (`assigned`) carry the household and the task only: the
care record is not read for them at all."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import anyio

from backend.kernel.personal import PersonalData, unseal
from projections.casework.care_tables import CareView, VisitView
from projections.casework.tables import AreaView, GridView

VOLUNTEER_COLUMNS = (
    VisitView.id,
    VisitView.household,
    VisitView.building,
    VisitView.task,
    VisitView.due_on,
    VisitView.shift_id,
    VisitView.visited_on,
    VisitView.found,
)


async def buildings_of(worker_id: object) -> list[str]:
    """The buildings of the grids a 网格员 holds now."""
    grids = [r["id"] for r in await GridView.select(GridView.id).where(GridView.worker_id == worker_id)]
    if not grids:
        return []
    rows = await AreaView.select(AreaView.name).where((AreaView.kind == "building") & AreaView.grid_id.is_in(grids))
    return sorted(r["name"] for r in rows)


async def care_list(community_id: object, buildings: Sequence[str] | None, limit: int = 500) -> list[dict[str, Any]]:
    """The households flagged for care in `buildings` (None: the whole community), the soonest due visit first:
    the overdue head the list. Categories still sealed (`opened` opens them)."""
    if buildings is not None and not buildings:
        return []
    query = CareView.select().where((CareView.community_id == community_id) & (CareView.active == True))  # noqa: E712
    if buildings is not None:
        query = query.where(CareView.building.is_in(list(buildings)))
    return await query.order_by(CareView.next_visit_due).order_by(CareView.household).limit(limit)


async def care_of(household_id: object) -> dict[str, Any] | None:
    return await CareView.select().where(CareView.household_id == household_id).first()


async def opened(personal: PersonalData, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with "categories" (a list of codes) opened from their sealed column, for the pages of the grid's
    worker and the clerks only; "erased" when the key is gone (the person erased: the categories with them)."""
    wanted = [UUID(str(r["sealed_with"])) for r in rows]
    keys = await anyio.to_thread.run_sync(personal.keys, wanted) if wanted else {}
    for row in rows:
        plain = unseal(keys.get(UUID(str(row["sealed_with"]))), row["categories_sealed"])
        row["categories"] = json.loads(plain) if plain else []
        row["erased"] = plain is None
    return rows


def days_overdue(row: dict[str, Any], today: date) -> int:
    """How many days the next visit is late (0: not yet due)."""
    return max(0, (today - row["next_visit_due"]).days)


async def diary(visitor_id: object, limit: int = 30) -> list[dict[str, Any]]:
    """The visits this person recorded (their 民情日志), the latest first."""
    return await (
        VisitView.select()
        .where((VisitView.visitor_id == visitor_id) & VisitView.visited_on.is_not_null())
        .order_by(VisitView.visited_on, ascending=False)
        .order_by(VisitView.position, ascending=False)
        .limit(limit)
    )


async def planned(community_id: object, buildings: Sequence[str] | None, limit: int = 100) -> list[dict[str, Any]]:
    """Visits planned for others (volunteers, colleagues) in `buildings` (None: all) not recorded yet, soonest
    first."""
    if buildings is not None and not buildings:
        return []
    query = VisitView.select().where(
        (VisitView.community_id == community_id) & VisitView.due_on.is_not_null() & VisitView.visited_on.is_null()
    )
    if buildings is not None:
        query = query.where(VisitView.building.is_in(list(buildings)))
    return await query.order_by(VisitView.due_on).limit(limit)


async def assigned(visitor_id: object, limit: int = 50) -> list[dict[str, Any]]:
    """A volunteer's visits: the household and the task (never the care record), open ones first, soonest due."""
    rows = await (
        VisitView.select(*VOLUNTEER_COLUMNS)
        .where((VisitView.visitor_id == visitor_id) & VisitView.due_on.is_not_null())
        .order_by(VisitView.due_on)
        .limit(limit)
    )
    return sorted(rows, key=lambda r: r["visited_on"] is not None)


async def visit(visit_id: object) -> dict[str, Any] | None:
    return await VisitView.select().where(VisitView.id == visit_id).first()
