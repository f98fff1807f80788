"""The system's rounds, beside the projector: every EVERY_SECONDS the passes the contexts registered run one after
another (an online ballot closes when its period ends; a lapsed seat offer passes on; a forgotten check-out is made
at the shift's end; a booking's reminders are recorded and pushed). Every pass runs commands with deterministic
ids, so a second process making rounds finds them done."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from backend.kernel.ports import Commands, Pass

log = logging.getLogger(__name__)
EVERY_SECONDS = 15


async def keep(rt: Commands, passes: Sequence[Pass]) -> None:
    while True:
        for one_pass in passes:
            try:
                await one_pass(rt, datetime.now(UTC))
            except Exception:  # a failed pass must never stop the next one
                log.exception("%s failed", getattr(one_pass, "__name__", one_pass))
        await asyncio.sleep(EVERY_SECONDS)
