"""`scripts/bench --record-only [--record-leaves N]`: the verifiable record's figures (issue 24, item 6), on SQLite,
or on PostgreSQL with LINLI_DATABASE_URL set (a fresh schema, dropped afterwards).

- appending to the Merkle tree as the projector does, in live-sized batches (10 events, each batch its own
  transaction) and in rebuild-sized ones (5,000), events/s, beside the same rows written to a plain table of the same
  shape (the baseline: what the inserts cost without the hashing and the edge);
- an inclusion proof, and a consistency proof, out of a tree of LEAVES (default 1,000,000) leaves: median and p99
  of 300 random ones, read from the store;
- the sizes: a checkpoint with 0, 1 and 2 cosignatures, the proof's full text (tlog-proof) and its compact form in
  the QR code (bytes, and the QR version segno picks at error level M).

The leaves are synthetic events (the tree hashes bytes; what they say does not matter here)."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import Notification
from piccolo.columns import BigInt, Varchar
from piccolo.table import Table

from backend.config import load_settings
from backend.kernel import notes, proofs
from backend.runtime import Runtime
from projections.chain import merkle as tree
from projections.chain.tables import MerkleNode
from projections.db import bulk_insert, write_transaction


class PlainNode(Table, tablename="bench_plain_node"):
    node = BigInt(primary_key=True)
    hash = Varchar(length=64)
    position = BigInt(default=0, index=True)


def events(start: int, n: int) -> list[Notification]:
    originator = uuid.uuid4()
    state = b'{"choice":"yes","ballot":"' + b"x" * 200 + b'"}'
    return [Notification(id=i, originator_id=originator, originator_version=i, topic="bench:Voted", state=state)
            for i in range(start, start + n)]  # fmt: skip


async def append_rate(engine, batch: int, total: int, start: int) -> tuple[float, float]:
    """(events/s into the tree, rows/s into the plain table: one leaf row an event, as a baseline)."""
    appender = tree.Appender()
    began = time.perf_counter()
    for at in range(start, start + total, batch):
        async with write_transaction(engine):
            await appender.append(events(at, batch))
    tree_rate = total / (time.perf_counter() - began)
    began = time.perf_counter()
    for at in range(start, start + total, batch):
        async with write_transaction(engine):
            await bulk_insert(
                PlainNode, [{"node": i * 64, "hash": "ab" * 32, "position": i} for i in range(at, at + batch)]
            )
    return tree_rate, total / (time.perf_counter() - began)


def timed(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"median {statistics.median(ordered) * 1000:.3f} ms, p99 {ordered[int(len(ordered) * 0.99)] * 1000:.3f} ms"


async def main(leaves: int) -> None:
    url = os.environ.get("LINLI_DATABASE_URL", "")
    schema = f"benchrec{os.getpid()}"
    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="linli-bench-record-")), database_url=url,
                             pg_schema=schema, demo=False)  # fmt: skip
    rt = Runtime(settings)
    await rt.start(run_projector=False)
    engine = MerkleNode._meta.db
    try:
        await PlainNode.create_table(if_not_exists=True)
        label = "PostgreSQL" if url else "SQLite"
        live, plain_live = await append_rate(engine, 10, 5_000, 1)
        big, plain_big = await append_rate(engine, 5_000, 100_000, 5_001)
        print(f"[{label}] tree append, batches of 10: {live:,.0f} events/s (plain rows {plain_live:,.0f}/s, "
              f"ratio {live / plain_live:.2f}); batches of 5,000: {big:,.0f} events/s (plain rows {plain_big:,.0f}/s, "
              f"ratio {big / plain_big:.2f})")  # fmt: skip
        have = await tree.size()
        began = time.perf_counter()
        async with write_transaction(engine):
            pass
        appender = tree.Appender()
        while have < leaves:
            n = min(20_000, leaves - have)
            async with write_transaction(engine):
                await appender.append(events(have + 1, n))
            have += n
        print(f"[{label}] grew the tree to {have:,} leaves in {time.perf_counter() - began:.0f} s")
        rng = random.Random(7)
        inclusion, consistency = [], []
        for _ in range(300):
            index = rng.randrange(have)
            began = time.perf_counter()
            hashes = await tree.inclusion_proof(index, have)
            inclusion.append(time.perf_counter() - began)
            size1 = rng.randrange(1, have)
            began = time.perf_counter()
            await tree.consistency_proof(size1, have)
            consistency.append(time.perf_counter() - began)
        print(f"[{label}] at {have:,} leaves: inclusion proof {timed(inclusion)} ({len(hashes)} hashes); "
              f"consistency proof {timed(consistency)}")  # fmt: skip
        root = await tree.root(have)
        leaf = (await tree.nodes([(0, have - 1)]))[(0, have - 1)]
        key = Ed25519PrivateKey.generate()
        note = notes.sign(notes.checkpoint_body("linli/heping.example", have, root), "linli/heping.example", key)
        sizes = [len(note.encode())]
        for name in ("和平街道", "幸福里居务监督委员会"):
            note += notes.cosignature_line(note, name, Ed25519PrivateKey.generate(), int(time.time()))
            sizes.append(len(note.encode()))
        hashes = await tree.inclusion_proof(have - 1, have)
        proof = proofs.Proof(have, leaf, have - 1, tuple(hashes), note)
        text, small = proofs.to_text(proof), proofs.compact(proof)
        url_text = f"https://linli.heping.example/verify/proof#{small}"
        qr = segno.make(url_text, error="m")
        print(f"[{label}] checkpoint {sizes[0]} bytes, with 1 cosignature {sizes[1]}, with 2 {sizes[2]}; proof at "
              f"{have:,} leaves with 2 witnesses: full text {len(text.encode())} bytes, QR's compact form "
              f"{len(small)} characters (link {len(url_text)}), QR version {qr.version} at level M")  # fmt: skip
    finally:
        await rt.stop()
        if url:
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                for suffix in ("", "_events", "_views"):
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}{suffix}" CASCADE')


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
