"""Several hosts on one PostgreSQL database (issue 27 item 2): exactly one runs the projector and the rounds, the
others follow its notifications; when the leader dies another takes over from the stored positions, and the views
equal a rebuild. /healthz names the leader and each projection's lag; /metrics answers with Linli's figures."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from backend.config import Settings
from backend.runtime import Runtime
from tests.conftest import POSTGRES
from tests.factories import community, snapshot
from tests.test_workers import LINLI, _free_port, _healthy, _stop, environment, health

postgres_only = pytest.mark.skipif(
    not POSTGRES, reason="leadership is PostgreSQL's (an advisory lock); SQLite is one host, its first process leads"
)
WAIT_SECONDS = 30  # a bound for waiting, not a figure: the takeover's time is measured in scripts, not asserted


def host(settings: Settings, name: str) -> Settings:
    """Another host of the same deployment: its own data dir, the same database, schema and secret."""
    data_dir = settings.data_dir / name
    data_dir.mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(settings, data_dir=data_dir)


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Runtime]:
    rt = Runtime(settings)  # no passes: the rounds run on the real clock; these tests make none
    await rt.start(run_projector=True)
    try:
        yield rt
    finally:
        await rt.stop()


async def until(condition: Any, what: str) -> None:
    """Wait for `condition`, asked in a thread: it may ask a host over HTTP, and this process's event loop runs host
    B, whose leadership steps down when its connection's check waits past ALIVE_SECONDS on a blocked loop."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"{what} within {WAIT_SECONDS} s"
        await asyncio.sleep(0.05)


def leaders(*runtimes: Runtime) -> list[Runtime]:
    return [rt for rt in runtimes if rt.leadership is not None and rt.leadership.leading]


async def head_reached(rt: Runtime) -> bool:
    return min((await rt.projector.positions()).values()) >= rt.event_count()


async def equals_rebuild(settings: Settings) -> None:
    """The views as the projectors left them equal the views rebuilt from the log (a batch applied twice would
    count twice)."""
    quiet = Runtime(host(settings, "rebuild"))
    await quiet.start(run_projector=False)
    try:
        await quiet.projector.catch_up()
        incremental = await snapshot()
        await quiet.projector.reset([p.name for p in quiet.projector.projections])
        await quiet.projector.catch_up()
        assert await snapshot() == incremental, "the views equal a rebuild from the log"
    finally:
        await quiet.stop()


@contextlib.asynccontextmanager
async def serving_alone(settings: Settings, workers: int = 1) -> AsyncIterator[tuple[str, subprocess.Popen[bytes]]]:
    """`linli serve`: a host of its own, in a process the test can kill (with one web process, the one it kills)."""
    port = _free_port()
    env = {**environment(settings), "LINLI_PORT": str(port), "LINLI_WORKERS": str(workers)}
    log = settings.data_dir / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([LINLI, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not await asyncio.to_thread(_healthy, base):  # host B's loop (this process's) runs meanwhile
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("server did not start:\n" + log.read_text()[-4000:])
            await asyncio.sleep(0.2)
        yield base, server
    finally:
        await asyncio.to_thread(_stop, server)


def caught_up(base: str, head: int) -> bool:
    processes = health(base)
    return len(processes) == 2 and all(
        answer["seen"] >= head and (answer["leader"] or {}).get("pid") == os.getpid() for answer in processes.values()
    )


def leader_of(base: str) -> dict[str, Any] | None:
    leader: dict[str, Any] | None = httpx.get(base + "/healthz").json()["leader"]
    return leader


async def led_by(base: str, pid: int) -> None:
    await until(lambda: (leader_of(base) or {}).get("pid") == pid, f"process {pid} leads")


@postgres_only
async def test_one_of_two_hosts_leads_and_the_follower_answers_once_the_views_show_its_events(settings):
    """Host A (`linli serve`) and host B (this process); one database, two data dirs."""
    async with serving_alone(host(settings, "a")) as (base, server):
        await led_by(base, server.pid)
        async with running(host(settings, "b")) as b:
            assert b.leadership is not None
            await asyncio.sleep(2.5)  # B has tried the lock twice meanwhile, and still follows
            assert not b.leadership.leading and b._deadlines is None and b.projector._task is None
            assert leader_of(base) == {"host": socket.gethostname(), "pid": server.pid}

            await community(b, datetime.now(UTC), code="follow", residents=2, passwords=False)
            # execute(wait=True) returns once A's notification moves B's position past B's own events (bounded by
            # 3 s: on a loaded machine it may return first, hence a wait here and no assert on it)
            await until(lambda: b.projector.position >= b.event_count(), "A's notification reaches B")
            assert await head_reached(b)

            server.terminate()  # A stops (and lets the lock go first): B takes over from the stored positions
            await until(lambda: leaders(b) == [b], "the follower takes over")
            assert b.projector._task is not None
            await community(b, datetime.now(UTC), code="after", residents=1, passwords=False)
            assert await head_reached(b)

            # A host joining with two web processes follows B: its first process hears B's notifications and tells
            # its second over the host's hub.
            async with serving_alone(host(settings, "a2"), workers=2) as (base2, _joined):
                assert leader_of(base2) == {"host": socket.gethostname(), "pid": os.getpid()}
                await community(b, datetime.now(UTC), code="joined", residents=1, passwords=False)
                head = b.event_count()
                await until(lambda: caught_up(base2, head), "both processes of the joining host see B's events")
                assert leaders(b) == [b]
    await equals_rebuild(settings)


@postgres_only
async def test_when_the_leading_host_is_killed_another_takes_over_and_nothing_is_missed_or_applied_twice(settings):
    async with serving_alone(host(settings, "a")) as (base, server):
        deadline = time.monotonic() + WAIT_SECONDS
        while (httpx.get(base + "/healthz").json()["leader"] or {}).get("pid") != server.pid:
            assert time.monotonic() < deadline, "the served host leads"
            await asyncio.sleep(0.1)
        async with running(host(settings, "b")) as b:
            await community(b, datetime.now(UTC), code="before", residents=2, passwords=False)
            await until(lambda: b.projector.position >= b.event_count(), "projected by A, told by its notification")
            health = httpx.get(base + "/healthz").json()
            assert health["leader"] == {"host": socket.gethostname(), "pid": server.pid}
            assert set(health["lag"]) == set(health["projections"])
            assert all(lag >= 0 for lag in health["lag"].values())

            os.kill(server.pid, signal.SIGKILL)  # its connections close; PostgreSQL frees the lock
            server.wait(10)
            await until(lambda: leaders(b) == [b], "the surviving host leads")
            assert (await b.leader()) == {"host": socket.gethostname(), "pid": os.getpid()}
            await community(b, datetime.now(UTC), code="after", residents=2, passwords=False)
            assert await head_reached(b)
    await equals_rebuild(settings)


async def test_healthz_names_the_leader_and_each_projections_lag(client):
    health = (await client.get("/healthz")).json()
    assert health["leader"]["host"] == socket.gethostname()
    assert set(health["lag"]) == set(health["projections"])
    assert all(lag == health["events"] - health["projections"][name] for name, lag in health["lag"].items())


async def test_metrics_tell_request_latency_events_written_projector_lag_and_websockets(client):
    await client.get("/healthz")
    response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    for name in (
        "linli_request_duration_seconds_bucket",
        "linli_events_written",
        'linli_projector_lag_events{projection="chain"}',
        "linli_websockets",
        "linli_projector_leading",
    ):
        assert name in text, name
    assert 'path="/healthz"' in text
