"""Checkpoints as signed notes and witnesses' cosignatures (backend/kernel/notes.py, C2SP formats): what the log
signs verifies with its key and no other; a witness's cosignature carries its time and verifies only over the
checkpoint it saw; any change to the body, the size, the root or a signature is caught."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.kernel import merkle, notes

LOG, WITNESS = "linli.example/和平街道", "和平街道办事处/witness"
LOG_KEY, WITNESS_KEY, OTHER_KEY = (Ed25519PrivateKey.generate() for _ in range(3))


def public(key: Ed25519PrivateKey) -> bytes:
    return notes.public_bytes(key.public_key())


def checkpoint(size: int = 599, root: bytes | None = None) -> str:
    root = root or merkle.leaf_hash(b"root")
    return notes.sign(notes.checkpoint_body(LOG, size, root), LOG, LOG_KEY)


def test_a_signed_checkpoint_reads_back_and_verifies_with_the_logs_key_only():
    text = checkpoint()
    assert text.startswith(f"{LOG}\n599\n") and "\n\n\u2014 " + LOG in text
    note = notes.Note.parse(text)
    assert note.checkpoint() == notes.Checkpoint(LOG, 599, merkle.leaf_hash(b"root"))
    assert note.signed_by(LOG, public(LOG_KEY))
    assert not note.signed_by(LOG, public(OTHER_KEY))
    assert not note.signed_by("another.example/log", public(LOG_KEY))
    key = notes.verifier_key(LOG, public(LOG_KEY))
    assert key.startswith(LOG + "+") and len(key.split("+")[1]) == 8


def test_a_witness_cosignature_carries_its_time_and_verifies_over_that_checkpoint_only():
    text = checkpoint()
    cosigned = text + notes.cosignature_line(text, WITNESS, WITNESS_KEY, 1_780_000_000)
    note = notes.Note.parse(cosigned)
    assert note.signed_by(LOG, public(LOG_KEY)), "the log's signature still holds"
    assert note.cosigned_by(WITNESS, public(WITNESS_KEY)) == 1_780_000_000
    assert note.cosigned_by(WITNESS, public(OTHER_KEY)) is None
    # The same cosignature line moved under another checkpoint (a rewritten log's) does not verify.
    moved = checkpoint(600) + cosigned.splitlines(keepends=True)[-1]
    assert notes.Note.parse(moved).cosigned_by(WITNESS, public(WITNESS_KEY)) is None


@given(st.integers(min_value=0, max_value=10**9), st.data())
@settings(max_examples=60, deadline=None)
def test_any_change_to_a_signed_checkpoint_is_caught(size, data):
    text = checkpoint(size)
    body, signature = text.split("\n\n")
    how = data.draw(st.sampled_from(["size", "root", "origin", "signature"]))
    lines = body.split("\n")
    if how == "size":
        lines[1] = str(size + data.draw(st.integers(min_value=1, max_value=1000)))
    elif how == "root":
        lines[2] = base64.b64encode(merkle.leaf_hash(b"rewritten")).decode()
    elif how == "origin":
        lines[0] = "linli.example/another"
    else:
        name, encoded = signature.rstrip("\n").rsplit(" ", 1)
        raw = bytearray(base64.b64decode(encoded))
        raw[data.draw(st.integers(min_value=4, max_value=len(raw) - 1))] ^= 1
        signature = f"{name} {base64.b64encode(bytes(raw)).decode()}\n"
    assert not notes.Note.parse("\n".join(lines) + "\n\n" + signature).signed_by(LOG, public(LOG_KEY)), how


@pytest.mark.parametrize(
    "text",
    ["no signatures\n", f"{LOG}\n1\nAAAA\n\nnot a signature line\n", f"{LOG}\n1\nAAAA\n\n\u2014 {LOG} !!!\n"],
)
def test_a_malformed_note_says_so(text):
    with pytest.raises(ValueError):
        notes.Note.parse(text)


def test_a_note_that_is_not_a_checkpoint_says_so():
    note = notes.Note.parse(notes.sign("just one line\n", LOG, LOG_KEY))
    assert note.signed_by(LOG, public(LOG_KEY))
    with pytest.raises(ValueError):
        note.checkpoint()
    with pytest.raises(ValueError):
        notes.checkpoint_body("two\nlines", 1, merkle.EMPTY_ROOT)
