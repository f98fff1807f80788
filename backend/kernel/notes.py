"""Checkpoints of the Merkle tree as signed notes, and witnesses' cosignatures, in the C2SP formats that
transparency logs share (c2sp.org/signed-note, tlog-checkpoint, tlog-cosignature), so that tools written for those
logs can read ours. Pure: keys and times come in as arguments.

A checkpoint's body is three lines — the origin (which log), the tree size, the root in base64 — and each signature
is a line `— <key name> base64(key id ‖ signature)` after a blank line. The log signs the body with Ed25519
(algorithm 0x01); a witness signs "cosignature/v1\\ntime <t>\\n" + the body (algorithm 0x04: its signature carries
the time, eight bytes big-endian, before the 64 bytes of the signature). A key id is the first four bytes of
SHA-256(key name ‖ "\\n" ‖ algorithm ‖ public key). The `cryptography` package does the Ed25519."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014 "  # an em dash and a space start every signature line


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, algorithm: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([algorithm]) + public).digest()[:4]


def verifier_key(name: str, public: bytes, algorithm: int = ED25519) -> str:
    """The public key as signed-note verifiers write it: <name>+<key id in hex>+<base64(algorithm ‖ key)>."""
    if "+" in name or " " in name or "\n" in name:
        raise ValueError("a key name holds no '+', space or line break")
    return f"{name}+{key_id(name, algorithm, public).hex()}+{base64.b64encode(bytes([algorithm]) + public).decode()}"


def parse_verifier_key(text: str) -> tuple[str, int, bytes]:
    """(name, algorithm, public key) of a verifier key, or ValueError when it is malformed or its key id does not
    match its key."""
    try:
        name, id_hex, encoded = text.strip().split("+", 2)  # a key name holds no "+"; base64 may
        raw = base64.b64decode(encoded, validate=True)
        wanted = bytes.fromhex(id_hex)
    except (ValueError, binascii.Error):
        raise ValueError("not a verifier key: <name>+<key id>+<key> expected") from None
    if not name or len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise ValueError("not an Ed25519 verifier key")
    if key_id(name, raw[0], raw[1:]) != wanted:
        raise ValueError("the key id does not match the name and key")
    return name, raw[0], raw[1:]


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    if not origin or "\n" in origin or size < 0 or len(root) != 32:
        raise ValueError("a checkpoint needs an origin line, a size ≥ 0 and a 32-byte root")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def sign(body: str, name: str, key: Ed25519PrivateKey) -> str:
    """The body with the log's signature line."""
    public = public_bytes(key.public_key())
    signature = key_id(name, ED25519, public) + key.sign(body.encode())
    return f"{body}\n{DASH}{name} {base64.b64encode(signature).decode()}\n"


def cosignature_line(note: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """A witness's signature line over the checkpoint in `note` (which it has checked) at `timestamp`."""
    body = Note.parse(note).body
    public = public_bytes(key.public_key())
    message = f"cosignature/v1\ntime {timestamp}\n{body}".encode()
    payload = key_id(name, COSIGNATURE_V1, public) + timestamp.to_bytes(8, "big") + key.sign(message)
    return f"{DASH}{name} {base64.b64encode(payload).decode()}\n"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


@dataclass(frozen=True)
class Note:
    body: str
    signatures: tuple[tuple[str, bytes], ...]  # (key name, key id ‖ signature)

    @staticmethod
    def parse(text: str) -> Note:
        """A signed note, or ValueError saying what is wrong with its shape (not whether it is signed well)."""
        body, sep, rest = text.partition("\n\n")
        if not sep or not rest.endswith("\n"):
            raise ValueError("not a signed note: no blank line before the signatures, or no final newline")
        signatures = []
        for line in rest[:-1].split("\n"):
            if not line.startswith(DASH) or " " not in line[len(DASH) :]:
                raise ValueError(f"not a signature line: {line[:40]!r}")
            name, encoded = line[len(DASH) :].rsplit(" ", 1)
            try:
                raw = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                raise ValueError(f"a signature that is not base64: {name}") from None
            if len(raw) < 5:
                raise ValueError(f"a signature too short: {name}")
            signatures.append((name, raw))
        return Note(body + "\n", tuple(signatures))

    def checkpoint(self) -> Checkpoint:
        lines = self.body.split("\n")
        if len(lines) < 4 or not (lines[1].isascii() and lines[1].isdigit()):
            raise ValueError("not a checkpoint: origin, size and root lines expected")
        root = base64.b64decode(lines[2], validate=True)
        if len(root) != 32:
            raise ValueError("not a checkpoint: the root is not 32 bytes")
        return Checkpoint(lines[0], int(lines[1]), root)

    def signed_by(self, name: str, public: bytes) -> bool:
        """Whether the log's key `name` signed this body."""
        wanted = key_id(name, ED25519, public)
        key = Ed25519PublicKey.from_public_bytes(public)
        for signer, raw in self.signatures:
            if signer == name and raw[:4] == wanted and len(raw) == 68:
                try:
                    key.verify(raw[4:], self.body.encode())
                    return True
                except InvalidSignature:
                    return False
        return False

    def cosigned_by(self, name: str, public: bytes) -> int | None:
        """When the witness `name` cosigned this checkpoint (its timestamp), or None if it did not."""
        wanted = key_id(name, COSIGNATURE_V1, public)
        key = Ed25519PublicKey.from_public_bytes(public)
        for signer, raw in self.signatures:
            if signer == name and raw[:4] == wanted and len(raw) == 76:
                timestamp = int.from_bytes(raw[4:12], "big")
                try:
                    key.verify(raw[12:], f"cosignature/v1\ntime {timestamp}\n{self.body}".encode())
                    return timestamp
                except InvalidSignature:
                    return None
        return None
