"""What the casework pages read of the grid plan, the street's departments, the matter list in force and the
street's working calendar: the grids with their buildings, places and holders (masked names, with the history), the
departments and whom they appoint, the categories a community's residents raise on a day (the street's list as the
community narrowed it, and further for a grid, read as the commands read it), and the days the street set itself.
projections.casework.queries gives these too."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from backend.casework.domain.matters import Narrowing, community_items, narrowings_on, street_items
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
    return list(await held_grids(worker_id))


async def held_grids(worker_id: object) -> dict[UUID, str]:
    """The grids a 网格员 holds now, with their names, in one statement (their queue's heading)."""
    rows = await GridView.select(GridView.id, GridView.name).where(GridView.worker_id == worker_id)
    return {_uuid(r["id"]): r["name"] for r in sorted(rows, key=lambda r: r["name"])}


async def areas(community_id: object, kind: str = "") -> list[dict[str, Any]]:
    """The community's buildings in grids and its places (kind "building" or "place"; "" both)."""
    query = AreaView.select().where(AreaView.community_id == community_id)
    if kind:
        query = query.where(AreaView.kind == kind)
    return await query.order_by(AreaView.name)


async def grid_of_household(community_id: object, household: str) -> UUID | None:
    """The grid of the building a household's label ("1栋2单元302室") starts with (the longest such building name),
    None when its building is in no grid."""
    rows = await AreaView.select(AreaView.name, AreaView.grid_id).where(
        (AreaView.community_id == community_id) & (AreaView.kind == "building")
    )
    found = sorted((r for r in rows if household.startswith(r["name"])), key=lambda r: -len(r["name"]))
    return _uuid(found[0]["grid_id"]) if found and found[0]["grid_id"] else None


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


async def _lines_of(owners: list[object]) -> dict[str, list[tuple[date, str, Any]]]:
    """Each owner's lines (a street's list, a community's narrowing, a grid's), in the order they were set."""
    found: dict[str, list[tuple[date, str, Any]]] = {str(o): [] for o in owners}
    if not owners:
        return found
    rows = await (
        MatterLineView.select()
        .where(MatterLineView.owner.is_in(list(found)))
        .order_by(MatterLineView.position)
        .output(load_json=True)
    )
    for r in rows:
        line, lines = r["line"], found[r["owner"]]
        if line is None:
            lines.append((r["effective_from"], r["code"], None))
        elif r["level"] == "street":
            department = UUID(line["department_id"]) if line["department_id"] else None
            item = MatterItem(r["code"], line["label"], line["handling"], line["answer_days"], department)
            lines.append((r["effective_from"], r["code"], item))
        else:
            lines.append(
                (r["effective_from"], r["code"], Narrowing(line["dropped"], line["answer_days"], line["handling"]))
            )
    return found


async def _lines(owner: UUID) -> list[tuple[date, str, Any]]:
    return (await _lines_of([owner]))[str(owner)]


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


async def _community_lists(community_id: object, grid_ids: list[UUID]) -> tuple[Any, Any]:
    """The community's street list and its narrowing (with these grids' narrowings), as the domain reads them."""
    found = await communities.by_id(community_id)
    street = street_key(found["street"]) if found else ""
    own = community_matters_id_for(_uuid(community_id))
    owners: list[object] = [own, *grid_ids, *([matter_list_id_for(street)] if street else [])]
    lines = await _lines_of(owners)
    street_list = SimpleNamespace(lines=lines[str(matter_list_id_for(street))]) if street else None
    narrowing = SimpleNamespace(lines=lines[str(own)], grid_lines={g: lines[str(g)] for g in grid_ids})
    return street_list, narrowing


async def matters(community_id: object, day: date, grid_id: object = None) -> list[dict[str, Any]]:
    """The categories the community's residents raise on `day` (given `grid_id`, those of that grid's residents):
    its street's list as the community narrowed it, and further for the grid (the same reading as the commands')."""
    grid = _uuid(grid_id) if grid_id else None
    street_list, narrowing = await _community_lists(community_id, [grid] if grid else [])
    return [_item(i) for i in community_items(street_list, narrowing, day, grid).values()]


async def grid_narrowings(community_id: object, day: date) -> list[dict[str, Any]]:
    """The community's grids by name, each with the narrowings for it in force on `day` (what the clerk may lift;
    none: the grid raises what the community does)."""
    grids = await (
        GridView.select(GridView.id, GridView.name).where(GridView.community_id == community_id).order_by(GridView.name)
    )
    ids = [_uuid(g["id"]) for g in grids]
    _street, narrowing = await _community_lists(community_id, ids)
    found = []
    for grid_id, grid in zip(ids, grids, strict=True):
        narrowed = narrowings_on(narrowing, day, grid_id)
        lines = [{"code": code, **vars(n)} for code, n in sorted(narrowed.items())]
        found.append({"id": grid_id, "name": grid["name"], "narrowings": lines})
    return found


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
