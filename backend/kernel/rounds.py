"""The system's rounds, beside the projector: every EVERY_SECONDS the passes the contexts registered run one after
another (an online ballot closes when its period ends; a lapsed seat offer passes on; a forgotten check-out is made
at the shift's end; a booking's reminders are recorded and pushed). Every pass runs commands with deterministic
ids, so a second process making rounds finds them done."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
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


async def each_due(
    rows: Sequence[Mapping[str, Any]],
    now: datetime,
    command_id: Callable[[UUID], str],
    run: Callable[[Ctx, UUID], Awaitable[Any]],
    id_key: str = "id",
) -> list[UUID]:
    """Run `run` as the system for every due row (its id under `id_key`, its community under "community_id"), each
    under a command id made from the target (`command_id`), so that a second process making the same round finds
    it done. A target the rules refuse (closed meanwhile) is logged and skipped; the others go on. Returns the
    targets done."""
    done = []
    for row in rows:
        target = UUID(str(row[id_key]))
        ctx = Ctx(row["community_id"], None, now, command_id=command_id(target))
        try:
            await run(ctx, target)
        except DomainError as error:
            log.info("%s for %s refused: %s", getattr(run, "__name__", "a round"), target, error.message)
            continue
        done.append(target)
    return done


def minute_of(now: datetime) -> int:
    """The minute `now` falls in: a round's command id for it makes one pass per target and minute, whoever runs
    it."""
    return int(now.timestamp()) // 60
