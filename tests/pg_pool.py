"""Schema sets reused between PostgreSQL tests, emptied in between.

Every test gets a schema set of its own (`<name>_events`, `_views`, `_keys`), as before, but creating one (71 tables,
180 indexes) costs PostgreSQL about a second of CPU, most of a short test's time: the suite spent about half its
PostgreSQL time there. A set whose tables a test only wrote to is emptied instead (every row deleted, every sequence
restarted, so positions and notification ids start at 1 again, as in a new set; the views' record of their migrations
kept) and handed to the next test of the same
pytest worker. A set whose structure a test changed (a table dropped or renamed, a column altered: the migration and
fallback tests) is dropped, as every set was before. Tables a test only added are kept: the runtime creates them on
start anyway (CREATE ... IF NOT EXISTS). The sets left at the end of the session are dropped.
"""

from __future__ import annotations

import uuid

import psycopg

SUFFIXES = ("events", "views", "keys")

# One row per relation and per column of the set (tables, indexes, sequences, views): what a test must leave for
# the set to be reused, and what it may only add to.
_STRUCTURE = """
SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' || coalesce(a.attname || ' ' ||
       format_type(a.atttypid, a.atttypmod) || (CASE WHEN a.attnotnull THEN ' not null' ELSE '' END), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
WHERE n.nspname = ANY(%s)
UNION ALL
SELECT schemaname || '.' || indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = ANY(%s)
"""


class SchemaPool:
    """The sets of one pytest worker: `take` a name, `give` it back after the test."""

    def __init__(self, url: str, reuse: bool = True) -> None:
        self.url = url
        self.reuse = reuse  # False: every set dropped after its test (LINLI_TEST_SCHEMA_REUSE=0), to compare
        self.free: list[tuple[str, frozenset[str]]] = []  # name, structure when handed out
        self.out: dict[str, frozenset[str] | None] = {}  # None: a fresh set, dropped after its test

    def take(self, fresh: bool = False) -> str:
        """A set's name: an emptied one if there is one, else (or if `fresh`: a test that must find no tables)
        a name never used, whose set the runtime will create."""
        if self.free and not fresh:
            name, structure = self.free.pop()
            self.out[name] = structure
            return name
        name = f"t{uuid.uuid4().hex[:12]}"
        self.out[name] = None if fresh else frozenset()
        return name

    def give(self, name: str) -> None:
        """Back after its test: emptied for the next one when its structure is whole (every migration this code has
        applied, nothing taken away) and no process still leads on it (a `linli serve` or runtime the test left
        running would project the next test's events); else dropped."""
        before = self.out.pop(name)
        with psycopg.connect(self.url, autocommit=True) as conn:
            after = _structure(conn, name)
            whole = before is not None and before <= after and _migrated(after, name)
            if self.reuse and whole and _unled(conn, name) and _emptied(conn, name):
                self.free.append((name, after))
                return
        drop(self.url, name)

    def close(self) -> None:
        for name, _ in self.free:
            drop(self.url, name)
        self.free.clear()


def _names(name: str) -> list[str]:
    return [f"{name}_{suffix}" for suffix in SUFFIXES]


def _structure(conn: psycopg.Connection, name: str) -> frozenset[str]:
    """The set's relations and columns, and the migrations applied to its views (Piccolo's `migration` rows, which
    emptying keeps: they say the tables are made, and a test that changes them changes the structure)."""
    found = {row[0] for row in conn.execute(_STRUCTURE, (_names(name), _names(name)))}
    if any(row.startswith(f"{name}_views.migration:r:") for row in found):
        found |= {f"migration {row[0]}" for row in conn.execute(f'SELECT name FROM "{name}_views".migration')}
    return frozenset(found)


def _migrated(structure: frozenset[str], name: str) -> bool:
    from projections.db import migration_ids

    return bool(migration_ids()) and all(f"migration {m}" in structure for m in migration_ids())


def _unled(conn: psycopg.Connection, name: str) -> bool:
    """No session holds the set's leader lock (backend.leadership.lock_name)."""
    key = f"linli projector {name}"
    taken = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()[0]
    if taken:
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
    return bool(taken)


def _emptied(conn: psycopg.Connection, name: str) -> bool:
    """Every row deleted and every sequence restarted, in one transaction; False if a lock held elsewhere (a
    connection the test left open) would make it wait."""
    tables = conn.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname = ANY(%s) AND (schemaname, tablename) <> (%s, 'migration')",
        (_names(name), f"{name}_views"),
    ).fetchall()
    sequences = conn.execute(
        "SELECT quote_ident(sequence_schema) || '.' || quote_ident(sequence_name) "
        "FROM information_schema.sequences WHERE sequence_schema = ANY(%s) "
        "AND (sequence_schema, sequence_name) <> (%s, 'migration_id_seq')",  # its rows are kept
        (_names(name), f"{name}_views"),
    ).fetchall()
    try:
        with conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '2s'")
            # DELETE, not TRUNCATE: on small tables it is ten times cheaper (TRUNCATE makes new files for each);
            # all in one round trip
            deletes = [f"DELETE FROM {table}" for (table,) in tables]
            restarts = [f"ALTER SEQUENCE {sequence} RESTART" for (sequence,) in sequences]
            conn.execute("; ".join(deletes + restarts).encode())
    except psycopg.errors.LockNotAvailable:
        return False
    return True


def drop(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in _names(name):
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
