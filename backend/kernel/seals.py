"""Seals on what commands write, so that an event added to the log behind the application's back is told from one a
command wrote. Pure: the key comes in.

Hashes cannot do this: the chain, the Merkle tree and the witnesses prove that what was recorded stays as it was,
but an event appended at the end of the log (say, by someone holding the database's password) is projected, linked
and signed into the next checkpoint like any other. So each command's record (CommandRecord, saved in the same
transaction as the command's events) names the events it wrote — their aggregate and version — and carries an
HMAC-SHA256 of those names under a key derived from the deployment's secret (LINLI_SECRET), which is not in the
database. `linli verify` then finds every event that no sealed record names, and every record whose seal is wrong.

What it guarantees depends on where the secret is: given as LINLI_SECRET (a deployment's environment, not its
database), a database-only intruder (a leaked password or backup) cannot forge a seal; kept in the data dir's
`secret` file beside the SQLite log, whoever can write the log can usually read it too."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from uuid import UUID

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.domain import Aggregate


def seal_key(secret: str) -> bytes:
    """The sealing key, derived from the deployment's secret (HKDF-SHA256), so the secret itself is used for
    nothing else here."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"linli command seal v1").derive(secret.encode())


def names(aggregates: Iterable[Aggregate]) -> list[str]:
    """The events the aggregates are about to save, as `<aggregate id>:<version>` (unique in the log: the store
    refuses a second event of one aggregate at one version)."""
    return [f"{event.originator_id}:{event.originator_version}" for a in aggregates for event in a.pending_events]


def seal(key: bytes, record_id: UUID, covers: Sequence[str]) -> str:
    message = "\n".join([str(record_id), *covers]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def holds(key: bytes, record_id: UUID, covers: Sequence[str], given: str) -> bool:
    return hmac.compare_digest(seal(key, record_id, covers), given)
