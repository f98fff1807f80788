"""The log signs a checkpoint of its Merkle tree every CHECKPOINT_MINUTES while it grows. One of the passes the
runtime makes (registered in backend.contexts)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import anyio

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.record import commands
from backend.record.domain.log import CHECKPOINT_MINUTES, DEPLOYMENT
from projections.chain import merkle as tree
from projections.chain import queries as chain

log = logging.getLogger(__name__)


# The topics of the events that publish something (a notice on the board): the contexts register them
# (backend/contexts.py); a checkpoint is signed at the first round after one is projected, so that the notice's print
# view carries its signed proof within a round, not CHECKPOINT_MINUTES later.
PUBLICATIONS: list[str] = []


def sign_at_publication(*topics: str) -> None:
    PUBLICATIONS.extend(t for t in topics if t not in PUBLICATIONS)


async def _published_since(rt: Commands, after: int, upto: int) -> bool:
    if not PUBLICATIONS or upto <= after:
        return False
    recorder = rt.store.recorder
    found = await anyio.to_thread.run_sync(
        lambda: recorder.select_notifications(after + 1, 1, stop=upto, topics=PUBLICATIONS)
    )
    return bool(found)


async def sign_checkpoints(rt: Commands, now: datetime) -> int | None:
    """Sign the tree as the projector has it, unless the last checkpoint is recent (and nothing was published since)
    or nothing but its own events came after it (a checkpoint is an event too: without that, each would call for the
    next). The size signed, or None."""
    last = await chain.latest_checkpoint()
    recent = last is not None and now - last["signed_at"] < timedelta(minutes=CHECKPOINT_MINUTES)
    if recent and not await _published_since(rt, int(last["position"]), await tree.last_position()):
        return None
    size = await tree.size()
    # The command that signed the last one wrote the checkpoint and, right after it, its command record (and the
    # first time, before it, the log's opening): nothing beyond those, nothing new to sign.
    if size == 0 or (last is not None and size <= await tree.size_at(int(last["position"]) + 1)):
        return None
    ctx = Ctx(DEPLOYMENT, None, now, command_id=f"checkpoint-{size}")
    try:
        await commands.sign_checkpoint(rt, ctx, size, await tree.root(size))
    except DomainError as error:  # another process signed this size or a larger one first
        log.info("checkpoint of %s not signed: %s", size, error)
        return None
    return size
