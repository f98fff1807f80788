"""Which database the views live in, and running Piccolo migrations against it."""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from backend.config import Settings

os.environ.setdefault("PICCOLO_CONF", "projections.piccolo_conf")


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
    return SQLiteEngine(path=str(settings.views_path), timeout=30)


def bind(engine: Engine) -> None:
    """Point every table (ours and Piccolo's migration table) at this engine."""
    from piccolo.apps.migrations.tables import Migration

    from projections import piccolo_conf
    from projections.tables import ALL_TABLES

    piccolo_conf.DB = engine  # type: ignore[assignment]
    for table in (*ALL_TABLES, Migration):
        table._meta.db = engine


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


async def migrate(engine: Engine, settings: Settings, quiet: bool = True) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    await prepare(engine, settings)
    bind(engine)
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="projections", migration_id="all")
    if not result.success:
        raise RuntimeError(f"view migrations failed: {result.message}\n{out.getvalue()}")
