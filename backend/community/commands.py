"""Founding communities and setting rules."""

from __future__ import annotations

from datetime import date

from backend.community.domain.community import Community, community_id_for
from backend.community.reads import load_community
from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp


async def found(rt: Commands, ctx: Ctx, name: str, code: str) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[Community], dict[str, str]]:
        community = Community.found(ctx, name, code)
        return [community], {"community_id": str(community.id)}

    return await rt.execute("community.found", ctx, community_id_for(code.strip().lower()), action)


async def set_rule(rt: Commands, ctx: Ctx, rule: str, value: int, effective_from: date) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[Community], dict[str, str]]:
        community = load_community(app, ctx.community_id)
        community.set_rule(ctx, rule, value, effective_from)
        return [community], {}

    return await rt.execute("community.set_rule", ctx, ctx.community_id, action)


async def set_vote_rule(
    rt: Commands, ctx: Ctx, key: str, quorum: str, passing: str, base: str, effective_from: date, source: str = ""
) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[Community], dict[str, str]]:
        community = load_community(app, ctx.community_id)
        community.set_vote_rule(ctx, key, quorum, passing, base, effective_from, source)
        return [community], {}

    return await rt.execute("community.set_vote_rule", ctx, ctx.community_id, action)


async def set_street(rt: Commands, ctx: Ctx, street: str) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[Community], dict[str, str]]:
        community = load_community(app, ctx.community_id)
        community.set_street(ctx, street)
        return [community], {}

    return await rt.execute("community.set_street", ctx, ctx.community_id, action)
