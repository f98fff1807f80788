"""Commands of a sitting's speaker list (发言): a member asks for the floor or withdraws; the chair (meeting.run)
moves a member up, gives the floor for the rulebook's `speaking_minutes` and ends the turn."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.community.reads import load_community
from backend.deliberation.commands.meetings import load_meeting
from backend.deliberation.domain.floor import Floor, floor_id
from backend.deliberation.domain.meeting import Meeting
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp
from backend.residents.reads import authorize

Steps = tuple[list[LinliAggregate], dict[str, str]]


def _floor(app: LinliApp, ctx: Ctx, meeting: Meeting) -> Floor:
    try:
        found = app.repository.get(floor_id(meeting.id))
    except AggregateNotFoundError:
        return Floor.open(ctx, meeting)
    assert isinstance(found, Floor)
    return found


async def _on_floor(
    rt: Commands,
    name: str,
    ctx: Ctx,
    meeting_id: UUID,
    action_name: str,
    change: Callable[[LinliApp, Floor, Meeting], dict[str, str] | None],
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, action_name)
        meeting = load_meeting(app, ctx, meeting_id)
        floor = _floor(app, ctx, meeting)
        return [floor], change(app, floor, meeting) or {}

    return await rt.execute(name, ctx, floor_id(meeting_id), action)


async def ask(rt: Commands, ctx: Ctx, meeting_id: UUID) -> CommandResult:
    """The signed-in member asks for the floor for themselves (never on another's behalf: it is their voice)."""
    return await _on_floor(
        rt, "floor.ask", ctx, meeting_id, "meeting.vote", lambda _a, f, m: f.ask(ctx, m, _self(ctx))
    )


async def withdraw(rt: Commands, ctx: Ctx, meeting_id: UUID) -> CommandResult:
    return await _on_floor(
        rt, "floor.withdraw", ctx, meeting_id, "meeting.vote", lambda _a, f, _m: f.withdraw(ctx, _self(ctx))
    )


async def move_up(rt: Commands, ctx: Ctx, meeting_id: UUID, resident_id: UUID) -> CommandResult:
    return await _on_floor(
        rt, "floor.order", ctx, meeting_id, "meeting.run", lambda _a, f, m: f.move_up(ctx, m, resident_id)
    )


async def start_turn(rt: Commands, ctx: Ctx, meeting_id: UUID, resident_id: UUID | None = None) -> CommandResult:
    """The floor for the named member (the next one if none), for the rulebook's minutes of the day."""

    def change(app: LinliApp, floor: Floor, meeting: Meeting) -> dict[str, str]:
        minutes = load_community(app, ctx.community_id).rule("speaking_minutes", ctx.today)
        chosen = floor.start_turn(ctx, meeting, resident_id, minutes * 60)
        return {"resident_id": str(chosen)}

    return await _on_floor(rt, "floor.start", ctx, meeting_id, "meeting.run", change)


async def end_turn(rt: Commands, ctx: Ctx, meeting_id: UUID) -> CommandResult:
    return await _on_floor(rt, "floor.end", ctx, meeting_id, "meeting.run", lambda _a, f, _m: f.end_turn(ctx))


def _self(ctx: Ctx) -> UUID:
    if ctx.actor_id is None or ctx.on_behalf_of is not None:
        raise DomainError("Members ask for the floor themselves.", status=403)
    return ctx.actor_id
