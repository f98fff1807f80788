"""The system's rounds over shifts: a lapsed offer passes to the next on the waitlist, and whoever forgot to check
out is checked out at the shift's end and flagged for the leader. Each round is a command of the shift, so it runs
once however many processes make rounds (one per shift and minute)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.kernel.ports import Commands
from backend.kernel.rounds import each_due, minute_of
from backend.volunteering import commands
from projections.volunteering import queries


async def keep_shifts(rt: Commands, now: datetime) -> list[UUID]:
    return await each_due(
        await queries.shifts_due(now),
        now,
        lambda shift_id: f"shift-round-{shift_id}-{minute_of(now)}",
        lambda ctx, shift_id: commands.keep_shift(rt, ctx, shift_id),
    )
