"""The Merkle tree the projector keeps over the log (projections/chain/merkle.py), on SQLite or PostgreSQL: built in
batches of any size it is the tree of RFC 9162 over the stored events' canonical bytes; its root at every earlier
size, every inclusion proof and the consistency proofs between sizes verify; rebuilt from nothing it is the same."""

from __future__ import annotations

import contextlib

from backend.kernel import merkle
from backend.runtime import Runtime
from projections.chain import merkle as tree
from projections.chain.handlers import MerkleProjection
from projections.chain.tables import MerkleNode
from projections.db import write_transaction
from projections.runner import Projector
from projections.types import Item
from tests.conftest import NOW
from tests.factories import community


def stored_leaves(rt: Runtime) -> list[bytes]:
    """The leaves as anyone holding a copy of the log would compute them, straight from the stored events."""
    leaves, start = [], 1
    while batch := rt.store.recorder.select_notifications(start, 500):
        leaves += [merkle.leaf_hash(tree.canonical(n)) for n in batch]
        start = batch[-1].id + 1
    return leaves


async def test_the_tree_over_the_log_is_the_rfcs_at_every_size(quiet):
    rt = quiet
    await community(rt, NOW, residents=9, passwords=False)
    rt.projector.batch_size = 7  # many batches: each appends to the tree the last one left
    await rt.projector.catch_up()
    leaves = stored_leaves(rt)
    n = len(leaves)
    assert n > 30 and await tree.size() == n
    rows = await MerkleNode.count()
    assert rows < 2 * n, "each perfect subtree once: fewer than 2n nodes"
    for size in range(1, n + 1):
        root = await tree.root(size)
        assert root == merkle.root_of(leaves[:size])
        for index in {0, size // 2, size - 1}:
            proof = await tree.inclusion_proof(index, size)
            assert merkle.verify_inclusion(index, size, leaves[index], proof, root)
        for size1 in {1, size // 3, size - 1}:
            if 0 < size1 <= size:
                proof = await tree.consistency_proof(size1, size)
                assert merkle.verify_consistency(size1, size, merkle.root_of(leaves[:size1]), root, proof)
    assert await tree.root(0) == merkle.EMPTY_ROOT
    assert await tree.leaf_index(1) == 0 and await tree.size_at(n) == n and await tree.size_at(0) == 0


async def test_rebuilt_from_nothing_the_tree_is_the_same(quiet):
    rt = quiet
    await community(rt, NOW, residents=4, passwords=False)
    await rt.projector.catch_up()
    before = await tree.root(await tree.size())
    await rt.projector.reset(["merkle"])
    assert await tree.size() == 0
    rt.projector.batch_size = 5
    await rt.projector.catch_up()
    assert await tree.root(await tree.size()) == before == merkle.root_of(stored_leaves(rt))


async def test_a_batch_rolled_back_or_applied_elsewhere_leaves_no_stale_edge_in_memory(quiet):
    """The tree's right edge kept in memory between batches is trusted only while the stored tree ends where this
    process left it: a batch that rolled back, a reset, or batches applied by another projector make it read again."""
    rt = quiet
    await community(rt, NOW, residents=3, passwords=False)
    rt.projector.batch_size = 4
    await rt.projector.catch_up()
    mine = next(p for p in rt.projector.projections if p.name == "merkle")
    await community(rt, NOW, residents=2, passwords=False, code="another")
    start = rt.projector.position + 1
    items = [Item(n.id, n, None) for n in rt.store.recorder.select_notifications(start, 3)]
    with contextlib.suppress(RuntimeError):
        async with write_transaction(rt.projector.engine):
            await mine.apply(items)
            raise RuntimeError("the batch fails after the tree's rows were written")
    other = Projector(rt.store, rt.projector.engine, [MerkleProjection()], batch_size=2)  # another process's
    await other.catch_up()
    await community(rt, NOW, residents=1, passwords=False, code="third")
    await rt.projector.catch_up()
    leaves = stored_leaves(rt)
    assert await tree.size() == len(leaves)
    assert await tree.root(len(leaves)) == merkle.root_of(leaves)
