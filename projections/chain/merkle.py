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
    row = await (
        MerkleNode.select(MerkleNode.node)
        .where(MerkleNode.position > 0)
        .order_by(MerkleNode.position, ascending=False)
        .first()
    )
    return int(row["node"]) // 64 + 1 if row else 0


async def size_at(position: int) -> int:
    """The tree's size once the event at this log position was in it (0: before the first)."""
    row = await (
        MerkleNode.select(MerkleNode.node)
        .where((MerkleNode.position > 0) & (MerkleNode.position <= position))
        .order_by(MerkleNode.position, ascending=False)
        .first()
    )
    return int(row["node"]) // 64 + 1 if row else 0


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


async def append(records: list[Notification]) -> None:
    """The leaves of these events (the next ones of the log, in order) and the subtrees they complete, written in
    one statement; the left siblings they need are the current tree's perfect subtrees, read in one."""
    tree_size = await size()
    known = await nodes(merkle.parts(0, tree_size))
    rows = []
    for record in records:
        made = merkle.appended(tree_size, merkle.leaf_hash(canonical(record)), known.__getitem__)
        for node, value in made:
            known[node] = value
            rows.append({"node": key(node), "hash": value.hex(), "position": record.id if node[0] == 0 else 0})
        tree_size += 1
    await bulk_insert(MerkleNode, rows)
