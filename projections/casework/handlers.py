"""The casework projection (`linli projections rebuild casework`): grids and who holds them, departments and the
matter lists from their few events, written as they come; the cases' many events batched in memory and written in a
few statements per batch, with the rates' counters moved by what the batch changed (projections/casework/cases.py,
rates.py). After the commit: each touched case's channel, the queues it shows in, and the communities whose
figures moved, for the pages' live updates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar
from uuid import UUID

from piccolo.table import Table

from backend.casework.domain.calendar import WorkCalendar
from backend.casework.domain.case import Case
from backend.casework.domain.department import Department
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.matters import CommunityMatters, MatterList
from projections.casework import indexes
from projections.casework.cases import CaseBatch
from projections.casework.plan import calendar_event, department_event, grid_event, matter_event
from projections.casework.queries import queue_channel
from projections.casework.tables import (
    AreaView,
    CalendarDayView,
    CaseView,
    DepartmentView,
    GridView,
    HolderView,
    MatterLineView,
    RaiserView,
    RateView,
    StepView,
    WhistleView,
)
from projections.types import Item, LiveMessage

CASE_EVENTS = (
    Case.Raised,
    Case.Accepted,
    Case.UrgencyDowngraded,
    Case.NoteAdded,
    Case.HandedOver,
    Case.Requeued,
    Case.Joined,
    Case.Absorbed,
    Case.Merged,
    Case.Whistled,
    Case.Rerouted,
    Case.ReportedIn,
    Case.WhistleReturned,
    Case.DepartmentAnswered,
    Case.ExtensionRequested,
    Case.ExtensionApproved,
    Case.ExtensionDeclined,
    Case.Answered,
    Case.Rated,
    Case.Reopened,
    Case.Closed,
    Case.Reminded,
)
PLAN_EVENTS = (
    GridPlan.GridDrawn,
    GridPlan.GridRenamed,
    GridPlan.BuildingAdded,
    GridPlan.BuildingMoved,
    GridPlan.BuildingRemoved,
    GridPlan.PlaceSet,
    GridPlan.WorkerAssigned,
    GridPlan.WorkerUnassigned,
    GridPlan.HeadAssigned,
    GridPlan.HeadUnassigned,
)
DEPARTMENT_EVENTS = (
    Department.Registered,
    Department.CategoriesSet,
    Department.StaffAppointed,
    Department.StaffRemoved,
)
MATTER_EVENTS = (
    MatterList.ItemSet,
    MatterList.ItemDropped,
    CommunityMatters.Narrowed,
    CommunityMatters.NarrowingLifted,
)
CALENDAR_EVENTS = (
    WorkCalendar.DaySet,
    WorkCalendar.DayCleared,
)


class CaseworkProjection:
    name = "casework"
    tables: ClassVar[Sequence[type[Table]]] = (
        GridView,
        AreaView,
        HolderView,
        DepartmentView,
        MatterLineView,
        CalendarDayView,
        CaseView,
        RaiserView,
        StepView,
        WhistleView,
        RateView,
    )
    handles: ClassVar[Sequence[type]] = (
        *PLAN_EVENTS,
        *DEPARTMENT_EVENTS,
        *MATTER_EVENTS,
        *CALENDAR_EVENTS,
        *CASE_EVENTS,
    )

    async def emptied(self) -> None:
        await indexes.drop()

    async def caught_up(self) -> None:
        """The runner calls this at the head whenever it was behind (started, reset, caught up a full batch or
        after another process moved the positions): made IF NOT EXISTS, a few catalog reads when they are there."""
        await indexes.make()

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        batch = CaseBatch({})
        touched, raised, grids, departments = _wanted(items)
        await batch.load(touched - raised)
        batch.workers.update(await self._workers(grids, batch))
        batch.staff.update(await self._staff(departments, batch))
        told: set[UUID] = set()
        for item in items:
            kind = _KINDS[type(item.event)]
            if kind is _CASE:
                batch.apply(item)
            elif kind is _GRID:
                told |= await grid_event(item, batch.workers)
            elif kind is _DEPARTMENT:
                await department_event(item, batch.staff)
            elif kind is _CALENDAR:
                await calendar_event(item)
            else:
                await matter_event(item)
        messages = await batch.write()
        return [*messages, *((queue_channel(key), {"queue": queue_channel(key)}) for key in sorted(told, key=str))]

    async def _workers(self, grids: set[UUID], batch: CaseBatch) -> dict[UUID, UUID | None]:
        """The workers of the grids of the batch's cases, as the views hold them before the batch (the batch's own
        grid events then keep them current, in order)."""
        wanted = grids | {row["grid_id"] for row in batch.rows.values() if row["grid_id"]}
        if not wanted:
            return {}
        rows = await GridView.select(GridView.id, GridView.worker_id).where(GridView.id.is_in(list(wanted)))
        return {_uuid(r["id"]): _uuid(r["worker_id"]) if r["worker_id"] else None for r in rows}

    async def _staff(self, departments: set[UUID], batch: CaseBatch) -> dict[UUID, list[str]]:
        """The staff of the departments the batch's cases are with, as the views hold them before the batch."""
        wanted = departments | {row["department_id"] for row in batch.rows.values()}
        wanted.discard(None)
        if not wanted:
            return {}
        rows = (
            await DepartmentView.select(DepartmentView.id, DepartmentView.staff)
            .where(DepartmentView.id.is_in(list(wanted)))
            .output(load_json=True)
        )
        return {_uuid(r["id"]): list(r["staff"]) for r in rows}


# What apply does with each class of event it handles, looked up once per event instead of a chain of isinstance
_CASE, _GRID, _DEPARTMENT, _CALENDAR, _MATTER = "case", "grid", "department", "calendar", "matter"
_KINDS: dict[type, str] = {
    **dict.fromkeys(PLAN_EVENTS, _GRID),
    **dict.fromkeys(DEPARTMENT_EVENTS, _DEPARTMENT),
    **dict.fromkeys(MATTER_EVENTS, _MATTER),
    **dict.fromkeys(CALENDAR_EVENTS, _CALENDAR),
    **dict.fromkeys(CASE_EVENTS, _CASE),
}
_CASE_TYPES = frozenset(CASE_EVENTS)


def _wanted(items: list[Item]) -> tuple[set[UUID], set[UUID], set[UUID], set[UUID]]:
    """In one pass over the batch (a rebuild's holds 20,000 events, each pass a trip through memory): the cases it
    touches, those it raises, the grids whose workers its raisings and reminders name, and the departments its
    cases' events name."""
    touched: set[UUID] = set()
    raised: set[UUID] = set()
    grids: set[UUID] = set()
    departments: set[UUID] = set()
    for item in items:
        e = item.event
        kind = type(e)
        if kind not in _CASE_TYPES:  # by class: the log gives the handled ones only
            continue
        touched.add(e.originator_id)
        fields = vars(e)  # not getattr with a default: most have no department_id (an exception inside)
        if kind is Case.Raised or kind is Case.Reminded:
            if kind is Case.Raised:
                raised.add(e.originator_id)
            if fields["grid_id"] is not None:
                grids.add(fields["grid_id"])
        department = fields.get("department_id")
        if department is not None:
            departments.add(department)
    return touched, raised, grids, departments


def _uuid(value: object) -> UUID:
    return value if type(value) is UUID else UUID(str(value))  # asyncpg gives its own UUID type
