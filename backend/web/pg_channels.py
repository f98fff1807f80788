"""The live channels across hosts on PostgreSQL: Litestar's LISTEN/NOTIFY backend, publishing on a connection it
keeps."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import psycopg
from litestar.channels.backends.psycopg import PsycoPgChannelsBackend
from psycopg import AsyncConnection

log = logging.getLogger(__name__)


class PostgresChannels(PsycoPgChannelsBackend):
    """Litestar's backend opens a connection for every message it publishes: a TCP handshake, authentication and a
    new PostgreSQL backend process (a fork) per tally frame, which in a vote burst took a tenth of the leading
    process's event loop and as much again of the database's CPU. This one publishes on one connection, opened on
    first use and again after it breaks, all of a message's channels in one statement.

    Litestar's plugin publishes one message after another from one task, which ends at the first error: a message
    that cannot be sent after a fresh connection is logged and dropped instead (the pages show the views anyway)."""

    SECONDS = 5.0  # a message not sent by then is given up (a half-open link must not hold every later one)

    def __init__(self, pg_dsn: str) -> None:
        super().__init__(pg_dsn)
        self._publisher: AsyncConnection[Any] | None = None
        self._publishing = asyncio.Lock()  # the projector and leadership's relay may publish at once: one connection

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        payload, names = data.decode("utf-8"), list(channels)
        for attempt in range(2):
            try:
                async with self._publishing, asyncio.timeout(self.SECONDS):
                    connection = self._publisher
                    if connection is None or connection.closed:
                        connection = self._publisher = await AsyncConnection.connect(self._pg_dsn, autocommit=True)
                    # pg_notify takes the channel's name as it is, as NOTIFY takes a quoted identifier.
                    await connection.execute(
                        "SELECT pg_notify(name, %s) FROM unnest(%s::text[]) AS name", (payload, names)
                    )
                return
            except (psycopg.Error, TimeoutError):
                await self._close_publisher()
                if attempt:
                    log.exception("a live message to %s was not sent", names)

    async def on_shutdown(self) -> None:
        await self._close_publisher()
        await super().on_shutdown()

    async def _close_publisher(self) -> None:
        connection, self._publisher = self._publisher, None
        if connection is not None:
            try:
                await connection.close()
            except psycopg.Error:
                log.debug("closing the publishing connection", exc_info=True)
