"""The system's rounds over shifts: a lapsed offer passes to the next on the waitlist, and whoever forgot to check
out is checked out at the shift's end and flagged for the leader. Each round is a command of the shift, so it runs
once however many processes make rounds."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.volunteering import commands
from projections import volunteering as views

log = logging.getLogger(__name__)


async def keep_shifts(rt: Commands, now: datetime) -> list[UUID]:
    kept = []
    for row in await views.shifts_due(now):
        shift_id = UUID(str(row["id"]))
        window = int(now.timestamp()) // 60  # one round per shift and minute, whoever runs it
        ctx = Ctx(row["community_id"], None, now, command_id=f"shift-round-{shift_id}-{window}")
        try:
            await commands.keep_shift(rt, ctx, shift_id)
        except DomainError as error:
            log.info("shift %s round refused: %s", shift_id, error.message)
            continue
        kept.append(shift_id)
    return kept
