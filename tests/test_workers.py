"""`linli serve --workers 2`: two web processes on one port share the log and the views. A vote through either is
counted once, its member sees it on the page the vote redirects to, and every phone watching the tally sees it,
whichever process holds its websocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from websockets.asyncio.client import connect

from backend.community.domain.rules import VOTE_RULES
from backend.config import Settings
from backend.contexts import PASSES
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.rules import Body, Outcome
from backend.kernel.context import Ctx
from backend.residents.commands import signin_code_id
from backend.residents.domain.signin_code import SignInCode
from backend.runtime import Runtime
from tests.factories import community, grant

LINLI = str(Path(sys.executable).with_name("linli"))
MEMBERS = 8
WATCHERS = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "LINLI_DATA_DIR": str(settings.data_dir),
        "LINLI_DATABASE_URL": settings.database_url,
        "LINLI_PG_SCHEMA": settings.pg_schema,
        "LINLI_SECRET": settings.secret,
    }


@contextlib.contextmanager
def serving(settings: Settings, **extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    env = {**environment(settings), "LINLI_PORT": str(port), "LINLI_WORKERS": "2", **extra}
    log = settings.data_dir / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([LINLI, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(base):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("server did not start (its log follows)")
            time.sleep(0.2)
        yield base, server
    except BaseException:
        _stop(server)
        sys.stderr.write("the server's log:\n" + log.read_text()[-6000:])
        raise
    finally:
        _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def health(base: str, tries: int = 300) -> dict[int, dict[str, Any]]:
    """/healthz of each web process answering on the port (each request on a new connection)."""
    seen: dict[int, dict[str, Any]] = {}
    for _ in range(tries):
        answer = httpx.get(base + "/healthz", timeout=5).json()
        seen[answer["pid"]] = answer
        if len(seen) > 1:
            break
    return seen


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


async def ballot(settings: Settings) -> tuple[UUID, list[str], list[UUID]]:
    """MEMBERS residents, each with a one-time sign-in code, the first of them a clerk, and a residents' meeting
    whose ballot is open."""
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=True)
    try:
        now = datetime.now(UTC)
        place = await community(rt, now, residents=MEMBERS, passwords=False)
        await grant(rt, place, 0, "clerk", now=now)
        ctx = Ctx(place.community_id, None, now)
        codes = [f"w{k}-{uuid4().hex[:8]}" for k in range(MEMBERS)]
        slips = [
            SignInCode.issue(ctx, signin_code_id(rt, code), rt.store.repository.get(r), now + timedelta(days=1))
            for code, r in zip(codes, place.residents, strict=True)
        ]
        matter = Matter.open(ctx, uuid4(), "加装电梯", "一单元加装电梯。", None, False)
        for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING):
            matter.record(ctx, body, Outcome.PASSED, uuid4())
        rule = VOTE_RULES[Body.RESIDENTS_MEETING]
        meeting = Meeting.schedule(
            ctx, uuid4(), matter, Body.RESIDENTS_MEETING, "广场", now, "同意加装", place.residents, 0, rule
        )
        meeting.open_ballot(ctx)
        rt.store.save(*slips, matter, meeting)
        await rt.projector.catch_up()
        return meeting.id, codes, place.residents
    finally:
        await rt.stop()


async def sign_in(phone: httpx.AsyncClient, code: str) -> str:
    """Sign in with the slip's code; the CSRF token."""
    await phone.get(f"/signin/code/{code}")
    token = phone.cookies["csrftoken"]
    signed_in = await phone.post(f"/signin/code/{code}", data={"_csrf_token": token})
    assert signed_in.status_code in (200, 303), signed_in.text[:300]
    return phone.cookies["csrftoken"]


async def vote(base: str, meeting_id: UUID, code: str) -> str:
    """Sign in on a phone of one's own, vote for, and return the page the vote leads to."""
    async with httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=True) as phone:
        token = await sign_in(phone, code)
        page = await phone.post(f"/meetings/{meeting_id}/vote", data={"choice": "yes", "_csrf_token": token})
        assert page.status_code == 200, page.text[:300]
        return page.text


