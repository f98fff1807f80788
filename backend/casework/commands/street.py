"""The street operator's casework: its departments and their staff, its matter list (事项清单) and its working
calendar; and the clerk's narrowing of the matter list for the community (and further for one of its grids).
Street-level aggregates carry the operator's own community on their events; the street they belong to is what is
checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from backend.casework.commands.common import (
    Steps,
    load_calendar,
    load_community_matters,
    load_street_matters,
    optional,
    plan_of,
    read,
    street_operator,
)
from backend.casework.domain.department import Department
from backend.casework.domain.matters import MatterList, Narrowing, street_items
from backend.casework.domain.rules import (
    MatterItem,
    calendar_id_for,
    community_matters_id_for,
    department_id_for,
    matter_list_id_for,
    street_key,
)
from backend.community.reads import load_community
from backend.kernel.changes import resident_changed
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, NotFound
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp
from backend.residents.domain.resident import Resident
from backend.residents.reads import authorize


def load_department(app: LinliApp, department_id: UUID) -> Department:
    found = optional(app, department_id, Department)
    if found is None:
        raise NotFound("No such department.")
    return found


# -- departments -------------------------------------------------------------------------------------------------
async def register_department(
    rt: Commands, ctx: Ctx, street: str, name: str, kind: str, categories: list[str]
) -> CommandResult:
    """A new department of the street, taking `categories`; the street's matter lines of those categories that name
    no department yet name this one from today (saved together)."""

    def action(app: LinliApp) -> Steps:
        street_name = street_operator(app, ctx, street)
        department = Department.register(ctx, street_name, name, kind, categories)
        if read(app, department.id, Department) is not None:
            raise DomainError("A department of this name exists already.", "name", status=409)
        matters = load_street_matters(app, ctx, street_name)
        items = matters.items_on(ctx.today)
        if any(code not in items for code in department.categories):
            raise DomainError("Choose the categories from the matter list.", "categories")
        for code in department.categories:
            if items[code].department_id is None:
                matters.set_item(ctx, replace(items[code], department_id=department.id), ctx.today)
        return [department, matters], {"department_id": str(department.id)}

    return await rt.execute("department.register", ctx, department_id_for(street_key(street), name.strip()), action)


async def set_department_categories(
    rt: Commands, ctx: Ctx, department_id: UUID, categories: list[str]
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        department = load_department(app, department_id)
        street_operator(app, ctx, department.street)
        department.set_categories(ctx, categories)
        return [department], {}

    return await rt.execute("department.set_categories", ctx, department_id, action)


def _staff(app: LinliApp, ctx: Ctx, department: Department, resident_id: UUID) -> tuple[Resident, Ctx]:
    """The resident, and the context their own events are written in (their community)."""
    resident = optional(app, resident_id, Resident)
    if resident is None:
        raise NotFound("No such resident.")
    if load_community(app, resident.community_id).street != department.street:
        raise DomainError("Appoint a resident of a community of the street.", "resident_id", status=409)
    return resident, replace(ctx, community_id=resident.community_id)


async def appoint_staff(
    rt: Commands, ctx: Ctx, department_id: UUID, resident_id: UUID, until: date | None = None
) -> CommandResult:
    """The resident acts for the department: the department lists them and their department_staff role names it
    (scope), saved together."""

    def action(app: LinliApp) -> Steps:
        department = load_department(app, department_id)
        street_operator(app, ctx, department.street)
        resident, own = _staff(app, ctx, department, resident_id)
        held = resident.roles.get("department_staff")
        if held and held[2] and held[2] != str(department_id) and "department_staff" in resident.roles_on(ctx.today):
            raise DomainError("This resident acts for another department; remove them there first.", "resident_id", 409)
        department.appoint(ctx, resident_id)
        resident.grant(own, "department_staff", until, scope=str(department_id))
        return [department, resident], {}

    done = await rt.execute("department.appoint", ctx, department_id, action)
    resident_changed(resident_id)
    return done


async def remove_staff(rt: Commands, ctx: Ctx, department_id: UUID, resident_id: UUID, reason: str) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        department = load_department(app, department_id)
        street_operator(app, ctx, department.street)
        resident, own = _staff(app, ctx, department, resident_id)
        department.remove(ctx, resident_id, reason)
        changed: list[LinliAggregate] = [department]
        held = resident.roles.get("department_staff")
        if held and held[2] == str(department_id):
            resident.revoke(own, "department_staff", reason)
            changed.append(resident)
        return changed, {}

    done = await rt.execute("department.remove", ctx, department_id, action)
    resident_changed(resident_id)
    return done


# -- the matter list ---------------------------------------------------------------------------------------------
async def set_matter(rt: Commands, ctx: Ctx, street: str, item: MatterItem, effective_from: date) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        street_name = street_operator(app, ctx, street)
        if item.department_id is not None and load_department(app, item.department_id).street != street_name:
            raise DomainError("Choose a department of the street.", "department_id")
        matters = load_street_matters(app, ctx, street_name)
        matters.set_item(ctx, item, effective_from)
        return [matters], {}

    return await rt.execute("matters.set", ctx, matter_list_id_for(street), action)


async def drop_matter(rt: Commands, ctx: Ctx, street: str, code: str, effective_from: date) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        matters = load_street_matters(app, ctx, street_operator(app, ctx, street))
        matters.drop_item(ctx, code, effective_from)
        return [matters], {}

    return await rt.execute("matters.drop", ctx, matter_list_id_for(street), action)


async def narrow_matter(
    rt: Commands, ctx: Ctx, code: str, narrowing: Narrowing, effective_from: date, grid_id: UUID | None = None
) -> CommandResult:
    """The clerk narrows a category of the street's list for the community (never widens it); given `grid_id`, the
    community's list further for one of its grids (never wider than the community's)."""

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "matters.narrow")
        if grid_id is not None and grid_id not in plan_of(app, ctx).grids:
            raise DomainError("No such grid in the community.", "grid_id", status=404)
        street = load_community(app, ctx.community_id).street
        street_list = read(app, matter_list_id_for(street), MatterList) if street else None
        matters = load_community_matters(app, ctx)
        matters.narrow(ctx, street_items(street_list, effective_from), code, narrowing, effective_from, grid_id)
        return [matters], {}

    return await rt.execute("matters.narrow", ctx, community_matters_id_for(ctx.community_id), action)


async def lift_narrowing(
    rt: Commands, ctx: Ctx, code: str, effective_from: date, grid_id: UUID | None = None
) -> CommandResult:
    """The category reads as the street's again (given `grid_id`: in that grid, as the community's)."""

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "matters.narrow")
        matters = load_community_matters(app, ctx)
        matters.lift(ctx, code, effective_from, grid_id)
        return [matters], {}

    return await rt.execute("matters.lift", ctx, community_matters_id_for(ctx.community_id), action)


# -- the calendar ------------------------------------------------------------------------------------------------
async def set_calendar_day(rt: Commands, ctx: Ctx, street: str, day: date, working: bool, note: str) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        calendar = load_calendar(app, ctx, street_operator(app, ctx, street))
        calendar.set_day(ctx, day, working, note)
        return [calendar], {}

    return await rt.execute("calendar.set_day", ctx, calendar_id_for(street), action)


async def clear_calendar_day(rt: Commands, ctx: Ctx, street: str, day: date) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        calendar = load_calendar(app, ctx, street_operator(app, ctx, street))
        calendar.clear_day(ctx, day)
        return [calendar], {}

    return await rt.execute("calendar.clear_day", ctx, calendar_id_for(street), action)
