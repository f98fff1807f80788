"""Deadlines the procedure keeps by itself: an online ballot closes, and its result is recorded, once its voting
period is over. One of the passes the runtime makes (registered in backend.contexts)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.deliberation.commands import meetings
from backend.kernel.ports import Commands
from backend.kernel.rounds import each_due
from projections.deliberation import queries


async def close_due_ballots(rt: Commands, now: datetime) -> list[UUID]:
    """Close every online ballot whose period ended by `now`, as the system, once (the command id is the ballot's;
    one closed meanwhile, by the clerk or another process, is skipped)."""
    return await each_due(
        await queries.online_ballots_due(now),
        now,
        lambda meeting_id: f"close-online-ballot-{meeting_id}",
        lambda ctx, meeting_id: meetings.close_ballot(rt, ctx, meeting_id),
    )
