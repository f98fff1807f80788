"""The casework projection's grids, departments, matter lists and the streets' working calendars: few events, each
written as it comes (the cases' events, the many, are batched in projections/casework/cases.py). Returns the ids
whose queues a change concerns."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from backend.casework.domain.calendar import WorkCalendar
from backend.casework.domain.department import Department
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.matters import CommunityMatters, MatterList
from projections.casework.tables import (
    AreaView,
    CalendarDayView,
    DepartmentView,
    GridView,
    HolderView,
    MatterLineView,
)
from projections.db import bulk_execute, bulk_insert
from projections.types import Item

AREA_NAMESPACE = uuid5(NAMESPACE_URL, "linli:casework:area")
EVENT_NAMESPACE = uuid5(NAMESPACE_URL, "linli:casework:event")
CALENDAR_DAY_NAMESPACE = uuid5(NAMESPACE_URL, "linli:casework:calendar-day")


def area_id(community_id: object, kind: str, name: str) -> UUID:
    return uuid5(AREA_NAMESPACE, f"{community_id}|{kind}|{name}")


def calendar_day_id(calendar_id: object, day: object) -> UUID:
    return uuid5(CALENDAR_DAY_NAMESPACE, f"{calendar_id}|{day}")


def event_id(item: Item) -> UUID:
    return uuid5(EVENT_NAMESPACE, f"{item.event.originator_id}|{item.event.originator_version}")


async def _area(community_id: UUID, kind: str, name: str, grid_id: UUID | None) -> None:
    """A building joins a grid (a building removed and added again keeps its 楼长), or a place is set."""
    await bulk_execute(
        AreaView,
        "INSERT INTO casework_area (id, community_id, kind, name, grid_id, head_id) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET grid_id = excluded.grid_id",
        [(area_id(community_id, kind, name), community_id, kind, name, grid_id, None)],
    )


async def _end_holding(e: Any, kind: str, resident_id: UUID | None, reason: str, where: tuple[str, object]) -> None:
    if resident_id is None:
        return
    column, value = where
    await bulk_execute(
        HolderView,
        f"UPDATE casework_holder SET until = ?, reason = ? WHERE community_id = ? AND kind = ? AND {column} = ? "
        "AND resident_id = ? AND until IS NULL",
        [(e.timestamp, reason, e.community_id, kind, value, resident_id)],
    )


async def _hold(item: Item, kind: str, resident_id: UUID, grid_id: UUID | None, building: str) -> None:
    e = item.event
    row = {
        "id": event_id(item),
        "community_id": e.community_id,
        "kind": kind,
        "grid_id": grid_id,
        "building": building,
        "resident_id": resident_id,
        "since": e.timestamp,
        "until": None,
        "assigned_by": e.actor_id,
        "reason": "",
    }
    await bulk_insert(HolderView, [row])


async def grid_event(item: Item, workers: dict[UUID, UUID | None]) -> set[UUID]:
    """A change of the grid plan; `workers` (each grid's worker, as the batch knows them) follows it."""
    e, cid = item.event, item.event.community_id
    if isinstance(e, GridPlan.GridDrawn):
        row = {"id": e.grid_id, "community_id": cid, "name": e.name, "worker_id": None, "drawn_at": e.timestamp}
        await bulk_insert(GridView, [row])
        workers[e.grid_id] = None
    elif isinstance(e, GridPlan.GridRenamed):
        await bulk_execute(GridView, "UPDATE casework_grid SET name = ? WHERE id = ?", [(e.name, e.grid_id)])
    elif isinstance(e, GridPlan.BuildingAdded):
        await _area(cid, "building", e.building, e.grid_id)
    elif isinstance(e, GridPlan.BuildingMoved):
        await _area(cid, "building", e.building, e.to_grid_id)
    elif isinstance(e, GridPlan.BuildingRemoved):
        await _area(cid, "building", e.building, None)
    elif isinstance(e, GridPlan.PlaceSet):
        await _area(cid, "place", e.name, e.grid_id)
    elif isinstance(e, GridPlan.WorkerAssigned):
        await bulk_execute(GridView, "UPDATE casework_grid SET worker_id = ? WHERE id = ?", [(e.worker_id, e.grid_id)])
        await _end_holding(e, "worker", e.previous_id, "replaced", ("grid_id", e.grid_id))
        await _hold(item, "worker", e.worker_id, e.grid_id, "")
        workers[e.grid_id] = e.worker_id
        return {e.grid_id, e.worker_id, *([e.previous_id] if e.previous_id else [])}
    elif isinstance(e, GridPlan.WorkerUnassigned):
        await bulk_execute(GridView, "UPDATE casework_grid SET worker_id = ? WHERE id = ?", [(None, e.grid_id)])
        await _end_holding(e, "worker", e.worker_id, e.reason, ("grid_id", e.grid_id))
        workers[e.grid_id] = None
        return {e.grid_id, e.worker_id}
    elif isinstance(e, GridPlan.HeadAssigned):
        await bulk_execute(
            AreaView, "UPDATE casework_area SET head_id = ? WHERE id = ?", [(e.resident_id, _building(cid, e))]
        )
        await _end_holding(e, "head", e.previous_id, "replaced", ("building", e.building))
        await _hold(item, "head", e.resident_id, None, e.building)
    elif isinstance(e, GridPlan.HeadUnassigned):
        await bulk_execute(AreaView, "UPDATE casework_area SET head_id = ? WHERE id = ?", [(None, _building(cid, e))])
        await _end_holding(e, "head", e.resident_id, e.reason, ("building", e.building))
    return set()


def _building(community_id: UUID, e: Any) -> UUID:
    return area_id(community_id, "building", e.building)


async def department_event(item: Item, staffs: dict[UUID, list[str]]) -> None:
    """A department's event; `staffs` (the case batch's staff per department) kept current."""
    e, did = item.event, item.event.originator_id
    if isinstance(e, Department.Registered):
        row = {
            "id": did,
            "street": e.street,
            "name": e.name,
            "kind": e.kind,
            "categories": list(e.categories),
            "staff": [],
            "registered_at": e.timestamp,
        }
        await bulk_insert(DepartmentView, [row])
        return
    if isinstance(e, Department.CategoriesSet):
        await bulk_execute(
            DepartmentView, "UPDATE casework_department SET categories = ? WHERE id = ?", [(list(e.categories), did)]
        )
        return
    found = await DepartmentView.select(DepartmentView.staff).where(DepartmentView.id == did).output(load_json=True)
    staff = [s for s in (found[0]["staff"] if found else []) if s != str(e.resident_id)]
    if isinstance(e, Department.StaffAppointed):
        staff.append(str(e.resident_id))
    staffs[did] = list(staff)
    await bulk_execute(DepartmentView, "UPDATE casework_department SET staff = ? WHERE id = ?", [(staff, did)])


async def matter_event(item: Item) -> None:
    """A line of a street's list or of a community's narrowing, kept by its aggregate's id (the queries find a
    street's list and a community's narrowing by the ids the domain makes from their names); a community's narrowing
    for one grid is kept by the grid's id (level "grid")."""
    e = item.event
    if isinstance(e, MatterList.Opened | CommunityMatters.Opened):
        return
    line: dict[str, Any] | None = None
    if isinstance(e, MatterList.ItemSet):
        department = str(e.department_id) if e.department_id else None
        line = {"label": e.label, "handling": e.handling, "answer_days": e.answer_days, "department_id": department}
    elif isinstance(e, CommunityMatters.Narrowed):
        line = {"dropped": e.dropped, "answer_days": e.answer_days, "handling": e.handling}
    grid_id = None if isinstance(e, MatterList.Event) else e.grid_id
    row = {
        "id": event_id(item),
        "level": "street" if isinstance(e, MatterList.Event) else "grid" if grid_id else "community",
        "owner": str(grid_id or e.originator_id),
        "code": e.code,
        "effective_from": e.effective_from,
        "position": item.position,
        "line": line,
    }
    await bulk_insert(MatterLineView, [row])


async def calendar_event(item: Item) -> None:
    """A day a street's calendar sets (a holiday, or a weekend day worked) or clears (it reads as the national
    calendar says again: the row goes). A day set again takes the latest setting."""
    e = item.event
    if isinstance(e, WorkCalendar.DaySet):
        row = (calendar_day_id(e.originator_id, e.day), e.originator_id, e.day, e.working, e.note, e.timestamp)
        await bulk_execute(
            CalendarDayView,
            "INSERT INTO casework_calendar_day (id, calendar_id, day, working, note, set_at, set_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET working = excluded.working, "
            "note = excluded.note, set_at = excluded.set_at, set_by = excluded.set_by",
            [(*row, e.actor_id)],
        )
    elif isinstance(e, WorkCalendar.DayCleared):
        await bulk_execute(
            CalendarDayView,
            "DELETE FROM casework_calendar_day WHERE id = ?",
            [(calendar_day_id(e.originator_id, e.day),)],
        )
