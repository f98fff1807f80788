"""Commands of the errands done for residents (全程代办): the clerk opens one for a verified resident of the community,
ticks the documents received, hands it to the office, records the office's answer and hands it back; the resident
confirms receipt. Never reads a projection: the resident is checked on their aggregate."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, NotFound
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.domain.resident import Resident
from backend.residents.reads import authorize
from backend.workload.domain.errands import Errand, errand_id_for

Steps = tuple[list[LinliAggregate], dict[str, str]]


async def open_errand(rt: Commands, ctx: Ctx, resident_id: UUID, item_code: str) -> CommandResult:
    errand_id = errand_id_for(ctx.command_id)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "errand.run")
        try:
            resident = load_in_community(app, ctx, resident_id, Resident, "No such resident.", read_only=True)
        except NotFound:
            raise DomainError("Choose a resident of this community.", "resident_id") from None
        if resident.status != "verified" or resident.erased:
            raise DomainError("Choose a verified resident of this community.", "resident_id")
        made = Errand.open(ctx, errand_id, resident_id, item_code)
        return [made], {"errand_id": str(errand_id)}

    return await rt.execute("errand.open", ctx, errand_id, action)


def _load(app: LinliApp, ctx: Ctx, errand_id: UUID, action: str = "errand.run") -> Errand:
    authorize(app, ctx, action)
    return load_in_community(app, ctx, errand_id, Errand, "No such errand.")


async def receive(rt: Commands, ctx: Ctx, errand_id: UUID, document: str) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        errand = _load(app, ctx, errand_id)
        errand.receive(ctx, document)
        return [errand], {"errand_id": str(errand_id)}

    return await rt.execute("errand.receive", ctx, errand_id, action)


async def hand_over(rt: Commands, ctx: Ctx, errand_id: UUID, on: date) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        errand = _load(app, ctx, errand_id)
        errand.hand_over(ctx, on)
        return [errand], {"errand_id": str(errand_id)}

    return await rt.execute("errand.hand_over", ctx, errand_id, action)


async def decide(rt: Commands, ctx: Ctx, errand_id: UUID, result: str, reason: str = "") -> CommandResult:
    def action(app: LinliApp) -> Steps:
        errand = _load(app, ctx, errand_id)
        errand.decide(ctx, result, reason)
        return [errand], {"errand_id": str(errand_id)}

    return await rt.execute("errand.decide", ctx, errand_id, action)


async def hand_back(rt: Commands, ctx: Ctx, errand_id: UUID) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        errand = _load(app, ctx, errand_id)
        errand.hand_back(ctx)
        return [errand], {"errand_id": str(errand_id)}

    return await rt.execute("errand.hand_back", ctx, errand_id, action)


async def confirm(rt: Commands, ctx: Ctx, errand_id: UUID) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        errand = _load(app, ctx, errand_id, "errand.follow")
        errand.confirm(ctx)
        return [errand], {"errand_id": str(errand_id)}

    return await rt.execute("errand.confirm", ctx, errand_id, action)
