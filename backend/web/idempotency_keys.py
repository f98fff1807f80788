"""Where the outbox's idempotency keys are kept (backend/web/idempotency.py says what they are for): one row per
resident and key in the views' database (table `idempotency_key`, made by the migration of 2026-12-07T09:23), which
every web process and every host on one PostgreSQL reach. Not an event, not a view of the log: no projection writes
it and a rebuild leaves it alone.

The row's primary key, "<resident id>/<key>", is the unique constraint on (actor, key) that makes a claim atomic: an
INSERT … ON CONFLICT DO NOTHING, then the row read back in the same transaction; the request whose random claim token
the row holds runs the command. On SQLite every write goes through the views' one writer connection (IMMEDIATE
transactions, projections.db), as the projector's do."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from projections.db import write_transaction

KEEP_SECONDS = 7 * 24 * 3600  # a key is kept at least this long (an outbox can hold an action a week offline)
STALE_SECONDS = 120  # a claim still running after this long belongs to a process that died: the next repeat runs
PENDING = 0  # the status of a key whose first request is still running

_COLUMNS = "claim, method, path, created, status, headers, body"


@dataclass(frozen=True)
class Kept:
    """A key's row: whose claim holds it, what it was first used for and, once answered, the answer."""

    claim: str
    method: str
    path: str
    created: int
    status: int  # PENDING while the first request runs
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def pending(self) -> bool:
        return self.status == PENDING


def _kept(row: Any) -> Kept:
    return Kept(
        claim=row["claim"],
        method=row["method"],
        path=row["path"],
        created=int(row["created"]),
        status=int(row["status"]),
        headers=[(str(name), str(value)) for name, value in json.loads(row["headers"] or "[]")],
        body=bytes(row["body"] or b""),
    )


class Keys:
    """The keys in the views' database of this process (the runtime's engine)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def _run(self, sql: str, *args: Any) -> list[Any]:
        return await self.engine.run_querystring(QueryString(sql, *args)) or []

    async def _row(self, row_id: str) -> Kept | None:
        rows = await self._run(f"SELECT {_COLUMNS} FROM idempotency_key WHERE id = {{}}", row_id)
        return _kept(rows[0]) if rows else None

    async def claim(self, actor: str, key: str, method: str, path: str, now: int) -> tuple[str | None, Kept]:
        """Take the key for a first run: (the claim token, the row) when this request holds it now, (None, the row)
        when another request holds or answered it. A claim older than STALE_SECONDS that never finished (its
        process died) is taken over."""
        token, row_id = secrets.token_hex(16), f"{actor}/{key}"
        async with write_transaction(self.engine):
            await self._run(
                "INSERT INTO idempotency_key (id, claim, method, path, created, status, headers, body) "
                "VALUES ({}, {}, {}, {}, {}, {}, '[]', {}) ON CONFLICT (id) DO NOTHING",
                *(row_id, token, method, path, now, PENDING, b""),
            )
            await self._run(  # a stale claim: this request's now (its row guards against two taking it over)
                "UPDATE idempotency_key SET claim = {}, created = {}, method = {}, path = {} "
                "WHERE id = {} AND status = {} AND created < {}",
                *(token, now, method, path, row_id, PENDING, now - STALE_SECONDS),
            )
            row = await self._row(row_id)
        assert row is not None  # inserted or there before, in this transaction
        return (token if row.claim == token else None), row

    async def read(self, actor: str, key: str) -> Kept | None:
        return await self._row(f"{actor}/{key}")

    async def answer(
        self, actor: str, key: str, token: str, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        """Keep the first request's answer, for every repeat of the key."""
        async with write_transaction(self.engine):
            await self._run(
                "UPDATE idempotency_key SET status = {}, headers = {}, body = {} WHERE id = {} AND claim = {}",
                *(status, json.dumps(headers, ensure_ascii=False), body, f"{actor}/{key}", token),
            )

    async def release(self, actor: str, key: str, token: str) -> None:
        """Give the key up (the first request failed, 5xx, or never reached its handler): a repeat runs again."""
        async with write_transaction(self.engine):
            await self._run("DELETE FROM idempotency_key WHERE id = {} AND claim = {}", f"{actor}/{key}", token)

    async def forget_expired(self, now: int) -> None:
        """Drop the keys claimed more than KEEP_SECONDS ago (one indexed DELETE)."""
        async with write_transaction(self.engine):
            await self._run("DELETE FROM idempotency_key WHERE created < {}", now - KEEP_SECONDS)
