"""Deadlines the procedure keeps by itself: an online ballot closes, and its result is recorded, once its voting
period is over. One of the passes the runtime makes (backend.contexts)."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from backend.deliberation import meetings
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from projections import deliberation as views

log = logging.getLogger(__name__)


async def close_due_ballots(rt: Commands, now: datetime) -> list[UUID]:
    """Close every online ballot whose period ended by `now`, as the system, once (the command id is the ballot's)."""
    closed = []
    for row in await views.online_ballots_due(now):
        meeting_id = UUID(str(row["id"]))
        ctx = Ctx(row["community_id"], None, now, command_id=f"close-online-ballot-{meeting_id}")
        try:
            await meetings.close_ballot(rt, ctx, meeting_id)
        except DomainError as error:  # closed meanwhile (by the clerk or another process)
            log.info("online ballot %s not closed: %s", meeting_id, error.message)
            continue
        closed.append(meeting_id)
    return closed
