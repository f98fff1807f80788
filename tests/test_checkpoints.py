"""The log's signed checkpoints (backend/record, issue 24 step 2) on SQLite or PostgreSQL: the round signs the Merkle
tree as the projector has it, at most every CHECKPOINT_MINUTES and only when the log grew by more than the last
checkpoint's own event; each checkpoint verifies with the log's key, its root is the root of the stored events, and a
later one is proven consistent with it. The log refuses a note not signed by its key, naming another log, or not
larger than the last. Witnesses fetch `/checkpoint` and the proofs over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

import anyio
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.cli import main as linli
from backend.kernel import merkle, notes
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.record.commands import log_of, signing_key
from backend.record.domain.log import DEPLOYMENT, TransparencyLog
from backend.record.rounds import sign_checkpoints
from projections.chain import merkle as tree
from projections.chain import queries as chain
from tests.conftest import NOW
from tests.factories import app_runtime, community
from tests.test_merkle_log import stored_leaves


async def test_the_round_signs_what_the_log_holds_and_no_more_often_than_it_should(runtime):
    rt = runtime  # (its own rounds do not run: tests/conftest.py)
    await community(rt, NOW, residents=3, passwords=False)
    await rt.projector.catch_up()
    before = await tree.size()
    first = await sign_checkpoints(rt, NOW)
    assert first == before > 0
    await rt.projector.catch_up()
    latest = await chain.latest_checkpoint()
    note = notes.Note.parse(latest["note"])
    log = log_of(rt.store)
    assert note.signed_by(log.origin, bytes.fromhex(log.public_key))
    assert note.checkpoint().root == merkle.root_of(stored_leaves(rt)[:first])
    assert notes.public_bytes(signing_key(rt).public_key()).hex() == log.public_key

    assert await sign_checkpoints(rt, NOW + timedelta(minutes=1)) is None, "the last one is recent"
    later = NOW + timedelta(minutes=6)
    assert await sign_checkpoints(rt, later) is None, "only the checkpoint's own event came after it"

    await community(rt, NOW, residents=2, passwords=False, code="another")
    await rt.projector.catch_up()
    second = await sign_checkpoints(rt, later)
    assert second is not None and second > first
    await rt.projector.catch_up()
    root1 = bytes.fromhex((await chain.checkpoint_at(first))["root"])
    root2 = bytes.fromhex((await chain.checkpoint_at(second))["root"])
    proof = await tree.consistency_proof(first, second)
    assert merkle.verify_consistency(first, second, root1, root2, proof)


def test_the_log_refuses_a_checkpoint_it_did_not_sign_or_that_does_not_grow():
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    ctx = Ctx(DEPLOYMENT, None, NOW)
    log = TransparencyLog.open(ctx, "linli/test", notes.public_bytes(key.public_key()))
    root = merkle.leaf_hash(b"r")
    assert log.sign(ctx, notes.sign(notes.checkpoint_body("linli/test", 10, root), "linli/test", key)) == 10
    refused = {
        "another key": notes.sign(notes.checkpoint_body("linli/test", 11, root), "linli/test", other),
        "another log": notes.sign(notes.checkpoint_body("linli/other", 11, root), "linli/other", key),
        "not larger": notes.sign(notes.checkpoint_body("linli/test", 10, root), "linli/test", key),
        "not a note": "linli/test\n11\n",
    }
    for why, note in refused.items():
        with pytest.raises(DomainError):
            log.sign(ctx, note)
        assert log.size == 10, why
    with pytest.raises(DomainError):
        TransparencyLog.open(ctx, "two\nlines", notes.public_bytes(key.public_key()))


async def test_witnesses_fetch_the_checkpoint_and_proofs_that_linli_proof_check_accepts(client, tmp_path, capsys):
    rt = app_runtime(client)
    assert (await client.get("/checkpoint")).status_code == 404
    await community(rt, NOW, residents=3, passwords=False)
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    # The round runs in the app's own event loop (on PostgreSQL the views' connections belong to it).
    size = await anyio.to_thread.run_sync(client.blocking_portal.call, sign_checkpoints, rt, NOW)
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    text = (await client.get("/checkpoint")).text
    assert text.split("\n")[1] == str(size) and "\n\n\u2014 " in text

    inclusion = (await client.get(f"/proof/inclusion?position=5&size={size}")).json()
    consistency = (await client.get(f"/proof/consistency?size1=3&size2={size}")).json()
    assert inclusion["root"] == consistency["root2"] == text.split("\n")[2]
    for name, case in (("inclusion", inclusion), ("consistency", consistency)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(case))
        assert linli(["proof", "check", str(path)]) == 0, capsys.readouterr().out
    assert (await client.get("/proof/inclusion?position=999999")).status_code == 404
    assert (await client.get(f"/proof/inclusion?position=5&size={10**6}")).status_code == 400
    assert (await client.get(f"/proof/consistency?size1={size + 1}&size2={size}")).status_code == 400
    assert (await client.get("/proof/consistency?size1=x")).status_code == 400
