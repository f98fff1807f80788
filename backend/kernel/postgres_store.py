"""PostgreSQL under the event log: eventsourcing's recorder, with reads the writer thread holds for one batch (the
counterpart of backend.kernel.sqlite_store's held snapshot)."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg.sql import SQL, Identifier

from backend.kernel.held_reads import HeldReads, HeldReadsSelect


class HeldReadsPostgresRecorder(HeldReadsSelect, PostgresApplicationRecorder):
    """Between `hold` and `release`, each aggregate's events are read from the database once, and `read_ahead` reads
    a batch's aggregates in one statement. Without it the writer reads every command's record, vote and voter one
    statement after another (four round trips a vote, each waiting for the database and then for the interpreter
    lock the busy event loop holds), and a batch of votes fast-forwards its meeting once per vote.

    Unlike SQLite's, the reads are not one snapshot: each aggregate is read as of its first read in the batch. That
    is what commands running side by side see; a write by another process in between is refused at the save (the
    aggregate's next version is taken) and the batch is redone a command at a time (backend.kernel.group_commit)."""

    READ_AHEAD_CHUNK = 500

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held = threading.local()
        self.read_ahead_statement = SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            "FROM unnest(%s::{id_type}[], %s::bigint[]) AS wanted(id, above) "
            "JOIN {schema}.{table} e ON e.originator_id = wanted.id AND e.originator_version > wanted.above "
            "ORDER BY e.originator_id, e.originator_version"
        ).format(
            id_type=Identifier(self.datastore.originator_id_type),
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
        )

    def hold(self) -> bool:
        """This thread's reads are kept until `release`; False when already holding them."""
        if getattr(self._held, "reads", None) is None:
            self._held.reads = {}
            return True
        return False

    def release(self) -> None:
        self._held.reads = None

    def held_reads(self) -> HeldReads | None:
        return getattr(self._held, "reads", None)

    def read_ahead(self, versions: dict[UUID, int]) -> None:
        """Read the events of these aggregates after these versions, one statement for up to READ_AHEAD_CHUNK of
        them (an aggregate with no such events is known to have none)."""
        reads: HeldReads | None = getattr(self._held, "reads", None)
        if reads is None or self.datastore.originator_id_type != "uuid":  # Linli's ids are UUIDs
            return
        wanted = [(i, v) for i, v in versions.items() if i.hex not in reads or reads[i.hex][0] > v]
        for start in range(0, len(wanted), self.READ_AHEAD_CHUNK):
            chunk = wanted[start : start + self.READ_AHEAD_CHUNK]
            found: dict[str, list[StoredEvent]] = {i.hex: [] for i, _ in chunk}
            with self.datastore.get_connection() as conn, conn.cursor() as cursor:
                cursor.execute(self.read_ahead_statement, ([i for i, _ in chunk], [v for _, v in chunk]), prepare=True)
                rows = cursor.fetchall()
            for row in rows:
                originator_id = row["originator_id"]
                found[originator_id.hex if isinstance(originator_id, UUID) else originator_id].append(
                    StoredEvent(
                        originator_id=originator_id,
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    )
                )
            reads.update((i.hex, (above, found[i.hex])) for i, above in chunk)


class LinliPostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL persistence with the held-reads recorder."""

    application_recorder_class = HeldReadsPostgresRecorder
