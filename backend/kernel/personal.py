"""Personal data at rest (DESIGN 4.7): names and phone numbers go into the log sealed with a key per resident.
Keys live in a key store apart from the log (backend.kernel.keystore), so erasing a resident deletes the key and the
sealed values become noise; the views then show a tombstone."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from uuid import UUID

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from backend.config import Settings
from backend.kernel.keystore import KeyStore

FINGERPRINT = "fingerprint:secret"  # the key store's row with the deployment secret's fingerprint (PostgreSQL)


class SecretMismatch(RuntimeError):
    """This host's secret is not the one the deployment started with."""


def fingerprint(secret: str) -> bytes:
    """What tells two secrets apart without revealing either: derived (HKDF-SHA256) under a label of its own, so
    it is no key anything else uses (the seals' key is derived under another label, backend.kernel.seals)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"linli secret fingerprint v1").derive(
        secret.encode()
    )


class PersonalData:
    def __init__(self, settings: Settings) -> None:
        secret = settings.ensure_secret()
        self._pepper = secret.encode()
        self.store = KeyStore(settings)
        if settings.is_postgres:
            self._pin(secret)

    def _pin(self, secret: str) -> None:
        """Several hosts share one PostgreSQL deployment: the first process to start records the fingerprint of its
        secret beside the keys, and a process whose secret gives another refuses to start — with another pepper its
        phone digests would let a phone registered through another host register again (one person, two votes),
        and its seals, sessions and CSRF tokens would not hold elsewhere."""
        mine = fingerprint(secret)
        if not hmac.compare_digest(self.store.add(FINGERPRINT, mine), mine):
            self.store.close()
            raise SecretMismatch(
                "LINLI_SECRET (or the data dir's secret file) differs from the secret this deployment was started "
                "with (its fingerprint, kept in the shared key store, does not match): start every host with the "
                "deployment's LINLI_SECRET"
            )

    def close(self) -> None:
        self.store.close()

    def digest(self, value: str) -> str:
        """A keyed digest for lookups and uniqueness (e.g. one account per phone) without the value itself."""
        return hmac.new(self._pepper, value.encode(), hashlib.sha256).hexdigest()

    def seal(self, resident_id: UUID, value: str) -> str:
        name = str(resident_id)
        key = self.store.get([name]).get(name) or self.store.add(name, Fernet.generate_key())
        return Fernet(key).encrypt(value.encode()).decode()

    def secret(self, name: str, make: Callable[[], bytes]) -> bytes:
        """A deployment secret kept beside the residents' keys (e.g. the VAPID key for Web Push): made once, by
        whichever process asks first, and the same for every process afterwards."""
        row = f"secret:{name}"
        return self.store.get([row]).get(row) or self.store.add(row, make())

    def keys(self, resident_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        return {UUID(name): key for name, key in self.store.get(str(i) for i in set(resident_ids)).items()}

    def forget(self, resident_id: UUID) -> None:
        """Drop a key nothing in the log was sealed with (a registration refused after sealing)."""
        self.store.discard(str(resident_id))

    def erase(self, resident_id: UUID) -> None:
        """Delete the key for good (注销): final on disk when this returns (backend.kernel.keystore), and the id kept in
        the list of erased ids, so that no restore of an older backup brings the key back."""
        self.store.delete(str(resident_id))

    def erased(self) -> set[str]:
        return self.store.erased()


def unseal(key: bytes | None, token: str) -> str | None:
    """The plain value, or None when the key is gone (erased) or the token was not made with it."""
    if key is None:
        return None
    try:
        return Fernet(key).decrypt(token.encode()).decode()
    except InvalidToken:
        return None
