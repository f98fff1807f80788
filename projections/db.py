"""Which database the views live in, and running Piccolo migrations against it."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.columns import JSON
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.table import Table

from backend.config import Settings

os.environ.setdefault("PICCOLO_CONF", "projections.piccolo_conf")
log = logging.getLogger(__name__)


RETURNING_MISSING = sqlite3.sqlite_version_info < (3, 35)  # Piccolo reads an insert's key another way then


class LinliSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine opens a connection (and a thread) per query; pages read through one kept
    connection per event loop instead. Transactions (the projector's writes) still get their own."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._readers: dict[asyncio.AbstractEventLoop, aiosqlite.Connection] = {}
        self._writers: dict[asyncio.AbstractEventLoop, _KeptConnection] = {}
        self._opening: dict[tuple[asyncio.AbstractEventLoop, str], asyncio.Task[Any]] = {}

    async def get_connection(self) -> Any:
        """Transactions take turns on one kept writer connection (there is one writer: the projector)."""
        loop = asyncio.get_running_loop()
        writer = self._writers.get(loop) or await self._open_once(loop, "writer", self._open_writer)
        await writer.turn.acquire()
        return writer

    async def _reader(self) -> aiosqlite.Connection:
        loop = asyncio.get_running_loop()
        return self._readers.get(loop) or await self._open_once(loop, "reader", self._open_reader)

    async def _open_once(
        self,
        loop: asyncio.AbstractEventLoop,
        kind: str,
        opener: Callable[[asyncio.AbstractEventLoop], Coroutine[Any, Any, Any]],
    ) -> Any:
        """The loop's kept connection opened by one task, which finishes even if the first to ask is cancelled:
        each connection has a thread that is no daemon, and one opened twice (first reads at once) or dropped
        half-open would never be closed and would keep the process from exiting."""
        key = (loop, kind)
        if key not in self._opening:
            self._opening[key] = loop.create_task(opener(loop), name=f"views {kind}")
            self._opening[key].add_done_callback(lambda _: self._opening.pop(key, None))
        return await asyncio.shield(self._opening[key])

    async def _open_reader(self, loop: asyncio.AbstractEventLoop) -> aiosqlite.Connection:
        reader = await aiosqlite.connect(**self.connection_kwargs)
        reader.row_factory = dict_factory  # type: ignore[assignment]
        self._readers[loop] = reader
        return reader

    async def _open_writer(self, loop: asyncio.AbstractEventLoop) -> _KeptConnection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        try:
            # The views and their positions commit together and are rebuilt from the log: a power cut may take
            # back the last batches, never half of one (WAL), so the projector simply applies them again.
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys = 1")  # once, not before every statement as Piccolo does
        except BaseException:
            await connection.close()
            raise
        self._writers[loop] = _KeptConnection(connection)
        return self._writers[loop]

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        reader = await self._reader()
        rows = await reader.execute_fetchall(query, args or [])  # one trip to the connection's thread, not three
        if reader.in_transaction:
            await reader.commit()
        return rows

    async def _run_in_existing_connection(
        self, connection: Any, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        """A statement in the projector's transaction is one trip to the connection's thread, not four: each trip
        waits for a turn of the event loop, which a burst of requests keeps busy."""
        if not isinstance(connection, _KeptConnection) or RETURNING_MISSING:
            return await super()._run_in_existing_connection(connection, query, args, query_type, table)
        return await connection.execute_fetchall(query, args or [])

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return _KeptTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def close_connections(self) -> None:
        loop = asyncio.get_running_loop()
        opening = [task for (owner, _), task in self._opening.items() if owner is loop]
        await asyncio.gather(*opening, return_exceptions=True)  # then closed with the others
        kept = [*self._readers.items(), *((owner, w.connection) for owner, w in self._writers.items())]
        for owner, connection in kept:
            if owner is loop:
                await connection.close()
            else:
                connection.stop()
        self._readers.clear()
        self._writers.clear()


class _KeptTransaction(SQLiteTransaction):
    async def __aenter__(self) -> SQLiteTransaction:
        try:
            return await super().__aenter__()
        except BaseException:
            connection = getattr(self, "connection", None)
            if isinstance(connection, _KeptConnection):
                await connection.close()  # a failed BEGIN must not keep the writer's turn
            raise


class _KeptConnection:
    """The writer connection as a transaction sees it: closing it hands it to the next transaction."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self.turn = asyncio.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)

    async def close(self) -> None:
        self.turn.release()


async def as_is(_: Any) -> None:
    """An asyncpg pool's `reset`: none. asyncpg's own sends a statement on every release of a connection (RESET ALL,
    UNLISTEN *, advisory unlocks, CLOSE ALL: a round trip, and about as much of the client's CPU as the statement
    it follows); the views' statements and the web's shared store change nothing of their session that outlives a
    transaction (asyncpg still rolls back one left open)."""


