"""Personal data at rest (DESIGN 4.7): names and phone numbers go into the log sealed with a key per resident.
Keys live outside the append-only log, so erasing a resident deletes the key and the sealed values become noise;
the views then show a tombstone."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import threading
from collections.abc import Callable, Iterable
from uuid import UUID

from cryptography.fernet import Fernet, InvalidToken

from backend.config import Settings


class PersonalData:
    def __init__(self, settings: Settings) -> None:
        self._lock = threading.Lock()
        self._pepper = settings.ensure_secret().encode()
        self._postgres = settings.is_postgres
        if self._postgres:
            self._conn = settings.pg_connect()
            self._table = f'"{settings.pg_schema}_events".resident_keys'
            create = f"CREATE TABLE IF NOT EXISTS {self._table} (resident_id text PRIMARY KEY, key bytea)"
            with settings.setup_lock():
                self._conn.execute(create)
            self._mark = "%s"
        else:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(settings.events_path, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._table = "resident_keys"
            self._conn.execute(f"CREATE TABLE IF NOT EXISTS {self._table} (resident_id TEXT PRIMARY KEY, key BLOB)")
            self._mark = "?"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _execute(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            cursor = self._conn.execute(sql.replace("?", self._mark), params)
            return list(cursor.fetchall()) if cursor.description else []

    def digest(self, value: str) -> str:
        """A keyed digest for lookups and uniqueness (e.g. one account per phone) without the value itself."""
        return hmac.new(self._pepper, value.encode(), hashlib.sha256).hexdigest()

    def seal(self, resident_id: UUID, value: str) -> str:
        rows = self._execute(f"SELECT key FROM {self._table} WHERE resident_id = ?", (str(resident_id),))
        if rows:
            key = bytes(rows[0][0])  # type: ignore[arg-type]
        else:
            key = Fernet.generate_key()
            self._execute(
                f"INSERT INTO {self._table} (resident_id, key) VALUES (?, ?) ON CONFLICT (resident_id) DO NOTHING",
                (str(resident_id), key),
            )
            key = bytes(
                self._execute(f"SELECT key FROM {self._table} WHERE resident_id = ?", (str(resident_id),))[0][0]
            )  # type: ignore[arg-type]
        return Fernet(key).encrypt(value.encode()).decode()

    def secret(self, name: str, make: Callable[[], bytes]) -> bytes:
        """A deployment secret kept beside the residents' keys (e.g. the VAPID key for Web Push): made once, by
        whichever process asks first, and the same for every process afterwards."""
        row = f"secret:{name}"
        found = self._execute(f"SELECT key FROM {self._table} WHERE resident_id = ?", (row,))
        if not found:
            self._execute(
                f"INSERT INTO {self._table} (resident_id, key) VALUES (?, ?) ON CONFLICT (resident_id) DO NOTHING",
                (row, make()),
            )
            found = self._execute(f"SELECT key FROM {self._table} WHERE resident_id = ?", (row,))
        return bytes(found[0][0])  # type: ignore[arg-type]

    def keys(self, resident_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        wanted = [str(i) for i in set(resident_ids)]
        found: dict[UUID, bytes] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for resident_id, key in self._execute(
                f"SELECT resident_id, key FROM {self._table} WHERE resident_id IN ({marks})", tuple(chunk)
            ):
                found[UUID(str(resident_id))] = bytes(key)  # type: ignore[arg-type]
        return found

    def forget(self, resident_id: UUID) -> None:
        self._execute(f"DELETE FROM {self._table} WHERE resident_id = ?", (str(resident_id),))


def unseal(key: bytes | None, token: str) -> str | None:
    """The plain value, or None when the key is gone (erased) or the token was not made with it."""
    if key is None:
        return None
    try:
        return Fernet(key).decrypt(token.encode()).decode()
    except InvalidToken:
        return None
