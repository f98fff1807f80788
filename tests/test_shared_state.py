"""Several hosts on one PostgreSQL (issue 27 item 1): two apps with their own data dirs and the deployment's database
and secret — a sign-in on one is valid on the other, a lockout or a rate limit counted on one holds on the other,
a sign-out on one ends the session on the other; the same with Redis for the sessions and the rate counters; a
host with another secret (or none) refuses to start; one host on SQLite keeps its files."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.config import SecretMissing, Settings
from backend.kernel.personal import SecretMismatch
from backend.web.app import create_app
from backend.web.pg_store import Connections, PostgresStore
from backend.web.sessions import SessionStore
from backend.web.stores import PostgresSessions, RedisSessions, redis_prefix, web_stores
from tests.conftest import NOW, POSTGRES
from tests.factories import PASSWORD, app_runtime, community, sign_in

REDIS_URL = os.environ.get("LINLI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
on_postgres = pytest.mark.skipif(not POSTGRES, reason="several hosts share a PostgreSQL database")


def redis_reachable() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture(params=["postgres", "redis"])
def deployment(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    """The deployment's settings: PostgreSQL alone, or with Redis (its keys under the test's own schema's prefix,
    deleted afterwards)."""
    if not POSTGRES:
        pytest.skip("several hosts share a PostgreSQL database")
    if request.param == "postgres":
        yield settings
        return
    if not redis_reachable():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    yield replace(settings, redis_url=REDIS_URL)
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{redis_prefix(settings)}*"):
        client.delete(key)
    client.close()


@contextlib.asynccontextmanager
async def host(
    settings: Settings, name: str, beside: AsyncTestClient[Any] | None = None, **changes: Any
) -> AsyncIterator[AsyncTestClient[Any]]:
    """A web host of the deployment, with its own data dir. A second host runs in the first one's event loop
    (`beside`): the views' tables are bound to one engine per process (projections.db.bind), the last runtime's,
    and its connections must belong to the loop that uses them."""
    own = replace(settings, data_dir=settings.data_dir / name, **changes)
    client = AsyncTestClient(app=create_app(own), base_url="http://testserver.local")
    if beside is not None:
        client.blocking_portal = beside.blocking_portal
    async with client:
        client.follow_redirects = False
        yield client


@contextlib.asynccontextmanager
async def two_hosts(
    settings: Settings,
) -> AsyncIterator[tuple[AsyncTestClient[Any], AsyncTestClient[Any]]]:
    """Host A, which leaves the projector to B, and host B (its runtime, started last, is the one whose engine the
    views' tables are bound to: the projector runs there; `app_runtime(b)` makes the test's community)."""
    async with host(settings, "a", projector_inline=False) as a, host(settings, "b", beside=a) as b:
        yield a, b


def cookies(client: AsyncTestClient[Any]) -> dict[str, str]:
    return {cookie.name: cookie.value or "" for cookie in client.cookies.jar}


def use_cookies(client: AsyncTestClient[Any], held: dict[str, str]) -> None:
    client.cookies.clear()
    for name, value in held.items():
        client.cookies.set(name, value, domain="testserver.local")


def same_phone(to: AsyncTestClient[Any], source: AsyncTestClient[Any]) -> None:
    """`to` sends what the phone that talked to `source` holds (the balancer sent it to another host)."""
    use_cookies(to, cookies(source))


async def attempt(client: AsyncTestClient[Any], phone: str, password: str) -> int:
    await client.get("/signin")
    response = await client.post(
        "/signin", data={"phone": phone, "password": password, "_csrf_token": client.cookies.get("csrftoken")}
    )
    return response.status_code


async def test_a_sign_in_on_one_host_holds_on_the_other_until_it_signs_out(deployment):
    async with two_hosts(deployment) as (a, b):
        place = await community(app_runtime(b), NOW, residents=1)
        await sign_in(a, place.phones[0])
        same_phone(b, a)
        page = await b.get("/me")
        assert page.status_code == 200 and "139****" in page.text, "signed in on B with A's session"
        assert (await b.get("/proposals/new")).status_code == 200
        same_phone(a, b)  # back on A, with what B last answered (the same session)
        response = await a.post("/signout", data={"_csrf_token": a.cookies.get("csrftoken")})
        assert response.status_code == 303
        assert (await a.get("/me")).status_code == 303
        assert (await b.get("/me")).status_code == 303, "B, sent the cookie the phone had, knows it signed out on A"
        if deployment.redis_url:
            sessions = b.app.stores.get("sessions")
            assert isinstance(sessions, RedisSessions) and sessions.namespace == f"{redis_prefix(deployment)}_sessions"


async def test_signing_out_everywhere_on_one_host_ends_the_sessions_on_the_other(deployment):
    async with two_hosts(deployment) as (a, b):
        place = await community(app_runtime(b), NOW, residents=1)
        await sign_in(b, place.phones[0])
        other_phone = cookies(b)
        await sign_in(a, place.phones[0])
        response = await a.post("/signout/everywhere", data={"_csrf_token": a.cookies.get("csrftoken")})
        assert response.status_code == 303
        use_cookies(b, other_phone)
        assert (await b.get("/me")).status_code == 303, "the phone signed in through B is signed out"


async def test_a_lockout_counted_on_one_host_holds_on_the_other(deployment):
    async with two_hosts(deployment) as (a, b):
        place = await community(app_runtime(b), NOW, residents=2)
        for _ in range(5):
            assert await attempt(a, place.phones[0], "wrong") == 401
        assert await attempt(b, place.phones[0], PASSWORD) == 429, "locked out on B too"
        assert await attempt(b, place.phones[1], PASSWORD) == 303, "only the attacked phone"


async def test_the_rate_limit_per_address_counts_across_hosts(deployment):
    limited = replace(deployment, signin_per_minute=3)
    async with two_hosts(limited) as (a, b):
        statuses = [await attempt(a, f"1390000{n:04d}", "x") for n in range(2)]
        statuses += [await attempt(b, f"1390001{n:04d}", "x") for n in range(2)]
        assert statuses == [401, 401, 401, 429], "the fourth attempt from the address within the minute, on B"


@on_postgres
async def test_a_host_with_another_secret_refuses_to_start(settings):
    async with host(settings, "a"):
        pass  # the deployment's first start records its secret's fingerprint
    with pytest.raises(BaseException) as refused:  # the lifespan may wrap it in an exception group
        async with host(settings, "b", secret="another secret"):
            pass
    found = refused.value
    while isinstance(found, BaseExceptionGroup):
        found = found.exceptions[0]
    assert isinstance(found, SecretMismatch) and "LINLI_SECRET" in str(found)
    async with host(settings, "c") as c:  # the deployment's secret still starts
        assert (await c.get("/healthz")).status_code == 200


@on_postgres
def test_a_postgresql_host_without_a_secret_refuses_to_start(settings):
    with pytest.raises(SecretMissing, match="LINLI_SECRET"):
        create_app(replace(settings, secret="", data_dir=settings.data_dir / "new"))
    assert not (settings.data_dir / "new" / "secret").exists(), "no secret of its own made for the host"


@pytest.mark.skipif(POSTGRES, reason="one host on SQLite")
async def test_one_host_on_sqlite_keeps_its_sessions_and_security_in_files(client, settings):
    stores = client.app.stores
    assert isinstance(stores.get("sessions"), SessionStore)
    place = await community(app_runtime(client), NOW, residents=1)
    await sign_in(client, place.phones[0])
    assert any((settings.data_dir / "sessions").iterdir()), "the session is a file in the data dir"
    assert (settings.data_dir / "signin-rate").is_dir()
    assert not settings.redis_url and set(web_stores(settings)) == {"sessions", "security", "signin_rate"}


@on_postgres
async def test_the_postgresql_store_keeps_litestar_s_store_contract(settings):
    connections = Connections(settings)
    store = PostgresStore(connections, "contract")
    try:
        assert await store.get("k") is None and not await store.exists("k")
        await store.set("k", "v", expires_in=100)
        assert await store.get("k") == b"v" and await store.exists("k")
        assert 98 <= (await store.expires_in("k") or 0) <= 100
        assert await store.get("k", renew_for=1000) == b"v"
        assert 998 <= (await store.expires_in("k") or 0) <= 1000, "renewed"
        await store.set("forever", b"x")
        assert await store.expires_in("forever") is None
        assert await store.get("forever", renew_for=10) == b"x" and await store.expires_in("forever") is None
        await store.set("gone", b"x", expires_in=-1)
        assert await store.get("gone") is None, "an expired entry reads as missing"
        child = store.with_namespace("child")
        await child.set("k", b"child's")
        assert await store.get("k") == b"v" and await child.get("k") == b"child's"
        await store.delete("k")
        assert await store.get("k") is None
        await store.delete_all()
        assert await child.get("k") is None and await store.get("forever") is None
    finally:
        await connections.close()


@on_postgres
async def test_an_unchanged_session_is_not_written_again_by_either_host(settings):
    """Requests of one phone alternate between hosts: neither rewrites the unchanged session (its expiry is pushed
    forward at most hourly); a change is written, and seen by the other host at its next read."""
    here_pool, there_pool = Connections(settings), Connections(settings)
    here, there = PostgresSessions(here_pool, "sessions"), PostgresSessions(there_pool, "sessions")
    try:
        await here.set("s1", b"signed in", expires_in=3600)
        written = await here.read("s1")
        for store in (there, here, there, here):
            assert await store.get("s1") == b"signed in"
            await store.set("s1", b"signed in", expires_in=3600 + 1800)  # half an hour later: not yet renewed
        assert await here.read("s1") == written
        await there.set("s1", b"signed in, with a flash", expires_in=3600)
        assert await here.get("s1") == b"signed in, with a flash"
        await there.delete("s1")
        assert await here.get("s1") is None
    finally:
        await here_pool.close()
        await there_pool.close()


def test_a_database_url_is_read_as_libpq_reads_it(tmp_path):
    """A socket directory as `?host=` (a host in a network namespace of its own reaches the server that way), and a
    user and password percent-encoded in the URL, reach every driver as they were meant."""
    over_socket = Settings(data_dir=tmp_path, database_url="postgresql://linli@/city?host=/var/run/postgresql")
    assert over_socket.pg_params() == {
        "host": "/var/run/postgresql",
        "port": "5432",
        "user": "linli",
        "password": "",
        "dbname": "city",
    }
    assert over_socket.pg_dsn() == "postgresql://linli@/city?host=/var/run/postgresql&port=5432"
    other_port = Settings(data_dir=tmp_path, database_url="postgresql://linli@/city?host=/run/pg&port=6432")
    assert other_port.pg_params()["port"] == "6432", "the socket's file is named by its port"
    encoded = Settings(data_dir=tmp_path, database_url="postgresql://li%20li:p%40ss@db.example:6432/city")
    assert encoded.pg_params()["password"] == "p@ss" and encoded.pg_params()["user"] == "li li"
    assert encoded.pg_dsn() == "postgresql://li%20li:p%40ss@db.example:6432/city"
    slashed = Settings(data_dir=tmp_path, database_url="postgresql://linli:a%2Fb%3Ac@db/city")
    assert slashed.pg_params()["password"] == "a/b:c"
    assert slashed.pg_dsn() == "postgresql://linli:a%2Fb%3Ac@db:5432/city", "a generated password's / and : kept"


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only")
def test_the_database_is_reached_over_its_unix_socket(settings):
    socket_dir = "/var/run/postgresql"
    if not os.path.exists(f"{socket_dir}/.s.PGSQL.5432"):
        pytest.skip("no PostgreSQL socket on this machine")
    pg = settings.pg_params()
    over_socket = replace(settings, database_url=f"postgresql://{pg['user']}@/{pg['dbname']}?host={socket_dir}")
    with over_socket.pg_connect() as conn:
        assert conn.execute("SELECT inet_server_addr()").fetchone() == (None,)  # no address: a Unix socket


@on_postgres
async def test_reads_asked_for_together_are_one_statement_with_each_its_own_answer(settings, monkeypatch):
    """A kept page's two reads (the session, the sign-outs), and every other request's of the same turn, are one
    statement (backend.web.pg_store.Connections.read); each read gets its own entry, missing and expired ones none."""
    import asyncio

    connections = Connections(settings)
    sessions, security = PostgresStore(connections, "sessions"), PostgresStore(connections, "security")
    statements: list[str] = []
    run = connections.run

    async def counted(sql: str, *args: Any) -> Any:
        statements.append(sql)
        return await run(sql, *args)

    try:
        await sessions.set("s1", b"one", expires_in=100)
        await sessions.set("s2", b"two", expires_in=-1)
        await security.set("valid-from-r1", b"12.5")
        await security.set("s1", b"not the session")  # the same key in another namespace
        monkeypatch.setattr(connections, "run", counted)
        found = await asyncio.gather(
            sessions.get("s1"), sessions.get("s2"), security.get("valid-from-r1"), security.get("valid-from-r2"),
            sessions.get("s1"), sessions.get("nobody"),
        )  # fmt: skip
        assert found == [b"one", None, b"12.5", None, b"one", None]
        assert len(statements) == 1
        assert await security.get("s1") == b"not the session" and len(statements) == 2, "a read alone: its own turn"
    finally:
        await connections.close()


async def test_sessions_read_together_from_redis_are_one_round_trip():
    """Redis sessions read in one turn of the event loop go in one pipeline; each gets its own value."""
    import asyncio

    if not redis_reachable():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    store = RedisSessions.with_client(REDIS_URL, namespace=f"linli_test_same_turn_{os.getpid()}")
    batches: list[list[str]] = []
    read_all = store._reads.read_all

    async def counted(keys: list[str]) -> Any:
        batches.append(keys)
        return await read_all(keys)

    store._reads.read_all = counted
    try:
        await store.set("s1", b"one", expires_in=100)
        await store.set("s2", b"two")
        found = await asyncio.gather(store.get("s1"), store.get("s2"), store.get("nobody"), store.get("s1"))
        assert found == [b"one", b"two", None, b"one"] and batches == [["s1", "s2", "nobody"]]
        assert store._holds("s2", b"two", None), "what the batch found is what the next write compares with"
    finally:
        await store.delete_all()
        await store._redis.aclose()
