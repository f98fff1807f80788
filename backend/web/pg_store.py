"""A Litestar store in PostgreSQL, for what every web host of one deployment must share (issue 27): sessions, the
sign-in lockouts and "signed out everywhere" stamps, the sign-in rate counters (backend.web.stores says which store
goes where).

One table, `<prefix>_views.web_store (namespace, key, value, expires_at)`: in the views' schema because it is not
part of the record (a backup of the log leaves it out, as it leaves out the views) and no projection writes it.
Made on first use, and again if the views' schema was dropped and made anew (a rebuild from an earlier lineage of
migrations). Reached through an asyncpg pool of its own (the views' engine talks to PostgreSQL through asyncpg
too), opened on first use and closed with the app (Litestar enters and leaves every store with the app)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from litestar.stores.base import NamespacedStore

from backend.config import Settings
from backend.web.same_turn import SameTurn
from projections.db import as_is, close_pool

Entry = tuple[bytes, datetime | None] | None  # a value and its expiry (None: never), or no entry

POOL_SIZE = 4  # per process: a query here is one short statement, never a transaction held open
SWEEP_SECONDS = 600.0  # expired entries are deleted by the first write after this long (reads ignore them anyway)


def expiry_seconds(expires_in: int | timedelta | None) -> float | None:
    """Expiry times are reckoned by the database's clock, which every host shares."""
    if expires_in is None:
        return None
    return expires_in.total_seconds() if isinstance(expires_in, timedelta) else float(expires_in)


class Connections:
    """The pools the stores of one app share: one per event loop (an asyncpg connection belongs to the loop that
    opened it; a server has one loop per process, a test may read the app's stores from its own), each opened by
    its loop's first query."""

    def __init__(self, settings: Settings) -> None:
        pg = settings.pg_params()
        self.params: dict[str, Any] = {
            "host": pg["host"],
            "port": int(pg["port"]),
            "user": pg["user"],
            "password": pg["password"] or None,
            "database": pg["dbname"],
        }
        self.setup_lock = f"linli setup {settings.pg_schema}"  # Settings.setup_lock's: `linli migrate` makes the schema
        self.schema = f"{settings.pg_schema}_views"
        self.table = f'"{self.schema}".web_store'
        self.pools: dict[asyncio.AbstractEventLoop, asyncpg.Pool] = {}
        self.opening: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        self.swept = time.monotonic()
        self.reads: SameTurn[tuple[str, str], tuple[bytes, datetime | None]] = SameTurn(self._read_all)

    async def _pool(self) -> asyncpg.Pool:
        loop = asyncio.get_running_loop()
        pool = self.pools.get(loop)
        if pool is None:
            async with self.opening.setdefault(loop, asyncio.Lock()):
                pool = self.pools.get(loop)
                if pool is None:
                    pool = await asyncpg.create_pool(min_size=1, max_size=POOL_SIZE, reset=as_is, **self.params)
                    await self._make_table(pool)
                    self.pools[loop] = pool
        return pool

    async def _make_table(self, pool: asyncpg.Pool) -> None:
        async with pool.acquire() as conn, conn.transaction():
            # Hosts starting together, and `linli migrate` making the same schema: one at a time (PostgreSQL refuses
            # two sessions creating one schema at once), under the deployment's setup lock.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.setup_lock)
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (namespace text NOT NULL, key text NOT NULL, "
                "value bytea NOT NULL, expires_at timestamptz, PRIMARY KEY (namespace, key))"
            )

    async def run(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        pool = await self._pool()
        try:
            return await pool.fetch(sql.replace("{table}", self.table), *args)
        except asyncpg.UndefinedTableError:  # the views' schema was dropped and made anew meanwhile
            await self._make_table(pool)
            return await pool.fetch(sql.replace("{table}", self.table), *args)

    async def read(self, namespace: str, key: str) -> Entry:
        """One entry's value and expiry, or None when there is none (or it expired): with every other entry asked
        for in this turn of the event loop, whichever namespace, in one statement after it."""
        return await self.reads.read((namespace, key))

    async def _read_all(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[bytes, datetime | None]]:
        # Both columns against arrays: an index scan of the primary key whatever the batch's size (a join with
        # unnest() may be planned as a scan of the table); an entry found but not asked for (one namespace's key
        # asked for in another) is never looked up.
        rows = await self.run(
            "SELECT namespace, key, value, expires_at FROM {table} WHERE namespace = ANY($1::text[]) "
            "AND key = ANY($2::text[]) AND (expires_at IS NULL OR expires_at > now())",
            list({namespace for namespace, _ in wanted}),
            list({key for _, key in wanted}),
        )
        return {(row["namespace"], row["key"]): (bytes(row["value"]), row["expires_at"]) for row in rows}

    async def close(self) -> None:
        """Close this loop's pool; another loop's (a test's, ended or not) is cut off."""
        loop = asyncio.get_running_loop()
        pools, self.pools = self.pools, {}
        self.opening.clear()
        for owner, pool in pools.items():
            if owner is loop:
                await close_pool(pool)
            else:
                pool.terminate()


class PostgresStore(NamespacedStore):
    """Litestar's store contract (as its RedisStore keeps it) on one table: an expired entry reads as missing;
    `renew_for` pushes an entry's expiry forward only if it has one; `delete_all` empties this namespace and the
    namespaces made from it."""

    def __init__(self, connections: Connections, namespace: str) -> None:
        self.connections = connections
        self.namespace = namespace

    def with_namespace(self, namespace: str) -> PostgresStore:
        return type(self)(self.connections, f"{self.namespace}_{namespace}")

    async def __aexit__(self, *_: object) -> None:
        await self.connections.close()  # every store of the app shares the pool: the first to leave closes it

    async def read(self, key: str) -> Entry:
        """The entry's value and expiry, or None when there is none (or it expired)."""
        return await self.connections.read(self.namespace, key)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if renew_for:
            rows = await self.connections.run(
                "UPDATE {table} SET expires_at = now() + make_interval(secs => $3) WHERE namespace = $1 "
                "AND key = $2 AND expires_at IS NOT NULL AND expires_at > now() RETURNING value",
                *(self.namespace, key, expiry_seconds(renew_for)),
            )
            if rows:
                return bytes(rows[0]["value"])
        found = await self.read(key)
        return found[0] if found else None

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        await self.connections.run(
            "INSERT INTO {table} (namespace, key, value, expires_at) "
            "VALUES ($1, $2, $3, now() + make_interval(secs => $4)) "  # NULL seconds: NULL, never expires
            "ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at",
            *(self.namespace, key, data, expiry_seconds(expires_in)),
        )
        if time.monotonic() - self.connections.swept > SWEEP_SECONDS:
            self.connections.swept = time.monotonic()
            await self.delete_expired()

    async def delete(self, key: str) -> None:
        await self.connections.run("DELETE FROM {table} WHERE namespace = $1 AND key = $2", self.namespace, key)

    async def delete_all(self) -> None:
        await self.connections.run(
            "DELETE FROM {table} WHERE namespace = $1 OR starts_with(namespace, $2)",
            self.namespace,
            self.namespace + "_",
        )

    async def delete_expired(self) -> None:
        """Every namespace's expired entries (by the database's clock, which all hosts share)."""
        await self.connections.run("DELETE FROM {table} WHERE expires_at <= now()")

    async def exists(self, key: str) -> bool:
        return await self.read(key) is not None

    async def expires_in(self, key: str) -> int | None:
        found = await self.read(key)
        if found is None or found[1] is None:
            return None
        return max(0, int((found[1] - datetime.now(UTC)).total_seconds()))
