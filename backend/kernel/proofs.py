"""Proofs that travel: that an event is in the log, checked offline against the log's and the witnesses' public keys,
trusting no server. Pure: no I/O, no clock.

Two forms of one proof:

- the full text, in the C2SP tlog-proof shape (c2sp.org/tlog-proof): a header line, `extra` (ours: the event's log
  position, eight bytes big-endian, and its leaf hash), `index` (the leaf's index in the tree), the inclusion proof's
  hashes one per line, a blank line, then the checkpoint with its cosignatures. Printed on a notice, checked by
  `linli verify --proof FILE`;
- the compact form a QR code carries (binary, then base64url): the same without what can be recomputed — no root (the
  inclusion proof leads to it; the signatures are checked over the body it makes) and no key names' repetition. At a
  million events it is under 900 bytes with one witness.

Verifying needs the log's verifier key and the witnesses' (signed-note `name+id+key` lines): the proof names its
signers but only keys the reader already holds are believed."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from backend.kernel import merkle
from backend.kernel.notes import COSIGNATURE_V1, DASH, ED25519, Note, checkpoint_body, parse_verifier_key

HEADER = "c2sp.org/tlog-proof@v1"
COMPACT_VERSION = 1


@dataclass(frozen=True)
class Proof:
    position: int  # the event's position in the log
    leaf: bytes  # SHA-256(0x00 ‖ its canonical bytes)
    index: int  # its leaf's index in the tree
    hashes: tuple[bytes, ...]  # the inclusion proof in the checkpoint's tree
    checkpoint: str  # the signed note, with the cosignatures it had when the proof was made


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    size: int = 0  # the checkpoint's tree size
    root: bytes = b""
    witnesses: tuple[tuple[str, int], ...] = field(default=())  # (name, when it cosigned, Unix seconds)


# -- the full text (tlog-proof) -------------------------------------------------------------------------------------
def to_text(proof: Proof) -> str:
    extra = base64.b64encode(proof.position.to_bytes(8, "big") + proof.leaf).decode()
    lines = [HEADER, f"extra {extra}", f"index {proof.index}", *(base64.b64encode(h).decode() for h in proof.hashes)]
    return "\n".join(lines) + "\n\n" + proof.checkpoint


def parse(text: str) -> Proof:
    """A tlog-proof's text, or ValueError saying what is wrong with its shape."""
    head, sep, checkpoint = text.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != HEADER:
        raise ValueError(f"not a proof: the first line must be {HEADER} and a blank line must precede the checkpoint")
    try:
        extra = base64.b64decode(lines[1].removeprefix("extra "), validate=True)
        if not lines[1].startswith("extra ") or len(extra) != 40:
            raise ValueError
        if not lines[2].startswith("index ") or not (lines[2][6:].isascii() and lines[2][6:].isdigit()):
            raise ValueError
        hashes = tuple(base64.b64decode(line, validate=True) for line in lines[3:])
    except (IndexError, ValueError, binascii.Error):
        raise ValueError("not a proof: extra (position and leaf hash), index and base64 hashes expected") from None
    Note.parse(checkpoint)  # its shape, now: a proof whose checkpoint cannot be read is no proof
    return Proof(int.from_bytes(extra[:8], "big"), extra[8:], int(lines[2][6:]), hashes, checkpoint)


# -- the compact form (QR) ------------------------------------------------------------------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise ValueError("not a proof: it ends too soon")
        self.at += n
        return self.data[self.at - n : self.at]

    def varint(self) -> int:
        n = shift = 0
        while True:
            byte = self.take(1)[0]
            n |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return n
            if shift > 63:
                raise ValueError("not a proof: a number too long")

    def text(self) -> str:
        return self.take(self.take(1)[0]).decode()


def b64url_encode(data: bytes) -> str:
    """base64url without padding: what a URL's fragment carries unescaped."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    text = text.strip()
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not a proof: not base64url") from None


def compact(proof: Proof) -> str:
    """The proof as the QR code carries it: base64url (no padding) of version, position, index, size, leaf hash, the
    inclusion hashes, the origin, then each signature as its name and raw bytes (key id ‖ [time ‖] signature)."""
    note = Note.parse(proof.checkpoint)
    point = note.checkpoint()
    out = bytearray([COMPACT_VERSION])
    out += _varint(proof.position) + _varint(proof.index) + _varint(point.size) + proof.leaf
    out += bytes([len(proof.hashes)]) + b"".join(proof.hashes)
    origin = point.origin.encode()
    out += bytes([len(origin)]) + origin + bytes([len(note.signatures)])
    for name, raw in note.signatures:
        encoded = name.encode()
        out += bytes([len(encoded)]) + encoded + bytes([len(raw)]) + raw
    return b64url_encode(bytes(out))


def from_compact(text: str) -> Proof:
    """The proof a QR code carried, with its checkpoint rebuilt (its root from the inclusion proof), or ValueError."""
    read = _Reader(b64url_decode(text))
    if read.take(1)[0] != COMPACT_VERSION:
        raise ValueError("not a proof: an unknown version")
    position, index, size = read.varint(), read.varint(), read.varint()
    leaf = read.take(32)
    hashes = tuple(read.take(32) for _ in range(read.take(1)[0]))
    try:
        origin = read.text()
        signatures = [(read.text(), read.take(read.take(1)[0])) for _ in range(read.take(1)[0])]
    except UnicodeDecodeError:
        raise ValueError("not a proof: a name that is not text") from None
    root = merkle.inclusion_root(index, size, leaf, hashes)
    if root is None:
        raise ValueError("not a proof: its hashes do not fit a leaf at this index in a tree of this size")
    lines = "".join(f"{DASH}{name} {base64.b64encode(raw).decode()}\n" for name, raw in signatures)
    return Proof(position, leaf, index, hashes, checkpoint_body(origin, size, root) + "\n" + lines)


# -- verifying ------------------------------------------------------------------------------------------------------
def verify(proof: Proof, log_key: str, witness_keys: list[str]) -> Verdict:
    """Whether the proof shows its leaf in a tree the log signed, and which of the known witnesses cosigned it."""
    log_name, algorithm, log_public = parse_verifier_key(log_key)
    if algorithm != ED25519:
        raise ValueError("the log's key must be an Ed25519 signed-note key")
    try:
        note = Note.parse(proof.checkpoint)
        point = note.checkpoint()
    except ValueError as error:
        return Verdict(False, f"not valid: {error}")
    if point.origin != log_name:
        return Verdict(False, f"not valid: the checkpoint is of another log ({point.origin}), not {log_name}")
    if not note.signed_by(log_name, log_public):
        return Verdict(False, "not valid: the checkpoint is not signed by this log's key")
    if not merkle.verify_inclusion(proof.index, point.size, proof.leaf, proof.hashes, point.root):
        return Verdict(False, f"not valid: the event is not in the signed tree of {point.size} events by this proof")
    seen = []
    for key in witness_keys:
        name, kind, public = parse_verifier_key(key)
        at = note.cosigned_by(name, public) if kind == COSIGNATURE_V1 else None
        if at is not None:
            seen.append((name, at))
    return Verdict(True, f"valid: event #{proof.position} is in the log's signed tree of {point.size} events",
                   point.size, point.root, tuple(seen))  # fmt: skip
