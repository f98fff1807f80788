"""What the casework pages read of the grid plan, the street's departments, the matter list in force and the
street's working calendar: the grids with their buildings, places and holders (masked names, with the history), the
departments and whom they appoint, the categories a community's residents raise on a day (the street's list as the
community narrowed it, read as the commands read it), and the days the street set itself. projections.casework.queries
gives these too."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from backend.casework.domain.matters import Narrowing, community_items, street_items
from backend.casework.domain.rules import (
    MatterItem,
    calendar_id_for,
    community_matters_id_for,
    matter_list_id_for,
    street_key,
)
from projections.casework.tables import (
    AreaView,
    CalendarDayView,
    DepartmentView,
    GridView,
    HolderView,
    MatterLineView,
)
from projections.community import queries as communities
from projections.residents import queries as residents


def _uuid(value: object) -> UUID:
    return value if type(value) is UUID else UUID(str(value))  # asyncpg gives its own UUID type


# -- grids -----------------------------------------------------------------------------------------------------------
async def grids(community_id: object) -> list[dict[str, Any]]:
    """The community's grids by name, each with its buildings (and their 楼长), places and 网格员 (masked)."""
    rows = await GridView.select().where(GridView.community_id == community_id).order_by(GridView.name)
    areas = await AreaView.select().where(AreaView.community_id == community_id).order_by(AreaView.name)
    people = [r["worker_id"] for r in rows] + [a["head_id"] for a in areas]
    names = await residents.masked_names(people)
    for grid in rows:
        mine = [a for a in areas if a["grid_id"] == grid["id"]]
        grid["worker"] = names.get(str(grid["worker_id"]), "") if grid["worker_id"] else ""
        grid["buildings"] = [
            {"name": a["name"], "head_id": a["head_id"], "head": names.get(str(a["head_id"]), "")}
            for a in sorted(mine, key=lambda a: residents.natural(a["name"]))
            if a["kind"] == "building"
        ]
        grid["places"] = [a["name"] for a in mine if a["kind"] == "place"]
    return rows


async def grid(grid_id: object) -> dict[str, Any] | None:
    return await GridView.select().where(GridView.id == grid_id).first()


async def grids_of(worker_id: object) -> list[UUID]:
    """The grids a 网格员 holds now."""
    rows = await GridView.select(GridView.id).where(GridView.worker_id == worker_id)
    return [_uuid(r["id"]) for r in rows]


async def areas(community_id: object, kind: str = "") -> list[dict[str, Any]]:
    """The community's buildings in grids and its places (kind "building" or "place"; "" both)."""
    query = AreaView.select().where(AreaView.community_id == community_id)
    if kind:
        query = query.where(AreaView.kind == kind)
    return await query.order_by(AreaView.name)


async def head_of(community_id: object, building: str) -> UUID | None:
    row = await (
        AreaView.select(AreaView.head_id)
        .where((AreaView.community_id == community_id) & (AreaView.kind == "building") & (AreaView.name == building))
        .first()
    )
    return _uuid(row["head_id"]) if row and row["head_id"] else None


async def holders(community_id: object, limit: int = 200) -> list[dict[str, Any]]:
    """Who held which grid (网格员) or building (楼长), newest first, with the history (masked names)."""
    rows = await (
        HolderView.select()
        .where(HolderView.community_id == community_id)
        .order_by(HolderView.since, ascending=False)
        .limit(limit)
    )
    names = await residents.masked_names(r["resident_id"] for r in rows)
    return [{**r, "name": names.get(str(r["resident_id"]), "")} for r in rows]


# -- departments and the matter list ---------------------------------------------------------------------------------
async def departments(street: str) -> list[dict[str, Any]]:
    rows = await (
        DepartmentView.select()
        .where(DepartmentView.street == street_key(street))
        .order_by(DepartmentView.name)
        .output(load_json=True)
    )
    return rows


async def department(department_id: object) -> dict[str, Any] | None:
    return await DepartmentView.select().where(DepartmentView.id == department_id).output(load_json=True).first()


async def department_names(ids: list[object]) -> dict[str, str]:
    wanted = [_uuid(i) for i in {str(i) for i in ids if i}]
    if not wanted:
        return {}
    rows = await DepartmentView.select(DepartmentView.id, DepartmentView.name).where(DepartmentView.id.is_in(wanted))
    return {str(r["id"]): r["name"] for r in rows}


async def departments_of(resident_id: object) -> frozenset[str]:
    """The departments (ids as text) a resident acts for (a street has a handful: read them all)."""
    rows = await DepartmentView.select(DepartmentView.id, DepartmentView.staff).output(load_json=True)
    return frozenset(str(r["id"]) for r in rows if str(resident_id) in r["staff"])


async def _lines(owner: UUID) -> list[tuple[date, str, Any]]:
    rows = await (
        MatterLineView.select()
        .where(MatterLineView.owner == str(owner))
        .order_by(MatterLineView.position)
        .output(load_json=True)
    )
    found: list[tuple[date, str, Any]] = []
    for r in rows:
        line = r["line"]
        if line is None:
            found.append((r["effective_from"], r["code"], None))
        elif r["level"] == "street":
            department = UUID(line["department_id"]) if line["department_id"] else None
            item = MatterItem(r["code"], line["label"], line["handling"], line["answer_days"], department)
            found.append((r["effective_from"], r["code"], item))
        else:
            found.append(
                (r["effective_from"], r["code"], Narrowing(line["dropped"], line["answer_days"], line["handling"]))
            )
    return found


def _item(item: MatterItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "label": item.label,
        "handling": item.handling,
        "answer_days": item.answer_days,
        "department_id": item.department_id,
    }


async def street_matters(street: str, day: date) -> list[dict[str, Any]]:
    """A street's matter list in force on `day` (the defaults where it set nothing)."""
    street = street_key(street)
    lines = SimpleNamespace(lines=await _lines(matter_list_id_for(street))) if street else None
    return [_item(i) for i in street_items(lines, day).values()]  # type: ignore[arg-type]


async def matters(community_id: object, day: date) -> list[dict[str, Any]]:
    """The categories the community's residents raise on `day`: its street's list as the community narrowed it
    (the same reading as the commands')."""
    found = await communities.by_id(community_id)
    street = street_key(found["street"]) if found else ""
    street_list = SimpleNamespace(lines=await _lines(matter_list_id_for(street))) if street else None
    narrowing = SimpleNamespace(lines=await _lines(community_matters_id_for(_uuid(community_id))))
    return [_item(i) for i in community_items(street_list, narrowing, day).values()]  # type: ignore[arg-type]


# -- the working calendar --------------------------------------------------------------------------------------------
async def calendar_days(street: str, year: int) -> list[dict[str, Any]]:
    """The days of `year` the street's calendar sets itself (a holiday, or a weekend day worked: 调休), by day; the
    national days it starts from (rules.national_days) are not among them."""
    street = street_key(street)
    if not street:
        return []
    calendar, view = calendar_id_for(street), CalendarDayView
    return await (
        view.select(view.day, view.working, view.note, view.set_at)
        .where((view.calendar_id == calendar) & (view.day >= date(year, 1, 1)) & (view.day <= date(year, 12, 31)))
        .order_by(view.day)
    )
