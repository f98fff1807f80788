"""Personal data at rest (DESIGN 4.7): names and phone numbers go into the log sealed with a key per resident.
Keys live in a key store apart from the log (backend.kernel.keystore), so erasing a resident deletes the key and the
sealed values become noise; the views then show a tombstone."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from uuid import UUID

from cryptography.fernet import Fernet, InvalidToken

from backend.config import Settings
from backend.kernel.keystore import KeyStore


class PersonalData:
    def __init__(self, settings: Settings) -> None:
        self._pepper = settings.ensure_secret().encode()
        self.store = KeyStore(settings)

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
