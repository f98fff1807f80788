"""The system's round over bookings: the day-before and hour-before reminders due are recorded on their slots (each
once: the slot remembers what it sent, so a restart in the middle of the schedule neither loses nor repeats one)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.kernel.ports import Commands
from backend.kernel.rounds import each_due, minute_of
from backend.services import commands
from projections.services import queries as views


async def remind_bookings(rt: Commands, now: datetime) -> list[UUID]:
    return await each_due(
        await views.reminders_due(now),
        now,
        lambda slot_id: f"slot-remind-{slot_id}-{minute_of(now)}",
        lambda ctx, slot_id: commands.remind(rt, ctx, slot_id),
        id_key="slot_id",
    )
