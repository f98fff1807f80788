"""What the pages of the admission list read: a street's list in force on a day (computed from its edits by the
domain's own rule), its edits; the tasks of a community, of departments; the refused attempts (未准入); the
applications (申请准入); the street's dashboard (per department assigned, refused, done; per community open,
overdue, done); and, for the 一表通, `task_counts` per community over a period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from backend.kernel.zone import LOCAL_ZONE
from backend.workload.domain.admission import KINDS, Edit, Item, in_force, street_key
from backend.workload.domain.tasks import DECISIONS, DONE, REFUSALS, STATES, overdue
from projections.workload.admission.tables import AdmissionEditView, ApplicationView, RefusedView, TaskView

LIMIT = 200


def _uuid(value: object) -> UUID:
    return value if type(value) is UUID else UUID(str(value))


def _ids(values: Iterable[object]) -> list[UUID]:
    return [_uuid(v) for v in {str(v) for v in values if v}]


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(LOCAL_ZONE).date() if moment else None


def _edit(row: dict[str, Any]) -> Edit:
    item = None
    if not row["removed"]:
        item = Item(row["code"], row["kind"], row["title"], row["basis"], _uuid(row["department_id"]), row["funding"])
    return Edit(row["effective_from"], row["code"], item, row["edit_basis"])


async def edits(street: str) -> list[dict[str, Any]]:
    """Every edit of the street's list, in the order made."""
    return await (
        AdmissionEditView.select()
        .where(AdmissionEditView.street == street_key(street))
        .order_by(AdmissionEditView.position)
        .order_by(AdmissionEditView.id)
    )


def shown_item(item: Item) -> dict[str, Any]:
    return {
        "code": item.code,
        "kind": item.kind,
        "kind_label": KINDS.get(item.kind, item.kind),
        "title": item.title,
        "basis": item.basis,
        "department_id": str(item.department_id),
        "funding": item.funding,
        "unfunded": item.unfunded,
    }


async def listed(street: str, day: date) -> list[dict[str, Any]]:
    """The items in force on `day`: duties first, then assistance, each by title."""
    found = in_force([_edit(r) for r in await edits(street)], day)
    rows = [shown_item(item) for item in found.values()]
    return sorted(rows, key=lambda r: (r["kind"] != "duty", r["title"]))


async def coming(street: str, day: date) -> list[dict[str, Any]]:
    """Edits that take effect after `day` (announced, not yet in force)."""
    return [r for r in await edits(street) if r["effective_from"] > day]


def _task(row: dict[str, Any], today: date) -> dict[str, Any]:
    return {
        **row,
        "overdue": overdue(row["state"], row["deadline"], today),
        "state_label": STATES.get(row["state"], row["state"]),
        "kind_label": KINDS.get(row["kind"], row["kind"]),
        "unfunded": row["kind"] == "assist" and not row["funding"],
    }


async def community_tasks(community_id: object, today: date, limit: int = LIMIT) -> list[dict[str, Any]]:
    """The committee's tasks: open ones first (by deadline), then the done ones, newest first."""
    rows = await TaskView.select().where(TaskView.community_id == community_id).order_by(TaskView.deadline).limit(limit)
    shown = [_task(r, today) for r in rows]
    return [r for r in shown if r["state"] != DONE] + sorted(
        (r for r in shown if r["state"] == DONE), key=lambda r: r["done_at"], reverse=True
    )


async def task(task_id: object) -> dict[str, Any] | None:
    return await TaskView.select().where(TaskView.id == task_id).first()


async def department_tasks(department_ids: Iterable[object], today: date, limit: int = LIMIT) -> list[dict[str, Any]]:
    wanted = _ids(department_ids)
    if not wanted:
        return []
    rows = await (
        TaskView.select()
        .where(TaskView.department_id.is_in(wanted))
        .order_by(TaskView.assigned_at, ascending=False)
        .limit(limit)
    )
    return [_task(r, today) for r in rows]


def _refused(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "reason_label": REFUSALS.get(row["reason"], row["reason"])}


async def refused(attempt_id: object) -> dict[str, Any] | None:
    row = await RefusedView.select().where(RefusedView.id == attempt_id).first()
    return _refused(row) if row else None


