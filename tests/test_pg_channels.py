"""The live channels on PostgreSQL: messages published on one kept connection, and again after it breaks."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from backend.web.pg_channels import PostgresChannels
from tests.conftest import POSTGRES

pytestmark = pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only (LINLI_TEST_DATABASE=postgres)")


async def received(backend: PostgresChannels, count: int) -> list[tuple[str, bytes]]:
    events: list[tuple[str, bytes]] = []

    async def collect() -> None:
        async for event in backend.stream_events():
            events.append(event)
            if len(events) == count:
                return

    await asyncio.wait_for(collect(), 10)
    return events


async def test_messages_are_published_on_one_connection_and_on_a_new_one_after_it_breaks(settings):
    backend = PostgresChannels(settings.pg_dsn())
    channel, other = f"tally {settings.pg_schema}", f"Notices {settings.pg_schema}"  # names kept as they are
    await backend.on_startup()
    try:
        await backend.subscribe([channel, other])
        await backend.publish(b"1", [channel])
        kept = backend._publisher
        await backend.publish("二".encode(), [channel, other])
        assert backend._publisher is kept
        assert sorted(await received(backend, 3)) == sorted(
            [(channel, b"1"), (channel, "二".encode()), (other, "二".encode())]
        )
        assert kept is not None
        with psycopg.connect(settings.pg_dsn(), autocommit=True) as admin:  # as when the database restarts
            admin.execute("SELECT pg_terminate_backend(%s)", (kept.info.backend_pid,))
        await backend.publish(b"3", [channel])
        assert await received(backend, 1) == [(channel, b"3")]
        assert backend._publisher is not kept
    finally:
        await backend.on_shutdown()
    assert backend._publisher is None
