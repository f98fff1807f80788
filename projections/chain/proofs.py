"""A proof that travels (backend/kernel/proofs.py) for one event: its leaf's inclusion in the tree of the latest
checkpoint, with the cosignatures that checkpoint has so far."""

from __future__ import annotations

import anyio
from eventsourcing.persistence import ApplicationRecorder

from backend.kernel.merkle import leaf_hash
from backend.kernel.proofs import Proof, Verdict
from projections.chain import merkle as tree
from projections.chain import queries as chain


async def proof_of(position: int) -> Proof | None:
    """The proof of the event at log `position`, or None while no signed checkpoint covers it yet."""
    index = await tree.leaf_index(position) if 0 < position < 2**63 else None
    latest = await chain.latest_checkpoint()
    if index is None or latest is None or int(latest["size"]) <= index:
        return None
    size = int(latest["size"])
    leaf = (await tree.nodes([(0, index)]))[(0, index)]
    hashes = await tree.inclusion_proof(index, size)
    note = latest["note"] + "".join(c["line"] for c in await chain.cosignatures(size))
    return Proof(position, leaf, index, tuple(hashes), note)


async def still_holds(recorder: ApplicationRecorder, proof: Proof, verdict: Verdict) -> bool:
    """Whether today's record holds what a verified proof shows: the tree of its size has its signed root, and the
    stored event at its position still hashes to its leaf. False means the record was rewritten since."""
    if await tree.size() < verdict.size or await tree.root(verdict.size) != verdict.root:
        return False
    at = proof.position
    found = await anyio.to_thread.run_sync(lambda: recorder.select_notifications(at, 1, stop=at))
    return bool(found) and found[0].id == at and leaf_hash(tree.canonical(found[0])) == proof.leaf