async def department_refused(department_ids: Iterable[object], limit: int = LIMIT) -> list[dict[str, Any]]:
    wanted = _ids(department_ids)
    if not wanted:
        return []
    rows = await (
        RefusedView.select()
        .where(RefusedView.department_id.is_in(wanted))
        .order_by(RefusedView.at, ascending=False)
        .limit(limit)
    )
    return [_refused(r) for r in rows]


def _application(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "state_label": DECISIONS.get(row["state"], row["state"]),
        "kind_label": KINDS.get(row["kind"], row["kind"]),
        "unfunded": row["kind"] == "assist" and not row["funding"],
    }


async def applications(
    street: str = "", department_ids: Iterable[object] = (), limit: int = LIMIT
) -> list[dict[str, Any]]:
    """A street's applications (pending first), or the ones of these departments."""
    query = ApplicationView.select()
    if street:
        query = query.where(ApplicationView.street == street_key(street))
    else:
        wanted = _ids(department_ids)
        if not wanted:
            return []
        query = query.where(ApplicationView.department_id.is_in(wanted))
    rows = await query.order_by(ApplicationView.applied_at, ascending=False).limit(limit)
    return sorted((_application(r) for r in rows), key=lambda r: r["state"] != "pending")


async def application(application_id: object) -> dict[str, Any] | None:
    row = await ApplicationView.select().where(ApplicationView.id == application_id).first()
    return _application(row) if row else None


async def dashboard(street: str, today: date) -> dict[str, dict[str, dict[str, int]]]:
    """Per department: assigned, refused, done; per community: open, overdue, done (ids as text)."""
    street = street_key(street)
    tasks = await TaskView.select(
        TaskView.department_id, TaskView.community_id, TaskView.state, TaskView.deadline
    ).where(TaskView.street == street)
    refusals = await RefusedView.select(RefusedView.department_id).where(RefusedView.street == street)
    units: dict[str, dict[str, int]] = {}
    places: dict[str, dict[str, int]] = {}
    for t in tasks:
        unit = units.setdefault(str(t["department_id"]), {"assigned": 0, "refused": 0, "done": 0})
        place = places.setdefault(str(t["community_id"]), {"open": 0, "overdue": 0, "done": 0})
        unit["assigned"] += 1
        done = t["state"] == DONE
        unit["done"] += done
        place["done" if done else "open"] += 1
        place["overdue"] += overdue(t["state"], t["deadline"], today)
    for r in refusals:
        units.setdefault(str(r["department_id"]), {"assigned": 0, "refused": 0, "done": 0})["refused"] += 1
    return {"departments": units, "communities": places}


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's first and last days (inclusive) as moments in China time."""
    return datetime.combine(start, time(), LOCAL_ZONE), datetime.combine(end + timedelta(days=1), time(), LOCAL_ZONE)


async def task_counts(community_ids: Iterable[object], start: date, end: date) -> dict[str, dict[str, int]]:
    """For the 一表通, per community (ids as text; every one asked for, zeros included), over the days start..end:
    `assigned` tasks assigned in the period; `refused` attempts refused (未准入) in it; `done` tasks reported done in
    it; `overdue` tasks still open at its end past their deadline, and tasks done in it after their deadline."""
    wanted = _ids(community_ids)
    counts = {str(c): {"assigned": 0, "refused": 0, "done": 0, "overdue": 0} for c in wanted}
    if not wanted:
        return counts
    first, after = _bounds(start, end)
    tasks = await TaskView.select(
        TaskView.community_id, TaskView.assigned_at, TaskView.done_at, TaskView.deadline
    ).where(TaskView.community_id.is_in(wanted) & (TaskView.assigned_at < after))
    for t in tasks:
        row = counts[str(t["community_id"])]
        row["assigned"] += first <= t["assigned_at"]
        done_at = t["done_at"]
        row["done"] += done_at is not None and first <= done_at < after
        if done_at is None or done_at >= after:  # still open at the period's end
            row["overdue"] += t["deadline"] < end
        elif done_at >= first:  # done in the period, after its deadline
            row["overdue"] += (_day(done_at) or end) > t["deadline"]
    refusals = await RefusedView.select(RefusedView.community_id).where(
        RefusedView.community_id.is_in(wanted) & (RefusedView.at >= first) & (RefusedView.at < after)
    )
    for r in refusals:
        counts[str(r["community_id"])]["refused"] += 1
    return counts