def votes_for(frame: str) -> int:
    return int(re.findall(r"<li>[^<]*<strong>(\d+)</strong></li>", frame)[0])


async def watch_until(base: str, meeting_id: UUID, expected: int, started: asyncio.Event) -> int:
    """Watch the tally on a phone of its own until it shows `expected` votes for; the last count seen."""
    url = base.replace("http", "ws") + f"/live/meetings/{meeting_id}"
    async with connect(url, origin=base) as phone:  # type: ignore[arg-type]
        count = votes_for(str(await phone.recv()))
        started.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(15):
                while count < expected:
                    count = votes_for(str(await phone.recv()))
        return count


def test_a_vote_through_either_process_is_counted_once_shown_to_its_member_and_pushed_to_every_phone(settings):
    meeting_id, codes, _ = asyncio.run(ballot(settings))
    with serving(settings) as (base, server):
        pids = set(health(base))
        assert len(pids) == 2, "both web processes answer on the port"

        async def scenario() -> tuple[list[int], list[str]]:
            ready = [asyncio.Event() for _ in range(WATCHERS)]
            watchers = [asyncio.create_task(watch_until(base, meeting_id, MEMBERS, r)) for r in ready]
            await asyncio.gather(*(r.wait() for r in ready))
            pages = await asyncio.gather(*(vote(base, meeting_id, code) for code in codes))
            return await asyncio.gather(*watchers), pages

        seen, pages = asyncio.run(scenario())
        # The page after each vote is read from the views: the process that took the vote waited for the leader's
        # projector to reach it, whichever process that was.
        assert all("您的投票：赞成" in page for page in pages)
        assert seen == [MEMBERS] * WATCHERS
        for answer in health(base).values():  # each process knows how far the views are
            assert answer["seen"] == answer["events"] == min(answer["projections"].values())
        page = httpx.get(base + f"/meetings/{meeting_id}").text
        assert votes_for(page) == MEMBERS  # one vote each, whichever process took it

        server.terminate()
        assert server.wait(30) == 0
        assert not any(alive(pid) for pid in pids)


def test_a_role_granted_through_one_process_counts_at_once_in_the_other(settings):
    _, codes, residents = asyncio.run(ballot(settings))
    with serving(settings) as (base, _server):

        async def desk_answers(phone: httpx.AsyncClient) -> set[int]:
            """The clerks' desk for this phone, each time on a new connection: either process may answer."""
            answers = [await phone.get("/clerk", headers={"connection": "close"}) for _ in range(20)]
            return {answer.status_code for answer in answers}

        async def scenario() -> tuple[set[int], set[int]]:
            async with (
                httpx.AsyncClient(base_url=base, timeout=30) as clerk,
                httpx.AsyncClient(base_url=base, timeout=30) as resident,
            ):
                token = await sign_in(clerk, codes[0])
                await sign_in(resident, codes[1])
                before = await desk_answers(resident)  # both processes now hold the resident, not a clerk
                granted = await clerk.post(
                    f"/clerk/residents/{residents[1]}/roles", data={"role": "clerk", "_csrf_token": token}
                )
                assert granted.status_code == 303, granted.text[:300]
                events = httpx.get(base + "/healthz").json()["events"]
                while min(answer["seen"] for answer in health(base).values()) < events:
                    await asyncio.sleep(0.05)  # both know the views have the grant (and were told of the change)
                return before, await desk_answers(resident)

        before, after = asyncio.run(scenario())
        assert before == {403}
        assert after == {200}


def test_the_sign_in_limit_per_address_holds_across_the_processes(settings):
    with serving(settings, LINLI_SIGNIN_PER_MINUTE="5") as (base, _server):
        assert len(health(base)) == 2
        statuses = []
        with httpx.Client(base_url=base, timeout=30, headers={"connection": "close"}) as phone:
            phone.get("/signin")
            token = phone.cookies["csrftoken"]
            for n in range(12):
                answer = phone.post(
                    "/signin", data={"phone": f"1390000{n:04d}", "password": "wrong-password", "_csrf_token": token}
                )
                statuses.append(answer.status_code)
        assert 429 not in statuses[:5]
        assert statuses[5:] == [429] * 7


