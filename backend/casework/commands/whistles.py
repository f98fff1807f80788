"""吹哨 and 报到: the owner whistles a case to a department of the street (the one the matter list names unless they
choose another), through the street (whose operator may re-route it); the department reports in, may return it as
not its own within its time to report in (退单), and answers; its answer comes back to the owner. A department's staff
act in the case's community (the ctx names it), only on cases whistled to their department."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from backend.casework.commands.common import (
    department_of,
    handler,
    matter_items,
    plan_of,
    run_on_case,
    street_operator,
    terms,
)
from backend.casework.commands.street import load_department
from backend.casework.domain.case import Case
from backend.community.reads import load_community
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp


def _street_department(app: LinliApp, ctx: Ctx, department_id: UUID) -> UUID:
    """A department of the case's community's street."""
    street = load_community(app, ctx.community_id).street
    if not street or load_department(app, department_id).street != street:
        raise DomainError("Choose a department of the street.", "department_id")
    return department_id


async def whistle(
    rt: Commands, ctx: Ctx, case_id: UUID, reason: str = "", department_id: UUID | None = None
) -> CommandResult:
    """To `department_id`, a department of the case's street the owner chose; None: the one the matter list names
    for the case's category today (else the one it named when the case was raised). A 即办 category needs a
    reason."""

    def change(app: LinliApp, case: Case) -> str:
        owner = handler(app, ctx, plan_of(app, ctx))
        chosen = department_id
        if chosen is None:
            line = matter_items(app, ctx, ctx.today).get(case.category)
            chosen = (line.department_id if line else None) or case.department_id
        if chosen is None:
            raise DomainError(
                "The matter list names no department for this category: choose the department.", "department_id"
            )
        chosen = _street_department(app, ctx, chosen)
        case.whistle_to(ctx, owner, chosen, reason, terms(app, ctx))
        return str(chosen)

    return await run_on_case(rt, "case.whistle", ctx, case_id, change)


async def reroute(rt: Commands, ctx: Ctx, case_id: UUID, department_id: UUID, reason: str) -> CommandResult:
    """The street operator sends a whistle to another department of the street (ctx: the case's community)."""

    def change(app: LinliApp, case: Case) -> None:
        street_operator(app, ctx, load_community(app, ctx.community_id).street)
        case.reroute(ctx, _street_department(app, ctx, department_id), reason, terms(app, ctx))

    return await run_on_case(rt, "case.reroute", ctx, case_id, change)


async def report_in(rt: Commands, ctx: Ctx, case_id: UUID) -> CommandResult:
    return await run_on_case(
        rt, "case.report_in", ctx, case_id, lambda app, c: c.report_in(ctx, department_of(app, ctx, c))
    )


async def return_whistle(rt: Commands, ctx: Ctx, case_id: UUID, reason: str) -> CommandResult:
    return await run_on_case(
        rt, "case.return", ctx, case_id, lambda app, c: c.return_whistle(ctx, department_of(app, ctx, c), reason)
    )


async def department_answer(
    rt: Commands, ctx: Ctx, case_id: UUID, text: str, photos: Sequence[str] = ()
) -> CommandResult:
    def change(app: LinliApp, case: Case) -> None:
        case.department_answer(ctx, department_of(app, ctx, case), text, list(photos))

    return await run_on_case(rt, "case.department_answer", ctx, case_id, change)
