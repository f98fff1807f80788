"""`linli witness`: a witness of the log (the street office, the 居务监督委员会) on its own machine, with its own data
dir and key. Each run fetches the log's latest checkpoint, checks it is signed by the log's key (given once, as printed
on the notices), and — if it has seen an earlier one — that the log's consistency proof leads from that one to this
one; only then does it cosign (C2SP cosignature/v1) and send the cosignature to the log. A log that went back or
rewrote what the witness saw is refused, and the witness says so. A rewrite of history then needs the witnesses'
keys too."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from backend.kernel import merkle, notes


def witness_key(folder: Path) -> Ed25519PrivateKey:
    """The witness's key in `folder` (made the first time, readable by its owner only)."""
    path = folder / "witness.key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
    return Ed25519PrivateKey.from_private_bytes(path.read_bytes())


def verifier(folder: Path, name: str) -> str:
    """The witness's verifier key, for the log's operator to register (`linli witness add`)."""
    return notes.verifier_key(name, notes.public_bytes(witness_key(folder).public_key()), notes.COSIGNATURE_V1)


def _seen(folder: Path) -> dict[str, object]:
    path = folder / "seen.json"
    return json.loads(path.read_text()) if path.exists() else {}


async def witness_once(
    http: httpx.AsyncClient, folder: Path, name: str, log_key: str, timestamp: int
) -> tuple[bool, str]:
    """One round against the log at `http`'s base URL: (cosigned, what happened in one line)."""
    log_name, algorithm, log_public = notes.parse_verifier_key(log_key)
    if algorithm != notes.ED25519:
        return False, "not the log's key: an Ed25519 signing key (algorithm 1) is expected"
    answer = await http.get("/checkpoint")
    if answer.status_code != 200:
        return False, f"no checkpoint from the log (HTTP {answer.status_code})"
    try:
        note = notes.Note.parse(answer.text)
        checkpoint = note.checkpoint()
    except ValueError as error:
        return False, f"REFUSED: not a checkpoint ({error})"
    if checkpoint.origin != log_name or not note.signed_by(log_name, log_public):
        return False, "REFUSED: the checkpoint is not signed by the log's key"
    seen = _seen(folder)
    if seen.get("origin", log_name) != log_name:
        return False, f"REFUSED: this witness watches {seen['origin']}, not {log_name}"
    size1, root1 = int(seen.get("size", 0)), base64.b64decode(str(seen.get("root", "")))
    if size1 > checkpoint.size:
        return False, f"REFUSED: the log shows {checkpoint.size} events, fewer than the {size1} it showed before"
    if size1 and checkpoint.size > size1:
        proof = await http.get("/proof/consistency", params={"size1": size1, "size2": checkpoint.size})
        hashes = [base64.b64decode(h) for h in proof.json().get("proof", [])] if proof.status_code == 200 else []
        if not merkle.verify_consistency(size1, checkpoint.size, root1, checkpoint.root, hashes):
            return False, (
                f"REFUSED: the log of {checkpoint.size} events does not extend the {size1} this witness saw: "
                "the record was rewritten"
            )
    elif size1 and root1 != checkpoint.root:
        return False, f"REFUSED: the log shows another root for the same {size1} events: the record was rewritten"
    line = notes.cosignature_line(answer.text, name, witness_key(folder), timestamp)
    sent = await http.post("/checkpoint/cosignatures", json={"size": checkpoint.size, "line": line})
    if sent.status_code not in (201, 409):
        return False, f"the log did not take the cosignature (HTTP {sent.status_code}: {sent.text[:200]})"
    state = {"origin": log_name, "size": checkpoint.size, "root": base64.b64encode(checkpoint.root).decode()}
    # Written aside and renamed over: a witness stopped mid-write must not forget what it saw.
    (folder / "seen.json.new").write_text(json.dumps(state))
    (folder / "seen.json.new").replace(folder / "seen.json")
    return True, f"cosigned {log_name} at {checkpoint.size} events"
