"""A case from raising to rating: raise (for oneself, or for a resident by a clerk, their 网格员 or their 楼长),
accept (the first wins), notes, hand-over, 我也遇到, merging duplicates, the extension, the answer and the rating;
and the system's steps the rounds take (the deadlines' notices, closing, a lapsed owner's cases to the clerk).
Whistles are in whistles.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid5

from backend.casework.commands.common import (
    Steps,
    actor_of,
    building_of,
    colleague,
    handler,
    load_case,
    matter_items,
    on_case,
    plan_of,
    read,
    run_on_case,
    terms,
)
from backend.casework.domain.case import Case
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.rules import CASE_NAMESPACE, grid_plan_id_for
from backend.kernel.authz import may
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import Action, CommandResult
from backend.kernel.store import LinliApp
from backend.residents.domain.resident import Resident
from backend.residents.reads import acting_for, authorize, load_resident


@dataclass(frozen=True)
class NewCase:
    """What a raised case says (the form, or a visit that raises one)."""

    category: str
    text: str
    place: str = ""  # a place of the community; "" = the raiser's building
    photos: Sequence[str] = ()
    urgent: bool = False
    public: bool = False


def _raiser(app: LinliApp, ctx: Ctx, plan: GridPlan | None) -> tuple[UUID, str, str]:
    """Who the case is for, in what capacity someone raised it for them ("" themselves), and their building."""
    if ctx.on_behalf_of is None:
        authorize(app, ctx, "case.raise")
        resident = load_resident(app, ctx, acting_for(ctx))
        return resident.id, "", building_of(app, resident)
    helped = load_resident(app, ctx, ctx.on_behalf_of)
    if not may(helped.actor(ctx.today), "case.raise", ctx.community_id):
        raise DomainError("This resident is not verified yet.", status=403)
    building = building_of(app, helped)
    if ctx.actor_id is None:  # the system (the demo loader)
        return helped.id, "", building
    actor = actor_of(app, ctx)
    if not may(actor, "case.raise_for", ctx.community_id):
        raise DomainError("You are not allowed to do this.", status=403)
    if "clerk" in actor.roles:
        return helped.id, "clerk", building
    if "grid_worker" in actor.roles and plan is not None and plan.serves(actor.id, building):
        return helped.id, "grid_worker", building
    if "building_head" in actor.roles and plan is not None and plan.heads.get(building) == actor.id:
        return helped.id, "building_head", building
    raise DomainError("You may raise cases only for residents of your grid or building.", status=403)


def new_case(app: LinliApp, ctx: Ctx, case_id: UUID, draft: NewCase, building: str = "") -> Case:
    """The case, routed to the grid of its place (else of `building`, by default the raiser's), or to the clerk's
    queue."""
    plan = read(app, grid_plan_id_for(ctx.community_id), GridPlan)
    raiser_id, authority, own_building = _raiser(app, ctx, plan)
    building = building or own_building
    item = matter_items(app, ctx, ctx.today).get(draft.category)
    if item is None:
        raise DomainError("Choose a category from the matter list.", "category")
    place = " ".join(draft.place.split())
    if place and (plan is None or place not in plan.places):
        raise DomainError("Choose a place of the community.", "place")
    grid_id = plan.grid_of(building, place) if plan is not None else None
    if grid_id is not None:  # the grid's own list: the community may have narrowed it further for this grid
        item = matter_items(app, ctx, ctx.today, grid_id).get(draft.category)
        if item is None:
            raise DomainError("The community does not handle this category in this grid.", "category")
    return Case.raise_case(
        ctx,
        case_id,
        raiser_id,
        authority,
        item,
        draft.text,
        building,
        place,
        list(draft.photos),
        draft.urgent,
        draft.public,
        grid_id,
        terms(app, ctx),
    )


def case_id_for(ctx: Ctx) -> UUID:
    """A case's id comes from its raising command's id: the same form sent twice is one case."""
    return uuid5(CASE_NAMESPACE, ctx.command_id)


async def raise_case(
    rt: Commands,
    ctx: Ctx,
    category: str,
    text: str,
    place: str = "",
    photos: Sequence[str] = (),
    urgent: bool = False,
    public: bool = False,
) -> CommandResult:
    case_id = case_id_for(ctx)
    draft = NewCase(category, text, place, tuple(photos), urgent, public)

    def action(app: LinliApp) -> Steps:
        case = new_case(app, ctx, case_id, draft)
        return [case], {"case_id": str(case_id), "queue": case.queue, "grid_id": str(case.grid_id or "")}

    return await rt.execute("case.raise", ctx, case_id, action)


# -- the handler -------------------------------------------------------------------------------------------------
def accept_action(ctx: Ctx, case_id: UUID) -> Action:
    return on_case(ctx, case_id, lambda app, c: c.accept(ctx, handler(app, ctx, plan_of(app, ctx))))


async def accept(rt: Commands, ctx: Ctx, case_id: UUID) -> CommandResult:
    """首问负责: the first to accept owns the case; anyone after is told someone was first."""
    return await rt.execute("case.accept", ctx, case_id, accept_action(ctx, case_id))


async def downgrade(rt: Commands, ctx: Ctx, case_id: UUID, reason: str) -> CommandResult:
    def change(app: LinliApp, case: Case) -> None:
        case.downgrade(ctx, handler(app, ctx, plan_of(app, ctx)), reason, terms(app, ctx))

    return await run_on_case(rt, "case.downgrade", ctx, case_id, change)


async def add_note(rt: Commands, ctx: Ctx, case_id: UUID, text: str, photos: Sequence[str] = ()) -> CommandResult:
    def change(app: LinliApp, case: Case) -> None:
        case.add_note(ctx, handler(app, ctx, plan_of(app, ctx)), text, list(photos))

    return await run_on_case(rt, "case.note", ctx, case_id, change)


async def hand_over(rt: Commands, ctx: Ctx, case_id: UUID, to_id: UUID, reason: str) -> CommandResult:
    def change(app: LinliApp, case: Case) -> None:
        plan = plan_of(app, ctx)
        case.hand_over(ctx, handler(app, ctx, plan), colleague(app, ctx, plan, to_id), reason)

    return await run_on_case(rt, "case.hand_over", ctx, case_id, change)


async def merge(rt: Commands, ctx: Ctx, case_id: UUID, duplicate_id: UUID) -> CommandResult:
    """The owner merges a duplicate into their case (both saved together)."""

    def action(app: LinliApp) -> Steps:
        case, duplicate = load_case(app, ctx, case_id), load_case(app, ctx, duplicate_id)
        case.merge(ctx, handler(app, ctx, plan_of(app, ctx)), duplicate)
        return [case, duplicate], {}

    return await rt.execute("case.merge", ctx, case_id, action)


async def request_extension(rt: Commands, ctx: Ctx, case_id: UUID, days: int, reason: str) -> CommandResult:
    def change(app: LinliApp, case: Case) -> None:
        case.request_extension(ctx, handler(app, ctx, plan_of(app, ctx)), days, reason, terms(app, ctx))

    return await run_on_case(rt, "case.request_extension", ctx, case_id, change)


async def approve_extension(rt: Commands, ctx: Ctx, case_id: UUID) -> CommandResult:
    def change(app: LinliApp, case: Case) -> None:
        authorize(app, ctx, "case.supervise")
        case.approve_extension(ctx, terms(app, ctx))

    return await run_on_case(rt, "case.approve_extension", ctx, case_id, change)


async def decline_extension(rt: Commands, ctx: Ctx, case_id: UUID, reason: str) -> CommandResult:
    def change(app: LinliApp, case: Case) -> None:
        authorize(app, ctx, "case.supervise")
        case.decline_extension(ctx, reason)

    return await run_on_case(rt, "case.decline_extension", ctx, case_id, change)


async def answer(rt: Commands, ctx: Ctx, case_id: UUID, text: str, photos: Sequence[str] = ()) -> CommandResult:
    def change(app: LinliApp, case: Case) -> None:
        case.answer(ctx, handler(app, ctx, plan_of(app, ctx)), text, list(photos), terms(app, ctx))

    return await run_on_case(rt, "case.answer", ctx, case_id, change)


# -- the raisers -------------------------------------------------------------------------------------------------
async def join(rt: Commands, ctx: Ctx, case_id: UUID) -> CommandResult:
    """我也遇到: follow a neighbour's public case instead of raising the same again."""

    def change(app: LinliApp, case: Case) -> None:
        authorize(app, ctx, "case.raise")
        case.join(ctx, acting_for(ctx))

    return await run_on_case(rt, "case.join", ctx, case_id, change)


async def rate(
    rt: Commands, ctx: Ctx, case_id: UUID, level: str, solved: bool, comment: str = "", channel: str = "self"
) -> CommandResult:
    """A raiser rates the answer; a clerk records a rating given by phone or on a visit (回访): on_behalf_of the
    raiser, with the channel. The result's "result" says what followed: rated, closed or reopened."""

    def change(app: LinliApp, case: Case) -> str:
        authorize(app, ctx, "case.raise")  # acting for the raiser needs the clerk's resident.assist
        if (ctx.on_behalf_of is None) != (channel == "self"):
            raise DomainError("A rating recorded for a raiser says how it was given (phone or visit).", "channel")
        return case.rate(ctx, acting_for(ctx), level, solved, comment, channel, terms(app, ctx))

    return await run_on_case(rt, "case.rate", ctx, case_id, change)


# -- the system (rounds) -----------------------------------------------------------------------------------------
async def keep_deadlines(rt: Commands, ctx: Ctx, case_id: UUID) -> CommandResult:
    """The notices due on a case (each once), or its closing at the end of the rating window."""
    return await run_on_case(rt, "case.keep_deadlines", ctx, case_id, lambda app, c: c.keep_deadlines(ctx))


async def requeue(rt: Commands, ctx: Ctx, case_id: UUID) -> CommandResult:
    """An owner who no longer handles cases (their grid worker term ended, the role was revoked): their case goes
    to the clerk's queue. Their roles are read from their own aggregate, never from a view."""

    def change(app: LinliApp, case: Case) -> None:
        owner = read(app, case.owner_id, Resident) if case.owner_id else None
        still = owner is not None and may(owner.actor(ctx.today), "case.handle", ctx.community_id)
        case.requeue(ctx, still, "term_ended")

    return await run_on_case(rt, "case.requeue", ctx, case_id, change)
