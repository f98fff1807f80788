"""The Merkle tree over the log, as the chain projection keeps it (MerkleNode: every perfect subtree, made once), and
what is read from it: the tree's size at a log position, its root at any size, inclusion and consistency proofs.
The hashing and the proofs' shapes are in backend/kernel/merkle.py; here only the reading and writing of nodes."""

from __future__ import annotations

from collections.abc import Iterable

from eventsourcing.persistence import Notification

from backend.kernel import merkle
from backend.kernel.merkle import Node
from projections.chain.tables import MerkleNode
from projections.db import bulk_insert

CHUNK = 500  # nodes to a statement


def canonical(record: Notification) -> bytes:
    """The event's bytes as the log stores them, with its position, aggregate, version and topic: what the chain's
    link and the tree's leaf are made of."""
    state = record.state
    body = state if isinstance(state, bytes | bytearray | memoryview) else str(state).encode()
    return f"{record.id}|{record.originator_id}|{record.originator_version}|{record.topic}|".encode() + bytes(body)


def key(node: Node) -> int:
    level, index = node
    return index * 64 + level


async def nodes(wanted: Iterable[Node]) -> dict[Node, bytes]:
    """The stored hashes of these nodes (a missing one is absent), a few statements for any number."""
    keys = sorted({key(n) for n in wanted})
    found: dict[Node, bytes] = {}
    for start in range(0, len(keys), CHUNK):
        rows = await MerkleNode.select(MerkleNode.node, MerkleNode.hash).where(
            MerkleNode.node.is_in(keys[start : start + CHUNK])
        )
        for r in rows:
            found[(int(r["node"]) % 64, int(r["node"]) // 64)] = bytes.fromhex(r["hash"])
    return found


async def size() -> int:
    """How many leaves the tree has: one past the last leaf's index."""
    return await size_at(2**63 - 1)


async def size_at(position: int) -> int:
    """The tree's size once the event at this log position was in it (0: before the first)."""
    row = await (
        MerkleNode.select(MerkleNode.node)
        .where((MerkleNode.position > 0) & (MerkleNode.position <= position))
        .order_by(MerkleNode.position, ascending=False)
        .first()
    )
    return int(row["node"]) // 64 + 1 if row else 0


async def last_position() -> int:
    """The log position of the tree's last leaf (0 for the empty tree)."""
    row = await MerkleNode.select(MerkleNode.position).order_by(MerkleNode.position, ascending=False).first()
    return int(row["position"]) if row else 0


async def leaf_index(position: int) -> int | None:
    row = await MerkleNode.select(MerkleNode.node).where(MerkleNode.position == position).first()
    return int(row["node"]) // 64 if row and position > 0 else None


async def _hashes(ranges: list[merkle.Range]) -> list[bytes]:
    found = await nodes(n for start, end in ranges for n in merkle.parts(start, end))
    return [merkle.fold([found[n] for n in merkle.parts(start, end)]) for start, end in ranges]


async def root(tree_size: int) -> bytes:
    """The root of the tree of the first `tree_size` leaves (that size must be reached)."""
    [value] = await _hashes([(0, tree_size)]) if tree_size else [merkle.EMPTY_ROOT]
    return value


async def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    return await _hashes(merkle.inclusion_ranges(index, tree_size))


async def consistency_proof(size1: int, size2: int) -> list[bytes]:
    return await _hashes(merkle.consistency_ranges(size1, size2))


class Appender:
    """Appends the leaves of the next events and the subtrees they complete, in one statement. The tree's right
    edge (its perfect subtrees: the left siblings the next leaves need) is kept in memory between batches, so that a
    batch of a few events (a vote) costs one statement to check that edge, not two to read it: the edge is trusted
    only while the tree's last leaf is the one this process wrote last and nothing follows it (a batch rolled back,
    or applied by another process, makes it read the edge again)."""

    def __init__(self) -> None:
        self.size = -1  # unknown: read the edge first
        self.last_position = 0
        self.edge: dict[Node, bytes] = {}

    async def _edge_holds(self) -> bool:
        if self.size <= 0:
            return False
        rows = await MerkleNode.raw(
            "SELECT node, position FROM merkle_node WHERE node IN ({}, {})",
            key((0, self.size - 1)),
            key((0, self.size)),
        )
        return [(int(r["node"]), int(r["position"])) for r in rows] == [(key((0, self.size - 1)), self.last_position)]

    async def append(self, records: list[Notification]) -> None:
        if not await self._edge_holds():
            self.size = await size()
            self.edge = await nodes(merkle.parts(0, self.size))
        tree_size, known = self.size, dict(self.edge)
        rows = []
        for record in records:
            made = merkle.appended(tree_size, merkle.leaf_hash(canonical(record)), known.__getitem__)
            for node, value in made:
                known[node] = value
                rows.append({"node": key(node), "hash": value.hex(), "position": record.id if node[0] == 0 else 0})
            tree_size += 1
        await bulk_insert(MerkleNode, rows)
        # Kept only once written (the transaction may still roll back: `_edge_holds` finds that out next time).
        self.size, self.last_position = tree_size, records[-1].id
        self.edge = {n: known[n] for n in merkle.parts(0, tree_size)}
