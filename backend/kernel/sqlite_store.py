"""SQLite under the event log: one writer at a time across processes (a kernel file lock), and reads a thread may
hold in one snapshot (the writer reads a whole batch's aggregates together)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)

from backend.kernel.held_reads import HeldReads, HeldReadsSelect


class WriterLock:
    """One writer at a time across the processes on this SQLite file (several web processes, the CLI), queued by
    the kernel: SQLite's own busy handler sleeps 1, 2, 5, 10… ms between tries, and two writers committing batches
    back to back then leave the file idle between them."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._thread = threading.Lock()  # flock is per open file, not per thread

    def __enter__(self) -> None:
        self._thread.acquire()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread.release()
            raise

    def __exit__(self, *_: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread.release()

    def close(self) -> None:
        """Once: the datastore is closed again when collected, and by then the number may be another file's."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


class HeldReadsDatastore(SQLiteDatastore):
    """SQLite where a thread may hold one read transaction and make its reads in it: the writer reads a whole
    batch's aggregates in one snapshot instead of a BEGIN and a ROLLBACK (each taking WAL locks) around every
    read. Writes always take their own transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held = threading.local()
        self._writers = (
            None if self.pool.is_sqlite_memory_mode else WriterLock(Path(f"{self.pool.db_name}-writer.lock"))
        )

    @contextlib.contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        if commit and self._writers is not None:
            with self._writers, super().transaction(commit=True) as cursor:
                yield cursor
            return
        held: SQLiteConnection | None = getattr(self._held, "connection", None)
        if commit or held is None:
            with super().transaction(commit=commit) as cursor:
                yield cursor
            return
        cursor = held.cursor()
        try:
            yield cursor
        finally:
            cursor.sqlite_cursor.close()

    def close(self) -> None:
        super().close()
        if self._writers is not None:
            self._writers.close()

    def hold(self) -> bool:
        """This thread's reads share one snapshot until `release`; False when already holding one (or in memory)."""
        if getattr(self._held, "connection", None) is None and not self.pool.is_sqlite_memory_mode:
            connection = self.pool.get_connection(is_writer=False)
            try:
                connection.cursor().execute("BEGIN")
            except BaseException:
                self.pool.put_connection(connection)
                raise
            self._held.connection = connection
            self._held.reads = {}
            return True
        return False

    def held_reads(self) -> HeldReads | None:
        """What this thread has read in its held snapshot (None when not holding one)."""
        return getattr(self._held, "reads", None)

    def release(self) -> None:
        connection: SQLiteConnection | None = getattr(self._held, "connection", None)
        if connection is not None:
            self._held.connection = None
            self._held.reads = None
            try:
                connection.rollback()
            finally:
                self.pool.put_connection(connection)


class HeldReadsRecorder(HeldReadsSelect, SQLiteApplicationRecorder):
    """In a held snapshot the log cannot change, so each aggregate's events are read from it once: a batch of votes
    fast-forwards its meeting once, not once per vote, and `read_ahead` looks up a batch's new ids together. Every
    read between two commits is a trip through the interpreter lock, which the busy event loop holds."""

    datastore: HeldReadsDatastore
    READ_AHEAD_CHUNK = 500

    def held_reads(self) -> HeldReads | None:
        return self.datastore.held_reads()

    def read_ahead(self, versions: dict[UUID, int]) -> None:
        """Read the events of these aggregates after these versions into the held snapshot, a few statements for all
        of them (an aggregate with no such events is known to have none)."""
        reads = self.datastore.held_reads()
        if reads is None:
            return
        wanted = [(i.hex, v) for i, v in versions.items() if i.hex not in reads or reads[i.hex][0] > v]
        for start in range(0, len(wanted), self.READ_AHEAD_CHUNK):
            chunk = wanted[start : start + self.READ_AHEAD_CHUNK]
            found: dict[str, list[StoredEvent]] = {key: [] for key, _ in chunk}
            statement = (
                f"WITH wanted(id, above) AS (VALUES {', '.join('(?, ?)' for _ in chunk)}) "
                f"SELECT e.* FROM wanted JOIN {self.events_table_name} e "
                "ON e.originator_id = wanted.id AND e.originator_version > wanted.above "
                "ORDER BY e.originator_id, e.originator_version"
            )
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, [value for pair in chunk for value in pair])
                rows = cursor.fetchall()
            for row in rows:
                found[row["originator_id"]].append(
                    StoredEvent(
                        originator_id=self.convert_originator_id(row["originator_id"]),
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=row["state"],
                    )
                )
            reads.update((key, (above, found[key])) for key, above in chunk)


class LinliSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite persistence with the held-reads datastore and recorder."""

    application_recorder_class = HeldReadsRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        plain = self.datastore
        self.datastore = HeldReadsDatastore(
            plain.pool.db_name,
            lock_timeout=plain.pool.lock_timeout,
            single_row_tracking=plain.single_row_tracking,
            originator_id_type=plain.originator_id_type,
        )
        plain.close()
