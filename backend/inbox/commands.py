"""Commands of the inbox: mark read, subscribe a phone to Web Push or turn it off, and push a notification (recorded
on the inbox before it is sent, so it goes out at most once)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.inbox.domain.inbox import Inbox, inbox_id_for
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp

Steps = tuple[list[LinliAggregate], dict[str, str]]


def load_inbox(app: LinliApp, ctx: Ctx, resident_id: UUID) -> Inbox:
    try:
        return app.repository.get(inbox_id_for(resident_id))
    except AggregateNotFoundError:
        return Inbox.open(ctx, resident_id)


def _own(ctx: Ctx) -> UUID:
    if ctx.actor_id is None:
        raise DomainError("Please sign in first.", status=403)
    return ctx.actor_id


async def _on_inbox(
    rt: Commands, name: str, ctx: Ctx, resident_id: UUID, change: Callable[[Inbox], object]
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        inbox = load_inbox(app, ctx, resident_id)
        result = change(inbox)
        return [inbox], {"result": " ".join(result) if isinstance(result, list) else ""}

    return await rt.execute(name, ctx, inbox_id_for(resident_id), action)


async def read(rt: Commands, ctx: Ctx, up_to: int) -> CommandResult:
    """The resident has read every notification up to this position of the log (never past its last one)."""
    resident_id = _own(ctx)

    def action(app: LinliApp) -> Steps:
        inbox = load_inbox(app, ctx, resident_id)
        inbox.read(ctx, up_to, app.recorder.max_notification_id() or 0)
        return [inbox], {"result": ""}

    return await rt.execute("inbox.read", ctx, inbox_id_for(resident_id), action)


async def subscribe(rt: Commands, ctx: Ctx, endpoint: str, p256dh: str, auth: str) -> CommandResult:
    local = rt.settings.push_local
    return await _on_inbox(
        rt, "inbox.subscribe", ctx, _own(ctx), lambda i: i.subscribe(ctx, endpoint, p256dh, auth, local)
    )


async def unsubscribe(rt: Commands, ctx: Ctx, resident_id: UUID, endpoint: str, gone: bool = False) -> CommandResult:
    return await _on_inbox(rt, "inbox.unsubscribe", ctx, resident_id, lambda i: i.unsubscribe(ctx, endpoint, gone))


async def push(rt: Commands, ctx: Ctx, resident_id: UUID, notification_id: UUID) -> CommandResult:
    """The system records a push; the result lists the endpoints (only the process whose record landed sends)."""
    return await _on_inbox(rt, "inbox.push", ctx, resident_id, lambda i: i.push(ctx, notification_id))
