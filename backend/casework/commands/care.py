"""关爱对象 and 走访: the clerk flags households for care (the categories sealed before they reach the log); the grid
worker keeps the visit diary (民情日志) — a visit to a household of their grids, what was found, and a case raised
from it in the same save — and plans visits for others (a volunteer records the visit assigned to them). A visit to
a flagged household moves its next visit's due day, in the same save."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from uuid import UUID, uuid5

from backend.casework.commands.cases import NewCase, case_id_for, new_case
from backend.casework.commands.common import Steps, acting_resident, handler_of, optional, plan_of, read
from backend.casework.domain.care import CareRecipient, Visit, care_interval
from backend.casework.domain.rules import VISIT_NAMESPACE, care_id_for
from backend.community.reads import load_community
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, NotFound
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.domain.household import Household
from backend.residents.reads import authorize, load_resident
from backend.volunteering.reads import seat_of


def _household(app: LinliApp, ctx: Ctx, household_id: UUID) -> Household:
    found = read(app, household_id, Household)
    if found is None or found.community_id != ctx.community_id:
        raise NotFound("No such household in the register.")
    return found


def _of_my_grids(app: LinliApp, ctx: Ctx, household: Household) -> None:
    """A grid worker visits the households of their grids; a clerk any (the system too)."""
    if ctx.actor_id is None:
        return
    actor = acting_resident(app, ctx).actor(ctx.today)
    if "clerk" in actor.roles:
        return
    plan = plan_of(app, ctx)
    if (
        household.building not in plan.building_grid
        or plan.building_grid[household.building] not in handler_of(actor, plan).grids
    ):
        raise DomainError("This household is not in your grids.", "household_id", status=403)


def _visited(app: LinliApp, ctx: Ctx, visit: Visit, on: date) -> list[LinliAggregate]:
    care = optional(app, care_id_for(visit.household_id), CareRecipient)
    if care is None or not care.active:
        return []
    care.visited(ctx, visit.id, on)
    return [care]


# -- care flags (the clerk) ----------------------------------------------------------------------------------------
async def flag_care(
    rt: Commands, ctx: Ctx, household_id: UUID, categories: list[str], resident_id: UUID | None = None
) -> CommandResult:
    """Flag a household for care (or change its categories): sealed with the resident's key, or the household's
    when the person cared for has no account."""
    plain = json.dumps(sorted(set(categories)))
    sealed = rt.personal.seal(resident_id or household_id, plain)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "care.flag")
        household = _household(app, ctx, household_id)
        if resident_id is not None and load_resident(app, ctx, resident_id).household_id != household_id:
            raise DomainError("This resident does not live in this household.", "resident_id")
        community = load_community(app, ctx.community_id)
        interval = care_interval(categories, lambda c: community.rule(f"care_visit_days_{c}", ctx.today))
        care = optional(app, care_id_for(household_id), CareRecipient)
        if care is None:
            care = CareRecipient.flag(
                ctx, household_id, household.label, household.building, resident_id, sealed, interval
            )
        else:
            care.change(ctx, sealed, interval)
        return [care], {"next_visit_due": care.next_visit_due.isoformat()}

    return await rt.execute("care.flag", ctx, care_id_for(household_id), action)


async def unflag_care(rt: Commands, ctx: Ctx, household_id: UUID, reason: str) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "care.flag")
        care = load_in_community(app, ctx, care_id_for(household_id), CareRecipient, "No such care recipient.")
        care.unflag(ctx, reason)
        return [care], {}

    return await rt.execute("care.unflag", ctx, care_id_for(household_id), action)


# -- visits --------------------------------------------------------------------------------------------------------
async def plan_visit(
    rt: Commands,
    ctx: Ctx,
    household_id: UUID,
    visitor_id: UUID,
    task: str,
    due_on: date | None,
    shift_id: UUID | None = None,
) -> CommandResult:
    """A visit for someone to make (a volunteer, a colleague): they see the household and the task only. A
    volunteer's visit may name the volunteering shift they hold a seat on: it is due that day, and the shift's
    hours (checked in and out, confirmed by the team's leader) are the visit's volunteer hours."""
    visit_id = uuid5(VISIT_NAMESPACE, ctx.command_id)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "visit.log")
        household = _household(app, ctx, household_id)
        _of_my_grids(app, ctx, household)
        if "resident" not in load_resident(app, ctx, visitor_id).roles_on(ctx.today):
            raise DomainError("The visitor must be a verified resident.", "visitor_id")
        due = due_on if shift_id is None else seat_of(app, ctx, shift_id, visitor_id).day
        visit = Visit.plan(
            ctx, visit_id, household_id, household.label, household.building, visitor_id, task, due, shift_id
        )
        return [visit], {"visit_id": str(visit_id)}

    return await rt.execute("visit.plan", ctx, visit_id, action)


async def log_visit(
    rt: Commands,
    ctx: Ctx,
    household_id: UUID,
    visited_on: date,
    found: str,
    case: NewCase | None = None,
    raiser_id: UUID | None = None,
) -> CommandResult:
    """民情日志: the acting grid worker's visit, and (one step) the case raised from it — for `raiser_id` (a resident
    they act for), else in their own name."""
    visit_id = uuid5(VISIT_NAMESPACE, ctx.command_id)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "visit.log")
        household = _household(app, ctx, household_id)
        _of_my_grids(app, ctx, household)
        visitor = acting_resident(app, ctx).id
        visit = Visit.plan(ctx, visit_id, household_id, household.label, household.building, visitor, "", None)
        changed: list[LinliAggregate] = [visit]
        case_id = None
        if case is not None:
            raised = new_case(app, replace(ctx, on_behalf_of=raiser_id), case_id_for(ctx), case, household.building)
            case_id = raised.id
            changed.append(raised)
        visit.log(ctx, visitor, visited_on, found, case_id)
        changed += _visited(app, ctx, visit, visited_on)
        return changed, {"visit_id": str(visit_id), "case_id": str(case_id or "")}

    return await rt.execute("visit.log", ctx, visit_id, action)


async def record_visit(rt: Commands, ctx: Ctx, visit_id: UUID, visited_on: date, found: str) -> CommandResult:
    """The visitor a visit was planned for records it."""

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "visit.record")
        visit = load_in_community(app, ctx, visit_id, Visit, "No such visit.")
        visit.log(ctx, acting_resident(app, ctx).id, visited_on, found, None)
        return [visit, *_visited(app, ctx, visit, visited_on)], {}

    return await rt.execute("visit.record", ctx, visit_id, action)
