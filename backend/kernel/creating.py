"""A command that makes a new aggregate (a provider, a team, a notice…): its id comes from the command's id, so a form
sent twice names the same aggregate and the second send is recognised as a repeat, never a second aggregate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp


async def create(
    rt: Commands,
    name: str,
    ctx: Ctx,
    namespace: UUID,
    key: str,
    *,
    check: Callable[[LinliApp], object],
    make: Callable[[LinliApp, UUID], Sequence[LinliAggregate]],
) -> CommandResult:
    """Run command `name` making an aggregate whose id is made from ctx's command id in `namespace`: `check` first
    (who may: it raises when not), then `make` (given the new id) returns what to save. The result names the new
    id under `key`."""
    new_id = uuid5(namespace, ctx.command_id)

    def action(app: LinliApp) -> tuple[Sequence[LinliAggregate], dict[str, str]]:
        check(app)
        return make(app, new_id), {key: str(new_id)}

    return await rt.execute(name, ctx, new_id, action)