async def served_by(port: int, connections: int) -> list[int]:
    """Open `connections` at once, as wrk or a balancer's keep-alive pool does, then ask /healthz on each: the web
    process that accepted each one."""
    opened = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port) for _ in range(connections)))
    pids = []
    for reader, writer in opened:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        body = await reader.readexactly(int(re.search(rb"(?i)content-length: *(\d+)", head).group(1)))
        pids.append(json.loads(body)["pid"])
    for _, writer in opened:
        writer.close()
    return pids


def test_connections_opened_at_once_are_spread_over_the_processes(settings):
    """Each process listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new connections over them:
    with one socket shared, one process often accepted a whole burst and served it alone (half the throughput)."""
    with serving(settings) as (base, _):
        assert len(health(base)) == 2
        for _ in range(3):
            per_process = Counter(asyncio.run(served_by(int(base.rsplit(":", 1)[1]), 32)))
            assert len(per_process) == 2 and min(per_process.values()) >= 4, per_process


def test_when_one_process_dies_the_others_stop_and_the_server_says_so(settings):
    with serving(settings) as (base, server):
        pids = set(health(base))
        assert len(pids) == 2
        os.kill(min(pids), signal.SIGKILL)
        assert server.wait(30) == 1
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in pids)


def test_processes_starting_together_all_start_on_a_new_store_and_on_an_existing_one(settings):
    """Each web process opens the store and migrates the views as it starts; started at the same moment, they take
    turns. Before, PostgreSQL refused the others' tables or functions, and on SQLite all but one hung."""
    for store in ("new", "existing"):
        starting = [
            subprocess.Popen(
                [LINLI, "migrate"], env=environment(settings), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            for _ in range(4)
        ]
        try:
            said = [p.communicate(timeout=60) for p in starting]
        finally:
            for p in starting:
                p.kill()
        codes = [p.returncode for p in starting]
        assert codes == [0] * 4, (store, [out[-2000:] for out, _ in said])
        assert all(b"event store ready (0 events); views migrated" in out for out, _ in said)


@pytest.mark.fresh_schema
def test_a_process_whose_start_fails_ends_and_says_why(settings):
    """A view table that is in the way fails the migration: the process ends with the reason, where it used to hang
    on its open connections' threads (`linli serve` said "Application startup failed. Exiting." and did not)."""
    if settings.is_postgres:
        with settings.pg_connect() as conn:
            conn.execute(f'CREATE SCHEMA "{settings.pg_schema}_views"')
            conn.execute(f'CREATE TABLE "{settings.pg_schema}_views".proposal_cosign (x int)')
    else:
        with contextlib.closing(sqlite3.connect(settings.views_path)) as conn:
            conn.execute("CREATE TABLE proposal_cosign (x int)")
    starting = subprocess.Popen(
        [LINLI, "migrate"], env=environment(settings), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        out, _ = starting.communicate(timeout=60)
    finally:
        starting.kill()
    assert starting.returncode == 1
    assert b'"proposal_cosign" already exists' in out


def test_the_server_runs_one_web_process_per_usable_core_unless_told(monkeypatch):
    from backend.config import load_settings

    monkeypatch.delenv("LINLI_WORKERS", raising=False)
    assert load_settings().workers == len(os.sched_getaffinity(0))
    monkeypatch.setenv("LINLI_WORKERS", "1")
    assert load_settings().workers == 1


def test_the_processes_sockets_share_one_port_and_another_server_on_it_is_refused():
    from backend.workers import listening_sockets

    config = {"app": "backend.web.app:create_app", "factory": True, "host": "127.0.0.1", "port": 0}
    sockets = listening_sockets(2, config)
    try:
        assert len({s.fileno() for s in sockets}) == 2
        port = sockets[0].getsockname()[1]
        assert sockets[1].getsockname()[1] == port
        with pytest.raises(OSError):  # a second server on the port: "address in use", as with one socket
            listening_sockets(2, {**config, "port": port})
    finally:
        for sock in sockets:
            sock.close()
