"""Reading the chain: its head, the link at a position, the position of a link; and `verify`, which walks the stored
events beside the stored links (the link rule is here, where both the projection and the check use it)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import anyio
from eventsourcing.persistence import Notification

from backend.kernel.store import LinliApp
from projections.chain.merkle import canonical
from projections.chain.tables import ChainLink, CheckpointView, CosignatureView

GENESIS = "0" * 64


def link(previous: str, record: Notification) -> str:
    return hashlib.sha256(bytes.fromhex(previous) + canonical(record)).hexdigest()


async def head() -> tuple[int, str]:
    rows = await ChainLink.select().order_by(ChainLink.position, ascending=False).limit(1)
    if not rows:
        return 0, GENESIS
    return int(rows[0]["position"]), rows[0]["link"]


async def link_at(position: int) -> str | None:
    row = await ChainLink.select(ChainLink.link).where(ChainLink.position == position).first()
    return row["link"] if row else None


async def position_of(chain_head: str) -> int | None:
    row = await ChainLink.select(ChainLink.position).where(ChainLink.link == chain_head.lower()).first()
    return int(row["position"]) if row else None


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    head_position: int
    head: str
    first_bad: int | None = None
    reason: str = ""


async def verify(app: LinliApp, stop: int | None = None, batch: int = 2000, start: int = 1) -> Verdict:
    """Walk the stored events and the stored links side by side, up to `stop` (default: the chain head); from
    `start`, on from the link stored before it (the server's own check walks a part of the log at a time)."""
    chain_position, _ = await head()
    stop = chain_position if stop is None else min(stop, chain_position)
    previous, expected, checked = GENESIS, max(start, 1), 0
    if expected > 1:
        before = await (
            ChainLink.select(ChainLink.link)
            .where(ChainLink.position < expected)
            .order_by(ChainLink.position, ascending=False)
            .first()
        )
        previous = before["link"] if before else GENESIS
    while expected <= stop:
        records = await anyio.to_thread.run_sync(
            lambda start=expected: app.recorder.select_notifications(start, batch, stop=stop)
        )
        rows = await (
            ChainLink.select(ChainLink.position, ChainLink.link)
            .where((ChainLink.position >= expected) & (ChainLink.position <= stop))
            .order_by(ChainLink.position)
            .limit(batch)
        )
        links = {int(r["position"]): r["link"] for r in rows}
        if not records:
            return Verdict(False, checked, stop, previous, expected, "events missing from the log")
        for record in records:
            if record.id != expected and expected in links:
                return Verdict(False, checked, stop, previous, expected, "event missing from the log")
            computed = link(previous, record)
            if links.get(record.id) != computed:
                reason = "no link stored" if record.id not in links else "stored event does not match its link"
                return Verdict(False, checked, stop, previous, record.id, reason)
            previous, expected, checked = computed, record.id + 1, checked + 1
    return Verdict(True, checked, stop, previous)


async def latest_checkpoint() -> dict[str, Any] | None:
    """The log's last signed checkpoint (size, root, note, signed_at), or None before the first."""
    return await CheckpointView.select().order_by(CheckpointView.size, ascending=False).first()


async def checkpoint_at(size: int) -> dict[str, Any] | None:
    return await CheckpointView.select().where(CheckpointView.size == size).first()


async def cosignatures(size: int) -> list[dict[str, Any]]:
    """The witnesses' cosignatures of the checkpoint of `size`, by witness."""
    return await CosignatureView.select().where(CosignatureView.size == size).order_by(CosignatureView.witness)
