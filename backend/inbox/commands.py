"""Commands of the inbox: mark read, subscribe a phone to Web Push or turn it off, choose which notices are pushed and
the quiet hours, push a notification (recorded on the inbox before it is sent, so it goes out at most once), and
remind the residents who may still vote that a ballot closes within the day (once a ballot)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.inbox.domain.inbox import Inbox, inbox_id_for
from backend.inbox.domain.kinds import KINDS, opt_in_kinds
from backend.inbox.domain.preferences import Preferences
from backend.inbox.domain.reminder import Reminder, reminder_id_for
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


async def set_preferences(rt: Commands, ctx: Ctx, prefs: Preferences) -> CommandResult:
    """The signed-in resident's choices of notices; the result says whether anything changed ("changed" or "")."""
    resident_id = _own(ctx)

    def action(app: LinliApp) -> Steps:
        inbox = load_inbox(app, ctx, resident_id)
        changed = inbox.set_preferences(ctx, prefs, frozenset(KINDS), opt_in_kinds())
        return [inbox], {"result": "changed" if changed else ""}

    return await rt.execute("inbox.preferences", ctx, inbox_id_for(resident_id), action)


async def remind_ballot_closing(
    rt: Commands, ctx: Ctx, meeting_id: UUID, closes_at: datetime, to: list[UUID]
) -> CommandResult:
    """The system reminds `to` that the ballot closes at `closes_at`; a second reminder of it is refused (409)."""
    reminder_id = reminder_id_for(meeting_id, "ballot_closing")

    def action(app: LinliApp) -> Steps:
        if reminder_id in app.repository:
            raise DomainError("Already reminded.", status=409)
        return [Reminder.ballot_closing(ctx, meeting_id, closes_at, to)], {"result": ""}

    return await rt.execute("inbox.remind", ctx, reminder_id, action)
