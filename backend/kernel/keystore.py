"""The key store: the residents' keys (and the deployment's own secrets, rows named `secret:<name>`) apart from the
event log, so that a copy of the log alone reveals no one (DESIGN 4.7, issue 21).

SQLite: its own file, `keys.sqlite3` in the data dir, with `secure_delete` on (a deleted key's bytes are overwritten
with zeros in the page and in freed pages) and its write-ahead log truncated right after an erasure, so that no
earlier copy of the page survives there either. PostgreSQL: its own schema `<prefix>_keys`, reached through its own
URL (and role) when `LINLI_KEYS_DATABASE_URL` is set; an erasure rewrites the table (`VACUUM FULL`) so the server's
table file holds no dead copy of the key.

Beside the keys, the list of erased ids (never personal data): keys that must not come back, by a restore of an
older backup or otherwise (backend.backup)."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from typing import Any

from backend.config import Settings

log = logging.getLogger(__name__)
CHUNK = 500  # ids per IN (...) list: far under SQLite's and psycopg's parameter limits
CHECKPOINT_TRIES = 3  # each waits up to the busy timeout for a reader of an older snapshot to finish
VACUUM_TRIES = 10  # about 5 s in all for the transactions older than an erasure to end (PostgreSQL)
KEPT_DEAD = re.compile(r"(\d+) dead row versions cannot be removed yet")


class KeyStore:
    """One connection, used by one thread at a time (the writer, the projector's thread, a request's thread)."""

    def __init__(self, settings: Settings, migrate: bool = True) -> None:
        self._lock = threading.Lock()
        self._postgres = settings.is_postgres
        if self._postgres:
            self._conn: Any = settings.pg_connect(settings.keys_database_url or settings.database_url)
            schema = f'"{settings.pg_schema}_keys"'
            self._keys, self._erased, self._mark = f"{schema}.resident_keys", f"{schema}.erased", "%s"
            with settings.setup_lock():
                # Only when missing: CREATE SCHEMA IF NOT EXISTS needs the right to create schemas even when the schema
                # is there, which a key role given its schema by the administrator has not ("Deployment").
                if self._conn.execute("SELECT to_regnamespace(%s)", (schema,)).fetchone()[0] is None:
                    self._conn.execute(f"CREATE SCHEMA {schema}")
                self._conn.execute(f"CREATE TABLE IF NOT EXISTS {self._keys} (resident_id text PRIMARY KEY, key bytea)")
                self._conn.execute(f"CREATE TABLE IF NOT EXISTS {self._erased} (resident_id text PRIMARY KEY)")
                if migrate:
                    self._move_keys_out_of_the_log_pg(settings)
        else:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            path = settings.keys_path
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # only the service's user reads it (WAL/SHM follow)
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA secure_delete=ON")
            # FULL: a key is committed to disk before the event sealed with it is saved in the log's own file, so a
            # power cut can never keep an event whose key it lost.
            self._conn.execute("PRAGMA synchronous=FULL")
            self._keys, self._erased, self._mark = "resident_keys", "erased", "?"
            with settings.setup_lock():
                self._conn.execute(
                    "CREATE TABLE IF NOT EXISTS resident_keys (resident_id TEXT PRIMARY KEY, key BLOB) WITHOUT ROWID"
                )
                self._conn.execute("CREATE TABLE IF NOT EXISTS erased (resident_id TEXT PRIMARY KEY) WITHOUT ROWID")
                if migrate:
                    self._move_keys_out_of_the_log_sqlite(settings)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _execute(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            cursor = self._conn.execute(sql.replace("?", self._mark), params)
            return list(cursor.fetchall()) if cursor.description else []

    # -- reading and adding ------------------------------------------------------------------------------------------
    def get(self, ids: Iterable[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, bytes] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for name, key in self._execute(
                f"SELECT resident_id, key FROM {self._keys} WHERE resident_id IN ({marks})", tuple(chunk)
            ):
                found[str(name)] = bytes(key)
        return found

    def add(self, name: str, key: bytes) -> bytes:
        """The key kept under this name: this one, or the one another thread or process kept first."""
        insert = f"INSERT INTO {self._keys} (resident_id, key) VALUES (?, ?) ON CONFLICT (resident_id) DO NOTHING"
        self._execute(insert, (name, key))
        return self.get([name])[name]

    def discard(self, name: str) -> None:
        """Delete a key that sealed nothing kept: no erasure to remember, nothing to make final."""
        self._execute(f"DELETE FROM {self._keys} WHERE resident_id = ?", (name,))

    def erased(self) -> set[str]:
        return {str(row[0]) for row in self._execute(f"SELECT resident_id FROM {self._erased}")}

    # -- erasure -------------------------------------------------------------------------------------------------------
    def delete(self, name: str) -> None:
        """Delete the key, remember the id as erased, and make the deletion final on disk before returning."""
        with self._lock:
            if self._postgres:
                with self._conn.transaction():
                    self._conn.execute(f"DELETE FROM {self._keys} WHERE resident_id = %s", (name,))
                    self._conn.execute(
                        f"INSERT INTO {self._erased} VALUES (%s) ON CONFLICT (resident_id) DO NOTHING", (name,)
                    )
                # A plain VACUUM marks the dead row's space free but leaves its bytes in the table's file until the
                # page is written over; VACUUM FULL writes the live rows to a new file and unlinks the old one. The
                # table is small (a row per resident), erasures are rare: the short exclusive lock is affordable.
                self._vacuum_full()
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("DELETE FROM resident_keys WHERE resident_id = ?", (name,))
                self._conn.execute("INSERT INTO erased VALUES (?) ON CONFLICT (resident_id) DO NOTHING", (name,))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._truncate_wal()

    def _vacuum_full(self) -> None:
        """VACUUM FULL, again until it copies no dead row: a transaction open anywhere in the database that began
        before the deletion keeps the deleted row "recently dead", and VACUUM FULL then copies it, key and all, into
        the new file. The server says so (VERBOSE: "N dead row versions cannot be removed yet"); after
        CHECKPOINT_TRIES the next erasure or checkpoint finishes it. (A server speaking another language than English
        is not understood here: one VACUUM FULL, as before.)"""
        said: list[str] = []

        def heard(diag: Any) -> None:
            said.append(diag.message_detail or "")

        self._conn.add_notice_handler(heard)
        try:
            for attempt in range(VACUUM_TRIES):
                said.clear()
                self._conn.execute(f"VACUUM (FULL, VERBOSE) {self._keys}")
                kept = [int(m.group(1)) for d in said if (m := KEPT_DEAD.search(d))]
                if not any(kept):
                    return
                time.sleep(0.1 * (attempt + 1))
            log.warning("a transaction older than the erasure still sees the erased key's row; the next erasure or "
                        "checkpoint rewrites the key store again")  # fmt: skip
        finally:
            self._conn.remove_notice_handler(heard)

    def _truncate_wal(self) -> None:
        """Copy the WAL into the file (secure_delete zeroed the key in the page written last) and cut the WAL to zero
        bytes: the frames that held the page with the key, from when it was added, are gone. A reader in another
        process can hold the checkpoint back for a moment; the next erasure finishes it if this one could not."""
        for attempt in range(CHECKPOINT_TRIES):
            busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            time.sleep(0.1 * (attempt + 1))
        log.warning("the key store's WAL could not be truncated now (readers busy); the next checkpoint will")

    def checkpoint(self) -> None:
        """Make every deletion so far final on disk (a restore runs it after replacing the keys)."""
        with self._lock:
            if self._postgres:
                self._vacuum_full()
            else:
                self._truncate_wal()

    # -- backup and restore --------------------------------------------------------------------------------------------
    def dump(self) -> tuple[list[tuple[str, bytes]], list[str]]:
        """Every key and every erased id, read in one transaction (one consistent state)."""
        with self._lock:
            if self._postgres:
                with self._conn.transaction():
                    self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    keys = self._conn.execute(f"SELECT resident_id, key FROM {self._keys}").fetchall()
                    erased = self._conn.execute(f"SELECT resident_id FROM {self._erased}").fetchall()
            else:
                self._conn.execute("BEGIN")
                try:
                    keys = self._conn.execute("SELECT resident_id, key FROM resident_keys").fetchall()
                    erased = self._conn.execute("SELECT resident_id FROM erased").fetchall()
                finally:
                    self._conn.execute("ROLLBACK")
        return [(str(n), bytes(k)) for n, k in keys], [str(row[0]) for row in erased]

    def load(self, keys: Iterable[tuple[str, bytes]], erased: Iterable[str], replace: bool = False) -> int:
        """Add keys and erased ids in one transaction (`replace`: instead of all there were); a key whose id is
        erased is never added. The number of keys added."""
        gone = set(erased)
        kept = [(name, key) for name, key in keys if name not in gone]
        with self._lock:
            if self._postgres:
                with self._conn.transaction(), self._conn.cursor() as cursor:
                    self._load(cursor, kept, gone, replace)
            else:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    self._load(self._conn.cursor(), kept, gone, replace)
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
        if replace:
            self.checkpoint()  # the replaced keys' bytes go the way of an erased one's
        return len(kept)

    def _load(self, cursor: Any, keys: list[tuple[str, bytes]], erased: set[str], replace: bool) -> None:
        m = self._mark
        if replace:
            cursor.execute(f"DELETE FROM {self._keys}")
            cursor.execute(f"DELETE FROM {self._erased}")
        cursor.executemany(
            f"INSERT INTO {self._keys} (resident_id, key) VALUES ({m}, {m}) ON CONFLICT (resident_id) DO NOTHING", keys
        )
        cursor.executemany(
            f"INSERT INTO {self._erased} (resident_id) VALUES ({m}) ON CONFLICT (resident_id) DO NOTHING",
            [(name,) for name in sorted(erased)],
        )
        # An erasure known here wins over a key from elsewhere (a key store restored from an older backup).
        cursor.executemany(f"DELETE FROM {self._keys} WHERE resident_id = {m}", [(name,) for name in sorted(erased)])

    # -- the upgrade from keys kept in the log's database --------------------------------------------------------------
    def _move_keys_out_of_the_log_sqlite(self, settings: Settings) -> None:
        """A data dir of before the key store kept the keys in `events.sqlite3`: copy them here (committed first),
        then drop the old table with secure_delete and VACUUM the log's file — pages freed by earlier erasures and
        reused by the events may still hold key bytes in their unused space, and VACUUM writes every page anew —
        and truncate its WAL. Under the setup lock; a crash half-way is finished by the next start."""
        if not settings.events_path.exists():
            return
        events = sqlite3.connect(settings.events_path, isolation_level=None, timeout=30)
        try:
            found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'resident_keys'"
            if events.execute(found).fetchone() is None:
                return
            rows = events.execute("SELECT resident_id, key FROM resident_keys").fetchall()
            self.load([(str(n), bytes(k)) for n, k in rows], [])
            events.execute("PRAGMA secure_delete=ON")
            events.execute("DROP TABLE resident_keys")
            # VACUUM keeps the rowids, which are the log's positions: SQLite copies them, and the log has no gaps.
            events.execute("VACUUM")
            events.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            log.warning("moved %d keys from the event log's file to the key store (%s)", len(rows), settings.keys_path)
        finally:
            events.close()

    def _move_keys_out_of_the_log_pg(self, settings: Settings) -> None:
        """The same on PostgreSQL: `<prefix>_events.resident_keys` is read through the log's connection (the keys'
        role need not read the log, nor the log's role the keys) and dropped once the keys are here."""
        old = f'"{settings.pg_schema}_events".resident_keys'
        with settings.pg_connect() as events:
            if events.execute("SELECT to_regclass(%s)", (old,)).fetchone()[0] is None:
                return
            rows = events.execute(f"SELECT resident_id, key FROM {old}").fetchall()
            self.load([(str(n), bytes(k)) for n, k in rows], [])
            events.execute(f"DROP TABLE {old}")
            log.warning("moved %d keys from %s to the key store", len(rows), old)


def read_erased(settings: Settings) -> set[str]:
    """The erased ids a deployment's key store knows, read without creating anything (none when it has no store)."""
    if settings.is_postgres:
        with settings.pg_connect(settings.keys_database_url or settings.database_url) as conn:
            table = f"{settings.pg_schema}_keys.erased"
            if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
                return set()
            return {str(row[0]) for row in conn.execute(f'SELECT resident_id FROM "{settings.pg_schema}_keys".erased')}
    if not settings.keys_path.exists():
        return set()
    conn = sqlite3.connect(settings.keys_path)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'erased'").fetchone() is None:
            return set()
        return {str(row[0]) for row in conn.execute("SELECT resident_id FROM erased")}
    finally:
        conn.close()
