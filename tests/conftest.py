"""Shared fixtures: every test gets its own stores, SQLite by default or PostgreSQL when
LINLI_TEST_DATABASE=postgres (a fresh pair of schemas per test, dropped afterwards)."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

# Before the backend is imported: passwords hashed with argon2's test profile (backend.residents.commands._hasher).
os.environ.setdefault("LINLI_TEST_CHEAP_HASHES", "1")

from backend.community.domain.community import community_id_for
from backend.config import Settings, load_settings
from backend.contexts import PASSES
from backend.kernel.ports import Pass
from backend.runtime import Runtime
from backend.web.app import create_app
from tests.pg_pool import SchemaPool

POSTGRES = os.environ.get("LINLI_TEST_DATABASE") == "postgres"
POSTGRES_URL = os.environ.get("LINLI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fresh_schema: on PostgreSQL, a schema set no test has used (none exists)")


@pytest.fixture(scope="session")
def schema_pool() -> Iterator[SchemaPool]:
    """This worker's PostgreSQL schema sets, emptied and reused between tests (tests/pg_pool.py says why)."""
    pool = SchemaPool(POSTGRES_URL, reuse=os.environ.get("LINLI_TEST_SCHEMA_REUSE") != "0")
    yield pool
    pool.close()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Settings]:
    if POSTGRES:
        pool: SchemaPool = request.getfixturevalue("schema_pool")
        schema = pool.take(fresh=request.node.get_closest_marker("fresh_schema") is not None)
        # `linli` run by a test (its environment pointed at this schema) is a host of the same deployment: on
        # PostgreSQL it refuses to start without the deployment's secret (backend.config.Settings.ensure_secret)
        monkeypatch.setenv("LINLI_SECRET", "test-secret")
        yield load_settings(
            data_dir=tmp_path, database_url=POSTGRES_URL, pg_schema=schema, demo=False, secret="test-secret"
        )
        pool.give(schema)
    else:
        yield load_settings(data_dir=tmp_path, database_url="", demo=False, secret="test-secret")


@contextlib.asynccontextmanager
async def started(settings: Settings, run_projector: bool, passes: tuple[Pass, ...] = PASSES) -> AsyncIterator[Runtime]:
    rt = Runtime(settings, passes=passes)
    await rt.start(run_projector=run_projector)
    try:
        yield rt
    finally:
        await rt.stop()


@pytest.fixture
async def quiet(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime whose projector only moves when the test says so."""
    async with started(settings, run_projector=False) as rt:
        yield rt


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime whose projector runs, without the rounds: a test makes a round itself, with its own clock (a round
    of the runtime's own, on the real clock every 15 s, could come first and make the test's a repeat)."""
    async with started(settings, run_projector=True, passes=()) as rt:
        yield rt


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        c.follow_redirects = False
        yield c


def csrf(client: AsyncTestClient[Any]) -> str:
    return client.cookies.get("csrftoken") or ""


async def get_csrf(client: AsyncTestClient[Any], path: str = "/signin") -> str:
    response = await client.get(path)
    token = csrf(client)
    assert token, f"no csrf cookie after GET {path} ({response.status_code})"
    return token


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden input {name}"
    return match.group(1)


COMMUNITY = community_id_for("test")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A view connection left open keeps its thread, which is no daemon (aiosqlite), and the run would never exit:
    stop such connections so that it does, and fail the run naming the leak."""
    import gc
    import threading

    import aiosqlite

    left = [t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if not left:
        return
    for leaked in [o for o in gc.get_objects() if isinstance(o, aiosqlite.Connection)]:
        leaked.stop()
    print(f"\nthreads left running after the tests (a connection not closed?): {', '.join(left)}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
