"""The system's round over bookings: the day-before and hour-before reminders due are recorded on their slots (each
once: the slot remembers what it sent, so a restart in the middle of the schedule neither loses nor repeats one)."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.services import commands
from projections import services as views

log = logging.getLogger(__name__)


async def remind_bookings(rt: Commands, now: datetime) -> list[UUID]:
    reminded = []
    for row in await views.reminders_due(now):
        slot_id = UUID(str(row["slot_id"]))
        window = int(now.timestamp()) // 60
        ctx = Ctx(row["community_id"], None, now, command_id=f"slot-remind-{slot_id}-{window}")
        try:
            await commands.remind(rt, ctx, slot_id)
        except DomainError as error:
            log.info("slot %s reminders: %s", slot_id, error.message)
            continue
        reminded.append(slot_id)
    return reminded
