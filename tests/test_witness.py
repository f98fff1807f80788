"""Witnesses of the log (backend/record/witness.py, issue 24 step 4), through HTTP with the real stores: a witness
registered by the log's operator checks each new checkpoint against the last one it saw and cosigns it; the
checkpoint then carries its cosignature. A witness refuses a checkpoint not signed by the log's key, a log that went
back, and a log whose history no longer extends what it saw (the record was rewritten); the log refuses a
cosignature from anyone it did not register."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import anyio
import pytest

from backend.cli import main as linli
from backend.kernel import notes
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.record import commands
from backend.record.domain.log import DEPLOYMENT
from backend.record.rounds import sign_checkpoints
from backend.record.witness import verifier, witness_key, witness_once
from tests.conftest import NOW
from tests.factories import app_runtime, community

NAME = "heping-street-office"


async def signed(client, now) -> int:
    """Let the projector catch up, then make the checkpoint round in the app's own event loop."""
    rt = app_runtime(client)
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    size = await anyio.to_thread.run_sync(client.blocking_portal.call, sign_checkpoints, rt, now)
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    return size


def log_key(client) -> str:
    log = commands.log_of(app_runtime(client).store)
    return notes.verifier_key(log.origin, bytes.fromhex(log.public_key))


async def test_a_witness_cosigns_each_checkpoint_that_extends_what_it_saw(client, tmp_path, capsys):
    rt = app_runtime(client)
    folder = tmp_path / "witness"
    assert linli(["witness", "key", "--name", NAME, "--dir", str(folder)]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == verifier(folder, NAME) and notes.parse_verifier_key(printed)[0] == NAME
    assert (folder / "witness.key").stat().st_mode & 0o077 == 0, "the witness's key is its owner's alone"

    await community(rt, NOW, residents=3, passwords=False)
    first = await signed(client, NOW)
    ctx = Ctx(DEPLOYMENT, None, NOW)
    await commands.add_witness(rt, ctx, printed)
    ok, why = await witness_once(client, folder, NAME, log_key(client), 1_780_000_000)
    assert ok, why
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    note = notes.Note.parse((await client.get("/checkpoint")).text)
    assert note.checkpoint().size == first
    assert note.cosigned_by(NAME, notes.public_bytes(witness_key(folder).public_key())) == 1_780_000_000

    await community(rt, NOW, residents=2, passwords=False, code="another")
    second = await signed(client, NOW + timedelta(minutes=6))
    assert second > first
    ok, why = await witness_once(client, folder, NAME, log_key(client), 1_780_000_400)
    assert ok, why
    assert json.loads((folder / "seen.json").read_text())["size"] == second


async def test_a_witness_refuses_a_rewritten_log_a_log_that_went_back_and_another_key(client, tmp_path):
    rt = app_runtime(client)
    folder = tmp_path / "witness"
    await community(rt, NOW, residents=3, passwords=False)
    size = await signed(client, NOW)
    await commands.add_witness(rt, Ctx(DEPLOYMENT, None, NOW), verifier(folder, NAME))
    assert (await witness_once(client, folder, NAME, log_key(client), 1))[0]
    await community(rt, NOW, residents=2, passwords=False, code="another")
    await signed(client, NOW + timedelta(minutes=6))

    seen = json.loads((folder / "seen.json").read_text())
    # What the witness saw before differs from what the log now proves it showed: history was rewritten.
    (folder / "seen.json").write_text(json.dumps({**seen, "root": base64.b64encode(b"\x01" * 32).decode()}))
    ok, why = await witness_once(client, folder, NAME, log_key(client), 2)
    assert not ok and "rewritten" in why
    (folder / "seen.json").write_text(json.dumps({**seen, "size": 10**6}))
    ok, why = await witness_once(client, folder, NAME, log_key(client), 2)
    assert not ok and "fewer" in why
    (folder / "seen.json").write_text(json.dumps(seen))
    impostor = notes.verifier_key(log_key(client).split("+")[0], b"\x07" * 32)
    ok, why = await witness_once(client, folder, NAME, impostor, 2)
    assert not ok and "not signed by the log's key" in why
    assert size > 0


async def test_the_log_takes_cosignatures_only_from_its_witnesses(client, tmp_path):
    rt = app_runtime(client)
    await community(rt, NOW, residents=3, passwords=False)
    size = await signed(client, NOW)
    stranger = tmp_path / "stranger"
    text = (await client.get("/checkpoint")).text
    line = notes.cosignature_line(text, NAME, witness_key(stranger), 5)
    sent = await client.post("/checkpoint/cosignatures", json={"size": size, "line": line})
    assert sent.status_code == 403 and "error" in sent.json()
    assert (await client.post("/checkpoint/cosignatures", json={"size": size + 99, "line": line})).status_code == 404
    assert (await client.post("/checkpoint/cosignatures", json={"size": size, "line": "x"})).status_code == 422
    with pytest.raises(DomainError):
        await commands.add_witness(rt, Ctx(DEPLOYMENT, None, NOW), log_key(client))  # a signing key, not a cosigner's
    await commands.add_witness(rt, Ctx(DEPLOYMENT, None, NOW), verifier(stranger, NAME))
    sent = await client.post("/checkpoint/cosignatures", json={"size": size, "line": line})
    assert sent.status_code == 201 and sent.json()["witness"] == NAME
    again = notes.cosignature_line(text, NAME, witness_key(stranger), 6)
    assert (await client.post("/checkpoint/cosignatures", json={"size": size, "line": again})).status_code == 409
