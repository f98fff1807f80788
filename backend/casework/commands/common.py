"""What casework's commands share: loading the aggregates (a missing street- or community-level one is opened with
the first change), the terms a case's deadlines come from (the community's rulebook on the day and its street's
calendar), and who the acting person is to a case (a handler, a department's staff, a street's operator)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.casework.domain.calendar import WorkCalendar, work_time
from backend.casework.domain.case import Case
from backend.casework.domain.deadlines import Handler, Terms
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.matters import CommunityMatters, MatterList, community_items
from backend.casework.domain.rules import (
    MatterItem,
    calendar_id_for,
    community_matters_id_for,
    grid_plan_id_for,
    matter_list_id_for,
    street_key,
)
from backend.casework.reads import load_case
from backend.community.domain.community import Community
from backend.community.reads import load_community
from backend.kernel.authz import Actor
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, NotFound
from backend.kernel.ports import Commands
from backend.kernel.runner import Action, CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.domain.household import Household
from backend.residents.domain.resident import Resident
from backend.residents.reads import authorize

Steps = tuple[list[LinliAggregate], dict[str, str]]
T = TypeVar("T")


def optional(app: LinliApp, aggregate_id: UUID, kind: type[T], read_only: bool = False) -> T | None:
    """The aggregate, or None when there is none yet (the defaults then apply). `read_only`: the cached instance
    itself, not a copy — only for what the command never changes."""
    try:
        found = app.repository.get(aggregate_id, deepcopy_from_cache=not read_only)
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, kind) else None


def read(app: LinliApp, aggregate_id: UUID, kind: type[T]) -> T | None:
    """An aggregate the command only reads (a calendar, a matter list, a resident's roles, a grid plan)."""
    return optional(app, aggregate_id, kind, read_only=True)


def load_plan(app: LinliApp, ctx: Ctx) -> GridPlan:
    """The community's grid plan (an empty one before the clerk draws the first grid)."""
    return optional(app, grid_plan_id_for(ctx.community_id), GridPlan) or GridPlan.open(ctx)


def plan_of(app: LinliApp, ctx: Ctx) -> GridPlan:
    """The grid plan as a case's command reads it (never changed, never saved)."""
    return read(app, grid_plan_id_for(ctx.community_id), GridPlan) or GridPlan.open(ctx)


def load_street_matters(app: LinliApp, ctx: Ctx, street: str) -> MatterList:
    return optional(app, matter_list_id_for(street), MatterList) or MatterList.open(ctx, street)


def load_community_matters(app: LinliApp, ctx: Ctx) -> CommunityMatters:
    return optional(app, community_matters_id_for(ctx.community_id), CommunityMatters) or CommunityMatters.open(ctx)


def load_calendar(app: LinliApp, ctx: Ctx, street: str) -> WorkCalendar:
    return optional(app, calendar_id_for(street), WorkCalendar) or WorkCalendar.open(ctx, street)


def terms_for(app: LinliApp, community: Community, day: date) -> Terms:
    """The rulebook's values in force on `day` and the street's working time: what a case's deadlines come from."""

    def rule(name: str) -> int:
        return community.rule(name, day)

    periods = (
        (rule("work_morning_start"), rule("work_morning_end")),
        (rule("work_afternoon_start"), rule("work_afternoon_end")),
    )
    calendar = read(app, calendar_id_for(community.street), WorkCalendar) if community.street else None
    return Terms(
        work=work_time(calendar, periods),
        accept_hours=rule("case_accept_hours"),
        urgent_accept_minutes=rule("case_urgent_accept_minutes"),
        report_hours=rule("whistle_report_hours"),
        rating_days=rule("case_rating_days"),
        extension_days=rule("case_extension_days"),
    )


def terms(app: LinliApp, ctx: Ctx) -> Terms:
    return terms_for(app, load_community(app, ctx.community_id), ctx.today)


def matter_items(app: LinliApp, ctx: Ctx, day: date, grid_id: UUID | None = None) -> dict[str, MatterItem]:
    """The community's matter list in force on `day`: its street's (or the defaults), as the community narrowed it
    (and, given `grid_id`, as it narrowed it further for that grid)."""
    street = load_community(app, ctx.community_id).street
    street_list = read(app, matter_list_id_for(street), MatterList) if street else None
    narrowing = read(app, community_matters_id_for(ctx.community_id), CommunityMatters)
    return community_items(street_list, narrowing, day, grid_id)


# -- who acts ----------------------------------------------------------------------------------------------------
def acting_resident(app: LinliApp, ctx: Ctx) -> Resident:
    """The acting person's own aggregate, whichever community they live in (a department's staff, a street's
    operator act in communities not their own)."""
    if ctx.actor_id is None:
        raise DomainError("Please sign in first.", status=403)
    found = read(app, ctx.actor_id, Resident)
    if found is None:
        raise DomainError("You are not allowed to do this.", status=403)
    return found


def actor_of(app: LinliApp, ctx: Ctx) -> Actor:
    return acting_resident(app, ctx).actor(ctx.today)


def handler(app: LinliApp, ctx: Ctx, plan: GridPlan) -> Handler:
    """The acting clerk or grid worker, with the grids the plan gives them (none once their role's term ended)."""
    authorize(app, ctx, "case.handle")
    actor = actor_of(app, ctx)
    return handler_of(actor, plan)


def handler_of(actor: Actor, plan: GridPlan) -> Handler:
    assert actor.id is not None
    grids = frozenset(plan.grids_of(actor.id)) if "grid_worker" in actor.roles else frozenset()
    return Handler(actor.id, "clerk" in actor.roles, grids)


def colleague(app: LinliApp, ctx: Ctx, plan: GridPlan, resident_id: UUID) -> Handler:
    """A clerk or grid worker of this community a case can be handed to."""
    resident = load_in_community(app, ctx, resident_id, Resident, "No such resident.", read_only=True)
    found = handler_of(resident.actor(ctx.today), plan)
    if not (found.clerk or "grid_worker" in resident.roles_on(ctx.today)):
        raise DomainError("Hand it to a grid worker or a clerk.", "to_id", status=409)
    return found


def street_operator(app: LinliApp, ctx: Ctx, street: str) -> str:
    """The street, when the acting person operates it (the system may act for any)."""
    authorize(app, ctx, "street.casework")
    street = street_key(street)
    if not street:
        raise DomainError("Departments belong to a street; set the community's street first.", "street")
    if ctx.actor_id is not None and street not in actor_of(app, ctx).streets:
        raise DomainError("You are not allowed to do this.", status=403)
    return street


def department_of(app: LinliApp, ctx: Ctx, case: Case) -> UUID:
    """The department of the acting staff member the case was whistled to (refused otherwise)."""
    authorize(app, ctx, "case.department")
    whistle = case.whistle
    departments = actor_of(app, ctx).departments if ctx.actor_id is not None else frozenset()
    if whistle is None or (ctx.actor_id is not None and str(whistle.department_id) not in departments):
        raise DomainError("This case was not whistled to your department.", status=403)
    return whistle.department_id


def building_of(app: LinliApp, resident: Resident) -> str:
    household = read(app, resident.household_id, Household)
    if household is None:
        raise NotFound("No such household in the register.")
    return household.building


# -- running -----------------------------------------------------------------------------------------------------
def on_case(ctx: Ctx, case_id: UUID, change: Callable[[LinliApp, Case], Any]) -> Action:
    """An action that loads the case, lets `change` check and change it, and saves it."""

    def action(app: LinliApp) -> Steps:
        case = load_case(app, ctx, case_id)
        result = change(app, case)
        return [case], {"result": str(result)} if result is not None else {}

    return action


async def run_on_case(
    rt: Commands, name: str, ctx: Ctx, case_id: UUID, change: Callable[[LinliApp, Case], Any]
) -> CommandResult:
    return await rt.execute(name, ctx, case_id, on_case(ctx, case_id, change))
