"""Where the web keeps what is not in the log: sessions ("sessions"), the sign-in lockouts and "signed out everywhere"
stamps ("security"), the sign-in attempts per address and minute ("signin_rate").

- One host (SQLite, the default): files in the data dir, which the web processes of that host share
  (backend.web.sessions).
- PostgreSQL (LINLI_DATABASE_URL): every host of the deployment shares them in its database (backend.web.pg_store),
  and a host needs nothing in its data dir to serve a signed-in resident.
- With LINLI_REDIS_URL as well: the hot, expiring ones (sessions, rate counters) in Redis, under a prefix per
  deployment (`linli_<LINLI_PG_SCHEMA>`). The security store stays in PostgreSQL (or files): its "signed out
  everywhere" stamps never expire, and a Redis that evicts keys under memory pressure, or restarts without
  persistence, would quietly make sessions ended on purpose valid again.

Sessions stay as cheap as the file store made them: a response does not rewrite its session when the request's own
read found it holding the same data with an expiry less than RENEW_AFTER older than the one it would write (Litestar
would write it on every response). Every read still asks the shared store, so a sign-out on one host counts at once on
every other."""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore

from backend.config import Settings
from backend.web.pg_store import Connections, PostgresStore, expiry_seconds
from backend.web.same_turn import SameTurn
from backend.web.sessions import REMEMBERED, RENEW_AFTER, SessionStore, StampedFileStore


def web_stores(settings: Settings) -> dict[str, Store]:
    """The app's stores for these settings (the app factory's one call)."""
    if settings.is_postgres:
        connections = Connections(settings)
        stores: dict[str, Store] = {
            "sessions": PostgresSessions(connections, "sessions"),
            "security": PostgresStore(connections, "security"),
            "signin_rate": PostgresStore(connections, "signin_rate"),
        }
    else:
        stores = {
            "sessions": SessionStore(settings.data_dir / "sessions", create_directories=True),
            "security": StampedFileStore(settings.data_dir / "security", create_directories=True),
            # on disk, so that the limit per address holds across the web processes (LINLI_WORKERS)
            "signin_rate": StampedFileStore(settings.data_dir / "signin-rate", create_directories=True),
        }
    if settings.redis_url:
        deployment = RedisSessions.with_client(settings.redis_url, namespace=redis_prefix(settings))
        stores["sessions"] = deployment.with_namespace("sessions")
        stores["signin_rate"] = RedisStore(
            deployment._redis, f"{deployment.namespace}_signin_rate", handle_client_shutdown=True
        )
    return stores


def redis_prefix(settings: Settings) -> str:
    """The deployment's keys in Redis start with this (one Redis may serve several deployments)."""
    return f"linli_{settings.pg_schema}"


class Unrewritten:
    """What the last read of each session found (its data, and when it expires, epoch seconds), so that a response
    whose session holds just that skips the write (backend.web.sessions.SessionStore does the same with files)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()

    def _saw(self, key: str, found: tuple[bytes, float | None] | None) -> None:
        if found is None:
            self._seen.pop(key, None)
            return
        self._seen[key] = found
        self._seen.move_to_end(key)
        while len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)

    def _holds(self, key: str, data: bytes, expires_in: int | timedelta | None) -> bool:
        seen = self._seen.get(key)
        if seen is None or seen[0] != data:
            return False
        held, seconds = seen[1], expiry_seconds(expires_in)
        if held is None or seconds is None:
            return held is None and seconds is None
        return time.time() + seconds - held < RENEW_AFTER

    def _wrote(self, key: str, data: bytes, expires_in: int | timedelta | None) -> None:
        seconds = expiry_seconds(expires_in)
        self._saw(key, (data, None if seconds is None else time.time() + seconds))

    # The stores' own set and delete, through this mixin first (it stands before the store in the class's bases).
    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        if not self._holds(key, data, expires_in):
            await super().set(key, data, expires_in)  # type: ignore[misc]
            self._wrote(key, data, expires_in)

    async def delete(self, key: str) -> None:
        self._saw(key, None)
        await super().delete(key)  # type: ignore[misc]


class PostgresSessions(Unrewritten, PostgresStore):
    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if renew_for:
            self._saw(key, None)
            return await super().get(key, renew_for)
        found = await self.read(key)
        self._saw(key, None if found is None else (found[0], found[1].timestamp() if found[1] else None))
        return found[0] if found else None


class RedisSessions(Unrewritten, RedisStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reads: SameTurn[str, tuple[bytes, int]] = SameTurn(self._read_all)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if renew_for:
            self._saw(key, None)
            return await super().get(key, renew_for)
        found = await self._reads.read(key)
        if found is None:
            self._saw(key, None)
            return None
        data, left_ms = found
        self._saw(key, (data, time.time() + left_ms / 1000 if left_ms >= 0 else None))
        return data

    async def _read_all(self, keys: list[str]) -> dict[str, tuple[bytes, int]]:
        """Each session's value and milliseconds left (-1: no expiry): every session read in this turn of the event
        loop (backend.web.same_turn) in one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.get(self._make_key(key))
                pipe.pttl(self._make_key(key))
            answers = await pipe.execute()
        return {
            key: (bytes(data), left_ms)
            for key, data, left_ms in zip(keys, answers[::2], answers[1::2], strict=True)
            if data is not None
        }