async def close_pool(pool: Any, seconds: float = 10.0) -> None:
    """Close an asyncpg pool, but not forever: asyncpg's close() waits for every connection to come back, and a stop
    must not hang on one that never does (what is still out after `seconds` is cut off)."""
    try:
        await asyncio.wait_for(pool.close(), seconds)
    except TimeoutError:
        log.warning("PostgreSQL connections still in use after %s s; terminating them", seconds)
        pool.terminate()


def make_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        pg = settings.pg_params()
        return PostgresEngine(
            config={
                "host": pg["host"],
                "port": int(pg["port"]),
                "user": pg["user"],
                "password": pg["password"] or None,
                "database": pg["dbname"],
                "server_settings": {"search_path": f"{settings.pg_schema}_views"},
            },
            extensions=(),
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return LinliSQLiteEngine(path=str(settings.views_path), timeout=30)


def bind(engine: Engine, tables: Sequence[type[Table]]) -> None:
    """Point every table (the views', given by the registry, and Piccolo's migration table) at this engine."""
    from piccolo.apps.migrations.tables import Migration

    from projections import piccolo_conf

    piccolo_conf.DB = engine  # type: ignore[assignment]
    for table in (*tables, Migration):
        table._meta.db = engine
    if isinstance(engine, PostgresEngine):
        # Piccolo asks "does a `migration` table exist?" in every schema unless told which: another deployment's
        # (or a crashed test's) views schema in the same database would otherwise make it skip creating ours.
        Migration._meta.schema = engine.config["server_settings"]["search_path"]
    else:
        Migration._meta.schema = None


def write_transaction(engine: Engine) -> Any:
    """The projector's transaction: IMMEDIATE on SQLite so the single writer never hits a late lock."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def prepare(engine: Engine, settings: Settings) -> None:
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    else:
        import asyncpg

        pg = settings.pg_params()
        conn = await asyncpg.connect(
            host=pg["host"],
            port=int(pg["port"]),
            user=pg["user"],
            password=pg["password"] or None,
            database=pg["dbname"],
        )
        try:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{settings.pg_schema}_views"')
        finally:
            await conn.close()


async def migrate(engine: Engine, settings: Settings, tables: Sequence[type[Table]], quiet: bool = True) -> bool:
    """Bring the views' tables to the migrations' state. True when they were made by an earlier lineage of
    migrations (before the baseline): then they are dropped and made anew, every projection at position 0, and
    the projector rebuilds them from the log (the log is the record; the views are only its reading)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    with settings.setup_lock():
        await prepare(engine, settings)
        bind(engine, tables)
        rebuilt = await _drop_earlier_lineage(tables)
        out = io.StringIO()
        with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
            result = await run_forwards(app_name="projections", migration_id="all")
    if not result.success:
        raise RuntimeError(f"view migrations failed: {result.message}\n{out.getvalue()}")
    return rebuilt


def migration_ids() -> set[str]:
    """The ids of the migrations this code has (the baseline and those on top of it)."""
    from projections import migrations

    folder = Path(migrations.__file__).parent
    return {
        importlib.import_module(f"projections.migrations.{path.stem}").ID for path in folder.glob("projections_*.py")
    }


async def _drop_earlier_lineage(tables: Sequence[type[Table]]) -> bool:
    """Drop the views (and forget their migrations) when a migration applied to them is not one this code has."""
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists():
        return False
    applied = {row["name"] for row in await Migration.select(Migration.name).where(Migration.app_name == "projections")}
    if not applied - migration_ids():
        return False
    engine = Migration._meta.db
    async with write_transaction(engine):
        for table in tables:
            await table.raw(f'DROP TABLE IF EXISTS "{table._meta.tablename}"')
        await Migration.delete().where(Migration.app_name == "projections")
    log.warning("the views were made by an earlier lineage of migrations: dropped, to be rebuilt from the log")
    return True


def _connection(engine: Engine) -> Any:
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk writes run inside the projector's transaction")
    return transaction.connection


def _placeholders(engine: Engine, sql: str) -> str:
    """Write statements with `?`; PostgreSQL (asyncpg) numbers them."""
    if isinstance(engine, SQLiteEngine):
        return sql
    parts = sql.split("?")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, start=1))


async def bulk_insert(table: type[Table], rows: Sequence[dict[str, Any]]) -> None:
    """One executemany for many view rows: Piccolo builds a query per call, which is too slow for a rebuild."""
    if not rows:
        return
    engine = table._meta.db
    columns = list(rows[0])
    json_columns = {c._meta.name for c in table._meta.columns if isinstance(c, JSON)} & set(columns)
    sql = _placeholders(
        engine,
        f'INSERT INTO "{table._meta.tablename}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})',
    )
    if json_columns:
        rows = [{**row, **{c: _value(row[c]) for c in json_columns}} for row in rows]
    await _connection(engine).executemany(sql, [tuple(row.values()) for row in rows])


async def bulk_execute(table: type[Table], sql: str, params: Iterable[Sequence[Any]]) -> None:
    values = [tuple(_value(v) for v in p) for p in params]
    if values:
        engine = table._meta.db
        await _connection(engine).executemany(_placeholders(engine, sql), values)


def _value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
