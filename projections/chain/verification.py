"""What the server's check of its own record says (issue 24: the server watches itself, backend/record/watch.py):
one row per alarm raised or cleared, as the log's VerificationFailed and VerificationRestored events say; the latest
row is the state the staff's banner, the street dashboard and the public board show. And how far the chain and the
tree have been projected: the check reads no further, so that the projector's lag is never taken for a loss."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from piccolo.columns import BigInt, Boolean, Timestamptz, Varchar
from piccolo.table import Table

from backend.record.domain.log import TransparencyLog
from projections.chain.tables import CheckpointView, MerkleNode
from projections.db import bulk_insert
from projections.runner import ProjectionPosition
from projections.types import Item, LiveMessage

WATCHED = ("chain", "merkle")  # the projections the check compares the stored events with


class VerificationView(Table, tablename="chain_verification"):
    """The alarm as each event of the log left it: failing or not, since when, what was found first."""

    position = BigInt(primary_key=True)  # the log position of the event
    failing = Boolean(default=False)
    since = Timestamptz()  # failing: when the alarm was first raised (a later finding keeps it); else: restored at
    at = Timestamptz()  # the event's time
    first_bad = BigInt(default=0)  # the first position found wrong (0 once restored)
    finding = Varchar(length=20, default="")  # one of backend.record.domain.log.FINDINGS
    other = BigInt(default=0)  # the position a moved event came from, or the size of the checkpoint not matched


class VerificationProjection:
    name = "verification"
    tables: ClassVar[Sequence[type[Table]]] = (VerificationView,)
    handles: ClassVar[Sequence[type]] = (TransparencyLog.VerificationFailed, TransparencyLog.VerificationRestored)

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        latest = await alarm()
        rows = []
        for item in items:
            e = item.event
            if isinstance(e, TransparencyLog.VerificationFailed):
                since = latest["since"] if latest is not None else e.timestamp
                row = {"failing": True, "since": since, "first_bad": e.position, "finding": e.finding, "other": e.other}
            elif isinstance(e, TransparencyLog.VerificationRestored):
                row = {"failing": False, "since": e.timestamp, "first_bad": 0, "finding": "", "other": 0}
            else:
                continue
            row = {"position": item.position, "at": e.timestamp, **row}
            rows.append(row)
            latest = row if row["failing"] else None
        await bulk_insert(VerificationView, rows)
        return []


async def alarm() -> dict[str, Any] | None:
    """The alarm while the check finds the record altered (first_bad, finding, other, since, at), else None."""
    row = await VerificationView.select().order_by(VerificationView.position, ascending=False).first()
    return row if row is not None and row["failing"] else None


async def projected() -> int:
    """The log position both the chain and the tree have reached (0 before they start)."""
    rows = await ProjectionPosition.select(ProjectionPosition.name, ProjectionPosition.position).where(
        ProjectionPosition.name.is_in(list(WATCHED))
    )
    positions = {row["name"]: int(row["position"]) for row in rows}
    return min(positions.get(name, 0) for name in WATCHED)


async def leaves(start: int, stop: int) -> dict[int, tuple[int, bytes]]:
    """The tree's leaves for the events at positions `start`..`stop`: by position, the leaf's index and hash."""
    rows = await MerkleNode.select(MerkleNode.node, MerkleNode.hash, MerkleNode.position).where(
        (MerkleNode.position >= max(start, 1)) & (MerkleNode.position <= stop)
    )
    return {int(r["position"]): (int(r["node"]) // 64, bytes.fromhex(r["hash"])) for r in rows}


async def nodes(wanted: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of these nodes (level, index), in one statement (the keys are numbers this process made:
    written into it as such, which is much cheaper than binding each for thousands of nodes)."""
    if not wanted:
        return {}
    keys = ",".join(str(index * 64 + level) for level, index in wanted)
    rows = await MerkleNode.raw(f"SELECT node, hash FROM merkle_node WHERE node IN ({keys})")
    return {(int(r["node"]) % 64, int(r["node"]) // 64): bytes.fromhex(r["hash"]) for r in rows}


async def signed_roots(after: int) -> dict[int, bytes]:
    """The roots the log signed for trees of more than `after` leaves, by size."""
    rows = await CheckpointView.select(CheckpointView.size, CheckpointView.root).where(CheckpointView.size > after)
    return {int(r["size"]): bytes.fromhex(r["root"]) for r in rows}
