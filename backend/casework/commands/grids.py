"""The clerk draws the community's grids and names who holds them (网格员, 楼长): one aggregate per community, so a
building is never in two grids whatever two clerks do at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from backend.casework.commands.common import Steps, load_plan
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.rules import grid_plan_id_for
from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp
from backend.residents.reads import authorize, load_resident


async def _on_plan(
    rt: Commands, name: str, ctx: Ctx, change: Callable[[LinliApp, GridPlan], Any], key: str = ""
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "grid.plan")
        plan = load_plan(app, ctx)
        result = change(app, plan)
        return [plan], ({key: str(result)} if key else {})

    return await rt.execute(name, ctx, grid_plan_id_for(ctx.community_id), action)


async def draw_grid(rt: Commands, ctx: Ctx, name: str) -> CommandResult:
    return await _on_plan(rt, "grid.draw", ctx, lambda app, plan: plan.draw(ctx, name), key="grid_id")


async def rename_grid(rt: Commands, ctx: Ctx, grid_id: UUID, name: str) -> CommandResult:
    return await _on_plan(rt, "grid.rename", ctx, lambda app, plan: plan.rename(ctx, grid_id, name))


async def add_building(rt: Commands, ctx: Ctx, grid_id: UUID, building: str) -> CommandResult:
    return await _on_plan(rt, "grid.add_building", ctx, lambda app, plan: plan.add_building(ctx, grid_id, building))


async def move_building(rt: Commands, ctx: Ctx, building: str, to_grid_id: UUID) -> CommandResult:
    return await _on_plan(
        rt, "grid.move_building", ctx, lambda app, plan: plan.move_building(ctx, building, to_grid_id)
    )


async def remove_building(rt: Commands, ctx: Ctx, building: str) -> CommandResult:
    return await _on_plan(rt, "grid.remove_building", ctx, lambda app, plan: plan.remove_building(ctx, building))


async def set_place(rt: Commands, ctx: Ctx, name: str, grid_id: UUID | None) -> CommandResult:
    return await _on_plan(rt, "grid.set_place", ctx, lambda app, plan: plan.set_place(ctx, name, grid_id))


async def assign_worker(rt: Commands, ctx: Ctx, grid_id: UUID, resident_id: UUID) -> CommandResult:
    def change(app: LinliApp, plan: GridPlan) -> None:
        holds = "grid_worker" in load_resident(app, ctx, resident_id).roles_on(ctx.today)
        plan.assign_worker(ctx, grid_id, resident_id, holds)

    return await _on_plan(rt, "grid.assign_worker", ctx, change)


async def unassign_worker(rt: Commands, ctx: Ctx, grid_id: UUID, reason: str) -> CommandResult:
    return await _on_plan(rt, "grid.unassign_worker", ctx, lambda app, plan: plan.unassign_worker(ctx, grid_id, reason))


async def assign_head(rt: Commands, ctx: Ctx, building: str, resident_id: UUID) -> CommandResult:
    def change(app: LinliApp, plan: GridPlan) -> None:
        holds = "building_head" in load_resident(app, ctx, resident_id).roles_on(ctx.today)
        plan.assign_head(ctx, building, resident_id, holds)

    return await _on_plan(rt, "grid.assign_head", ctx, change)


async def unassign_head(rt: Commands, ctx: Ctx, building: str, reason: str) -> CommandResult:
    return await _on_plan(rt, "grid.unassign_head", ctx, lambda app, plan: plan.unassign_head(ctx, building, reason))
