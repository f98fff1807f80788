"""The system's rounds, beside the projector: deadlines each context keeps by itself (an online ballot closes when
its period ends; a lapsed seat offer passes on; a forgotten check-out is made at the shift's end;
a booking's reminders are recorded and pushed to subscribed phones). Every pass is a
command with a deterministic id, so a second process making rounds finds it done."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from backend.deliberation.deadlines import close_due_ballots
from backend.inbox.push import push_notifications
from backend.runtime import Runtime
from backend.services.rounds import remind_bookings
from backend.volunteering.rounds import keep_shifts

log = logging.getLogger(__name__)
EVERY_SECONDS = 15
PASSES: tuple[Callable[[Runtime, datetime], Awaitable[Any]], ...] = (
    close_due_ballots,
    keep_shifts,
    remind_bookings,
    push_notifications,
)


async def keep(rt: Runtime) -> None:
    while True:
        for one_pass in PASSES:
            try:
                await one_pass(rt, datetime.now(UTC))
            except Exception:  # a failed pass must never stop the next one
                log.exception("%s failed", one_pass.__name__)
        await asyncio.sleep(EVERY_SECONDS)
