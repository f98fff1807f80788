"""A proof that travels (backend/kernel/proofs.py) for one event: its leaf's inclusion in the tree of the latest
checkpoint, with the cosignatures that checkpoint has so far."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from eventsourcing.persistence import ApplicationRecorder

from backend.kernel.merkle import leaf_hash
from backend.kernel.proofs import Proof, Verdict, verify
from projections.chain import keys
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


async def verified(proof: Proof, log_key: str | None = None, more_witnesses: Sequence[str] = ()) -> Verdict | None:
    """The proof checked under this record's key (`log_key` when the caller has read it already) and its
    witnesses' (and `more_witnesses`); None before the record's first checkpoint, when it has no key yet."""
    log_key = log_key or await keys.log_key()
    if log_key is None:
        return None
    known = [row["verifier"] for row in await keys.witness_keys()]
    return verify(proof, log_key, [*known, *more_witnesses])
