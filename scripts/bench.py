"""scripts/bench: co-sign throughput and latency through uvicorn beside a bare Litestar endpoint; a vote burst on
one ballot with websocket clients watching the tally; projection rebuild beside raw decoded log reading; first-load
bytes; server RSS with 100,000 events. SQLite, this machine.

Every number is measured in this run; ratios compare two things measured minutes apart on the same machine."""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import gzip
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.community.domain.community import Community, community_id_for  # noqa: E402
from backend.community.domain.rules import VOTE_RULES  # noqa: E402
from backend.config import load_settings  # noqa: E402
from backend.contexts import PASSES  # noqa: E402
from backend.deliberation.domain.matter import Matter  # noqa: E402
from backend.deliberation.domain.meeting import Meeting  # noqa: E402
from backend.deliberation.domain.proposal import Proposal  # noqa: E402
from backend.deliberation.domain.rules import Body, Outcome  # noqa: E402
from backend.kernel.context import Ctx  # noqa: E402
from backend.kernel.zone import LOCAL_ZONE  # noqa: E402
from backend.residents.commands import hasher, phone_claim_id, signin_code_id  # noqa: E402
from backend.residents.domain.household import Household  # noqa: E402
from backend.residents.domain.phone_claim import PhoneClaim  # noqa: E402
from backend.residents.domain.resident import Resident  # noqa: E402
from backend.residents.domain.signin_code import SignInCode  # noqa: E402
from backend.runtime import Runtime  # noqa: E402
from backend.services.domain.provider import Provider  # noqa: E402
from backend.services.domain.rules import ACTIVE, BookingRules, diary_id_for  # noqa: E402
from backend.services.domain.schedule import Schedule  # noqa: E402
from backend.services.domain.service import Service  # noqa: E402
from backend.volunteering.domain.activity import Activity, ActivityTerms, recurring  # noqa: E402
from backend.volunteering.domain.team import Team  # noqa: E402
from backend.web.live import COALESCE_SECONDS, FRAMES_PER_SECOND  # noqa: E402

PASSWORD = "bench2026"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args: list[str], env: dict[str, str], health: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        args, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(health, timeout=1).status_code < 500:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"server {args} did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drive(base: str, lines: list[str], concurrency: int, seconds: int) -> dict[str, Any]:
    """Replay request lines with wrk (C, one thread) for `seconds`: the load generator must not be the limit."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as listing:
        listing.write("\n".join(lines) + "\n")
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "-s",
            str(ROOT / "scripts" / "bench_wrk.lua"),
            base,
            "--",
            listing.name,
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(listing.name)
    result = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    result["rps"] = result["requests"] / result["seconds"]
    return result


# -- data ------------------------------------------------------------------------------------------------
def seed(rt: Runtime, residents: int, proposals: int, cosigns_each: int = 0) -> tuple[UUID, list[str], list[UUID]]:
    """Residents, proposals and optional co-signs saved straight through the application, many per transaction.
    (Setup only: the measured paths go through the web app or the projector.)"""
    now = datetime.now(UTC)
    cid = community_id_for("bench")
    ctx = Ctx(cid, None, now)
    community = Community.found(ctx, "压测社区", "bench")
    community.set_rule(ctx, "cosign_threshold", 10_000, now.date())
    rt.store.save(community)
    password_hash = hasher.hash(PASSWORD)
    phones, ids, batch = [], [], []
    households: dict[str, Household] = {}
    for n in range(residents):
        phone = f"137{n:08d}"
        resident_id = uuid4()
        room = f"{n % 4 + 1}01室"
        if f"{n // 4}|{room}" not in households:
            households[f"{n // 4}|{room}"] = household = Household.register(ctx, f"{n // 4}栋", "", room, "")
            batch.append(household)
        resident = Resident.register(
            Ctx(cid, None, now),
            resident_id,
            households[f"{n // 4}|{room}"],
            rt.personal.seal(resident_id, f"居民{n}"),
            rt.personal.seal(resident_id, phone),
            "",
            password_hash,
        )
        resident.verify(ctx)
        claim = PhoneClaim.start(
            PhoneClaim.Claimed, Ctx(cid, None, now), phone_claim_id(rt, phone), resident_id=resident.id
        )
        batch += [resident, claim]
        phones.append(phone)
        ids.append(resident.id)
        if len(batch) >= 400:
            rt.store.save(*batch)
            batch = []
    proposal_ids = []
    for n in range(proposals):
        author = ids[n % len(ids)]
        proposal = Proposal.submit(
            Ctx(cid, author, now), uuid4(), f"议题 {n}", "压测用的议题说明。" * 5, "other", [], 10_000
        )
        for k in range(cosigns_each):
            signer = ids[(n + 1 + k) % len(ids)]
            if signer != author:
                proposal.cosign(Ctx(cid, signer, now), signer)
        batch.append(proposal)
        proposal_ids.append(proposal.id)
        if len(batch) >= 50:
            rt.store.save(*batch)
            batch = []
    if batch:
        rt.store.save(*batch)
    return cid, phones, proposal_ids


async def with_runtime(data_dir: Path, body: Any, run_projector: bool = False) -> Any:
    rt = Runtime(load_settings(data_dir=data_dir, database_url=""), passes=PASSES)
    await rt.start(run_projector=run_projector)
    try:
        return await body(rt)
    finally:
        await rt.stop()


def count_cosigns(data_dir: Path) -> int:
    async def body(rt: Runtime) -> int:
        total, start = 0, 1
        while batch := rt.store.recorder.select_notifications(start, 5000):
            total += sum(1 for n in batch if n.topic.endswith("Proposal.CoSigned"))
            start = batch[-1].id + 1
        return total

    return asyncio.run(with_runtime(data_dir, body))


# -- measurements --------------------------------------------------------------------------------------------
def bench_cosign(seconds: int, concurrency: int, residents: int, proposals: int, hot: bool = False) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-"))

    async def setup(rt: Runtime) -> tuple[list[str], list[UUID]]:
        _, phones, proposal_ids = seed(rt, residents, proposals)
        await rt.projector.catch_up()
        return phones, proposal_ids

    phones, proposal_ids = asyncio.run(with_runtime(data_dir, setup))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # 200 sign-ins from one address in seconds: lift the per-address sign-in limit for this server.
    env = {"LINLI_DATA_DIR": str(data_dir), "LINLI_PORT": str(port), "LINLI_SIGNIN_PER_MINUTE": "100000"}
    server = start_server([str(BIN / "linli"), "serve"], env, base + "/healthz")
    try:
        sessions = asyncio.run(sign_in_all(base, phones))
        before = count_cosigns(data_dir)
        # Residents co-sign proposals in turn, so concurrent requests mostly touch different proposals;
        # `hot` sends everyone at one proposal after another (they then serialise on its aggregate).
        if hot:
            pairs = [(r, n) for n in range(proposals) for r in range(residents) if r != n % residents]
        else:
            pairs = [(r, n) for r in range(residents) for n in range(proposals) if r != n % residents]
        lines = []
        for resident, n in pairs:
            cookies, token = sessions[resident]
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            lines.append(f"POST\t/proposals/{proposal_ids[n]}/cosign\t{cookie}\t_csrf_token={token}\t{token}")
        result = drive(base, lines, concurrency, seconds)
    finally:
        stop(server)
    result["recorded"] = count_cosigns(data_dir) - before
    result["unique_pairs"] = len(pairs)
    return result


async def sign_in_all(base: str, phones: list[str]) -> list[tuple[dict[str, str], str]]:
    semaphore = asyncio.Semaphore(4)

    async def one(phone: str) -> tuple[dict[str, str], str]:
        async with semaphore, httpx.AsyncClient(base_url=base, timeout=30) as client:
            await client.get("/signin")
            token = client.cookies["csrftoken"]
            response = await client.post("/signin", data={"phone": phone, "password": PASSWORD, "_csrf_token": token})
            assert response.status_code == 303, response.status_code
            return dict(client.cookies), client.cookies["csrftoken"]

    return await asyncio.gather(*(one(p) for p in phones))


def seed_with_codes(rt: Runtime, residents: int) -> tuple[UUID, list[UUID]]:
    """`residents` with one-time sign-in codes "bench-<n>" (no argon2 per sign-in)."""
    cid, _, _ = seed(rt, residents, 0)
    now = datetime.now(UTC)
    ctx = Ctx(cid, None, now)
    ids = [
        n.originator_id
        for n in rt.store.recorder.select_notifications(1, 10 * residents + 10)
        if n.topic.endswith("Resident.Registered")
    ]
    codes = [
        SignInCode.issue(ctx, signin_code_id(rt, f"bench-{k}"), rt.store.repository.get(r), now + timedelta(days=1))
        for k, r in enumerate(ids)
    ]
    for start in range(0, len(codes), 500):
        rt.store.save(*codes[start : start + 500])
    return cid, ids


def seed_ballot(rt: Runtime, voters: int) -> UUID:
    """`voters` residents with one-time sign-in codes ("bench-<n>", no argon2 per sign-in), and a residents' meeting
    at stage ④ with its ballot open and all of them expected."""
    cid, ids = seed_with_codes(rt, voters)
    now = datetime.now(UTC)
    ctx = Ctx(cid, None, now)
    matter = Matter.open(ctx, uuid4(), "压测表决", "压测用的事项。", None, False)
    for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING):
        matter.record(ctx, body, Outcome.PASSED, uuid4())
    rule = VOTE_RULES[Body.RESIDENTS_MEETING]
    meeting = Meeting.schedule(ctx, uuid4(), matter, Body.RESIDENTS_MEETING, "广场", now, "同意", ids, 0, rule)
    meeting.open_ballot(ctx)
    rt.store.save(matter, meeting)
    return meeting.id


async def code_sign_in_all(base: str, count: int) -> list[tuple[dict[str, str], str]]:
    semaphore = asyncio.Semaphore(8)

    async def one(k: int) -> tuple[dict[str, str], str]:
        async with semaphore, httpx.AsyncClient(base_url=base, timeout=30) as client:
            await client.get(f"/signin/code/bench-{k}")
            token = client.cookies["csrftoken"]
            response = await client.post(f"/signin/code/bench-{k}", data={"_csrf_token": token})
            assert response.status_code == 303, response.status_code
            return dict(client.cookies), client.cookies["csrftoken"]

    return await asyncio.gather(*(one(k) for k in range(count)))


def count_votes(data_dir: Path, schema: str = "") -> dict[str, int]:
    """The votes in the log: SQLite in `data_dir`, or with `schema` the bench's PostgreSQL schemas."""

    async def body(rt: Runtime) -> dict[str, int]:
        counts = {"cast": 0, "changed": 0, "voters": 0}
        voters: set[UUID] = set()
        start = 1
        while batch := rt.store.recorder.select_notifications(start, 5000):
            for n in batch:
                if n.topic.endswith("Vote.Cast"):
                    counts["cast"] += 1
                    voters.add(n.originator_id)
                elif n.topic.endswith("Vote.Changed"):
                    counts["changed"] += 1
            start = batch[-1].id + 1
        counts["voters"] = len(voters)
        return counts

    if schema:
        from scripts.bench_casework import with_runtime as on_bench_database

        return asyncio.run(on_bench_database(data_dir, schema, body))
    return asyncio.run(with_runtime(data_dir, body))


class RawWatch(asyncio.Protocol):
    """A websocket client that notes when a text frame's bytes arrive and answers the server's pings, nothing more
    (a websocket library's task per frame would put the client's own cost, a thousand clients on the server's two
    cores, into the measurement)."""

    def __init__(self, host: str, path: str) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.buffer = b""
        self.upgraded = asyncio.Event()
        self.frames = 0
        self.first_at: float | None = None  # the first text frame since `expect()`
        self.arrived = asyncio.Event()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        if not self.upgraded.is_set():
            if b"\r\n\r\n" not in self.buffer:
                return
            self.upgraded.set()
            self.buffer = self.buffer.split(b"\r\n\r\n", 1)[1]
        while (frame := self._frame()) is not None:
            opcode, payload = frame
            if opcode == 0x9:  # ping: a pong, masked as a client's frames must be
                mask = os.urandom(4)
                body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + body)
            elif opcode == 0x1:
                self.frames += 1
                if self.first_at is None:
                    self.first_at = now
                    self.arrived.set()

    def _frame(self) -> tuple[int, bytes] | None:
        """The next whole frame from the server (unmasked), or None until it has all arrived."""
        if len(self.buffer) < 2:
            return None
        length, start = self.buffer[1] & 0x7F, 2
        if length == 126:
            if len(self.buffer) < 4:
                return None
            length, start = int.from_bytes(self.buffer[2:4], "big"), 4
        elif length == 127:
            if len(self.buffer) < 10:
                return None
            length, start = int.from_bytes(self.buffer[2:10], "big"), 10
        if len(self.buffer) < start + length:
            return None
        opcode, payload = self.buffer[0] & 0x0F, self.buffer[start : start + length]
        self.buffer = self.buffer[start + length :]
        return opcode, payload

    def expect(self) -> None:
        self.first_at = None
        self.arrived.clear()


def bench_votes(seconds: int, concurrency: int, voters: int, clients: int, probes: int) -> dict[str, Any]:
    """A vote burst: `voters` distinct residents voting on one ballot through the server (each first vote, then a
    change, so every request writes), while `clients` websockets watch the tally; then single probe votes, timed
    from the POST to each client's frame."""
    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-votes-"))

    async def setup(rt: Runtime) -> UUID:
        meeting_id = seed_ballot(rt, voters)
        await rt.projector.catch_up()
        return meeting_id

    from scripts.bench_casework import database_url, drop_schemas
    from scripts.bench_casework import with_runtime as on_bench_database

    # With LINLI_DATABASE_URL set: the log and the views in fresh PostgreSQL schemas of the bench's own.
    schema = f"benchvotes{os.getpid()}" if database_url() else ""
    if schema:
        meeting_id = asyncio.run(on_bench_database(data_dir, schema, setup))
    else:
        meeting_id = asyncio.run(with_runtime(data_dir, setup))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"LINLI_DATA_DIR": str(data_dir), "LINLI_PORT": str(port)}
    if schema:
        env |= {"LINLI_DATABASE_URL": database_url(), "LINLI_PG_SCHEMA": schema}
    server = start_server([str(BIN / "linli"), "serve"], env, base + "/healthz")
    try:
        sessions = asyncio.run(code_sign_in_all(base, voters))
        before = count_votes(data_dir, schema)
        lines = []
        for choice in ("yes", "no"):
            for cookies, token in sessions[:-1]:  # the last resident is kept for the timed probes
                cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
                lines.append(
                    f"POST\t/meetings/{meeting_id}/vote\t{cookie}\tchoice={choice}&_csrf_token={token}\t{token}"
                )

        async def burst_and_probes() -> dict[str, Any]:
            loop = asyncio.get_running_loop()
            path = f"/live/meetings/{meeting_id}"

            async def connect() -> RawWatch:
                _, watch = await loop.create_connection(lambda: RawWatch(f"127.0.0.1:{port}", path), "127.0.0.1", port)
                await watch.upgraded.wait()
                return watch

            sockets: list[RawWatch] = []
            for start in range(0, clients, 50):
                sockets += await asyncio.gather(*(connect() for _ in range(min(50, clients - start))))
            burst = await asyncio.to_thread(drive, base, lines, concurrency, seconds)
            await asyncio.sleep(2)  # the burst's last coalesced frame
            cookies, token = sessions[-1]  # has not voted yet: every probe changes the tally
            latencies: list[float] = []
            missed = 0
            # past the channel's coalescing interval, which grows with its audience (backend.web.live.Coalesce)
            quiet = max(COALESCE_SECONDS, len(sockets) / FRAMES_PER_SECOND) + 0.1
            async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30) as client:
                for n in range(probes):
                    for ws in sockets:
                        ws.expect()
                    # A thousand phones do not share one garbage collector: this process's collections (40-50 ms
                    # over what the burst left) run between the timed windows, not inside them.
                    gc.disable()
                    try:
                        sent = time.perf_counter()
                        response = await client.post(
                            f"/meetings/{meeting_id}/vote",
                            data={"choice": ("yes", "no")[n % 2], "_csrf_token": token},
                            headers={"x-csrftoken": token},
                        )
                        assert response.status_code == 303, response.status_code
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(asyncio.gather(*(ws.arrived.wait() for ws in sockets)), 5)
                    finally:
                        gc.enable()
                    missed += sum(ws.first_at is None for ws in sockets)
                    latencies += [ws.first_at - sent for ws in sockets if ws.first_at is not None]
                    await asyncio.sleep(quiet)  # each probe is a vote after a quiet spell
            for ws in sockets:
                ws.transport.close()
            return {"burst": burst, "latencies": latencies, "missed": missed, "clients": len(sockets)}

        measured = asyncio.run(burst_and_probes())
        stop(server)
        after = count_votes(data_dir, schema)
    finally:
        stop(server)  # again, if the run failed: a no-op on a server already stopped
        if schema:
            drop_schemas(schema)
    burst, latencies = measured["burst"], measured["latencies"]
    return {
        **burst,
        "voters": voters,
        "cast": after["cast"] - before["cast"],
        "changed": after["changed"] - before["changed"],
        "distinct_voters": after["voters"],
        "ws_clients": measured["clients"],
        "ws_p50": percentile(latencies, 0.5) * 1000 if latencies else float("nan"),
        "ws_p95": percentile(latencies, 0.95) * 1000 if latencies else float("nan"),
        "ws_frames": len(latencies),
        "ws_missed": measured["missed"],
        "probes": probes,
    }


def seed_shifts(rt: Runtime, residents: int, shifts: int, seats: int) -> list[UUID]:
    """`residents` with sign-in codes ("bench-<n>") and one published activity of `shifts` weekly shifts."""
    cid, _ = seed_with_codes(rt, residents)
    now = datetime.now(UTC)
    ctx = Ctx(cid, None, now)
    team = Team.found(ctx, uuid4(), "压测服务队", "")
    first = now + timedelta(days=1)
    terms = ActivityTerms("压测活动", "压测用的活动。", "活动室", "other", "全体居民", offer_hours=0)
    activity, made = Activity.create(
        ctx, uuid4(), team, terms, recurring(first, first + timedelta(hours=2), shifts), seats
    )
    activity.publish(ctx, team)
    rt.store.save(team, activity, *made)
    return [s.id for s in made]


async def once_each(port: int, requests: list[bytes], concurrency: int) -> dict[str, Any]:
    """Send every raw HTTP/1.1 request exactly once over `concurrency` keep-alive connections, timing each one and
    the whole burst (a minimal client: httpx would be the bottleneck, wrk cannot send each request once)."""
    queue = list(reversed(requests))
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                raw = queue.pop()
                sent = time.perf_counter()
                writer.write(raw)
                head = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                await reader.readexactly(int(length.group(1)) if length else 0)
                latencies.append(time.perf_counter() - sent)
                status = int(head.split(b" ", 2)[1])
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return {
        "requests": len(requests),
        "seconds": seconds,
        "rps": len(requests) / seconds,
        "statuses": statuses,
        "p50": percentile(latencies, 0.5) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
    }


def form_request(path: str, body: str, cookie: str = "", token: str = "") -> bytes:
    headers = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body.encode())}",
        "HX-Request: true",
    ]
    if cookie:
        headers.append(f"Cookie: {cookie}")
    if token:
        headers.append(f"x-csrftoken: {token}")
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def rosters(data_dir: Path, shift_ids: list[UUID]) -> dict[str, Any]:
    """The rosters as the log has them, and as the views have them."""

    async def body(rt: Runtime) -> dict[str, Any]:
        from projections.volunteering import queries as views

        await rt.projector.catch_up()
        logged = {"seated": [], "waitlisted": [], "signed_up": 0, "volunteers": set()}
        for shift_id in shift_ids:
            shift = rt.store.repository.get(shift_id)
            logged["seated"].append(len(shift.seated))
            logged["waitlisted"].append(len(shift.waitlist))
            logged["volunteers"] |= {*shift.seated, *shift.waitlist}
        start = 1
        while batch := rt.store.recorder.select_notifications(start, 5000):
            logged["signed_up"] += sum(1 for n in batch if n.topic.endswith("Shift.SignedUp"))
            start = batch[-1].id + 1
        viewed = [await views.shift(s) for s in shift_ids]
        return {
            **logged,
            "volunteers": len(logged["volunteers"]),
            "views_match": [v["seated"] for v in viewed] == logged["seated"]
            and [v["waitlisted"] for v in viewed] == logged["waitlisted"],
        }

    return asyncio.run(with_runtime(data_dir, body))


def burst(
    prefix: str, seed: Any, path: Any, concurrency: int, residents: int
) -> tuple[dict[str, Any], list[UUID], Path]:
    """`residents` signed in with codes each send one form (waitlist accepted) to `path(k, ids)` at once, through
    the server; the same driver against the bare endpoint is the baseline. `seed(rt)` makes what they compete for
    and returns its ids."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))

    async def setup(rt: Runtime) -> list[UUID]:
        made = seed(rt)
        await rt.projector.catch_up()
        return made

    ids = asyncio.run(with_runtime(data_dir, setup))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"LINLI_DATA_DIR": str(data_dir), "LINLI_PORT": str(port)}
    server = start_server([str(BIN / "linli"), "serve"], env, base + "/healthz")
    try:
        sessions = asyncio.run(code_sign_in_all(base, residents))
        requests = []
        for k, (cookies, token) in enumerate(sessions):
            cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
            body = f"waitlist=1&_csrf_token={token}&command_id={uuid4().hex}"
            requests.append(form_request(path(k, ids), body, cookie, token))
        result = asyncio.run(once_each(port, requests, concurrency))
    finally:
        stop(server)
    bare_port = free_port()
    bare_base = f"http://127.0.0.1:{bare_port}"
    bare_server = start_server(
        [str(BIN / "uvicorn"), "scripts.bench_bare:app", "--port", str(bare_port), "--log-level", "warning"],
        {},
        bare_base + "/bare",
    )
    try:
        bare = asyncio.run(once_each(bare_port, [form_request("/bare", "x=1")] * residents, concurrency))
    finally:
        stop(bare_server)
    return {**result, "bare": bare, "residents": residents}, ids, data_dir


def bench_signups(concurrency: int, residents: int, shifts: int, seats: int) -> dict[str, Any]:
    """A sign-up burst: `residents` each signing up once (waitlist accepted) for one of `shifts` shifts of `seats`
    seats."""
    result, shift_ids, data_dir = burst(
        "linli-bench-signups-",
        lambda rt: seed_shifts(rt, residents, shifts, seats),
        lambda k, ids: f"/shifts/{ids[k % shifts]}/signup",
        concurrency,
        residents,
    )
    return {**result, "shifts": shifts, "seats": seats, **rosters(data_dir, shift_ids)}


def seed_slots(rt: Runtime, residents: int, slots: int, seats: int) -> list[UUID]:
    """`residents` with sign-in codes ("bench-<n>") and one service of `slots` consecutive 30-minute slots."""
    cid, _ = seed_with_codes(rt, residents)
    now = datetime.now(UTC)
    ctx = Ctx(cid, None, now)
    provider = Provider.create(ctx, uuid4(), "压测服务方", "")
    service = Service.create(ctx, uuid4(), provider, "压测服务", "other", "压测用的服务。", BookingRules(0, 0, 20))
    first = (now + timedelta(days=1)).astimezone(LOCAL_ZONE).date()
    schedule = Schedule(first, 1, frozenset({first.weekday()}), clock(0), clock(23, 30), 30, seats, "活动室")
    made = service.publish(ctx, provider, schedule)[:slots]
    rt.store.save(provider, service, *made)
    return [s.id for s in made]


def slot_counts(data_dir: Path, slot_ids: list[UUID]) -> dict[str, Any]:
    """The slots' seats and waitlists as the log has them (and the residents' diaries), and as the views have
    them."""

    async def body(rt: Runtime) -> dict[str, Any]:
        from projections.services import queries as views

        await rt.projector.catch_up()
        logged: dict[str, Any] = {"booked": [], "waitlisted": [], "residents": set()}
        for slot_id in slot_ids:
            slot = rt.store.repository.get(slot_id)
            holders = [r for r, b in slot.bookings.items() if b.status in ACTIVE]
            logged["booked"].append(len(holders))
            logged["waitlisted"].append(len(slot.waitlist))
            logged["residents"] |= {*holders, *slot.waitlist}
        holding = [r for s in slot_ids for r in rt.store.repository.get(s).bookings]
        diaries = sum(1 for r in holding if set(rt.store.repository.get(diary_id_for(r)).held) & set(slot_ids))
        viewed = [await views.slot(s) for s in slot_ids]
        return {
            **logged,
            "residents_placed": len(logged["residents"]),
            "diaries_holding": diaries,
            "views_match": [v["booked"] for v in viewed] == logged["booked"]
            and [v["waitlisted"] for v in viewed] == logged["waitlisted"],
        }

    return asyncio.run(with_runtime(data_dir, body))


def bench_bookings(concurrency: int, residents: int, slots: int, seats: int) -> dict[str, Any]:
    """A booking burst: `residents` each booking once (waitlist accepted) one of `slots` slots of `seats` seats;
    each booking saves the slot and the resident's diary together."""
    result, slot_ids, data_dir = burst(
        "linli-bench-bookings-",
        lambda rt: seed_slots(rt, residents, slots, seats),
        lambda k, ids: f"/slots/{ids[k % slots]}/book",
        concurrency,
        residents,
    )
    return {**result, "slots": slots, "seats": seats, **slot_counts(data_dir, slot_ids)}


def bench_bare(seconds: int, concurrency: int) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(
        [
            str(BIN / "uvicorn"),
            "scripts.bench_bare:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--ws",
            "websockets-sansio",
            "--workers",
            os.environ.get("LINLI_WORKERS", "1"),
        ],
        {},
        base + "/bare",
    )
    try:
        return drive(base, ["POST\t/bare\t\tx=1\t"], concurrency, seconds)
    finally:
        stop(server)


def bench_rebuild(events: int) -> tuple[dict[str, Any], Path]:
    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-100k-"))
    cosigns_each = 60
    proposals = max(1, (events - 1000 * 2) // (cosigns_each + 1))

    async def body(rt: Runtime) -> dict[str, Any]:
        seed(rt, 1000, proposals, cosigns_each)
        total = rt.event_count()
        started = time.perf_counter()
        start, decoded = 1, 0
        while batch := rt.store.recorder.select_notifications(start, 1000):
            for n in batch:
                rt.store.mapper.to_domain_event(n)
            decoded += len(batch)
            start = batch[-1].id + 1
        raw = decoded / (time.perf_counter() - started)
        names = [p.name for p in rt.projector.projections]
        await rt.projector.catch_up()  # warm: then time a real rebuild from zero
        started = time.perf_counter()
        await rt.projector.reset(names)
        await rt.projector.catch_up()
        rebuild = total / (time.perf_counter() - started)
        return {"events": total, "raw_eps": raw, "rebuild_eps": rebuild}

    return asyncio.run(with_runtime(data_dir, body)), data_dir


def bench_rss_and_first_load(data_dir: Path) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(
        [str(BIN / "linli"), "serve"], {"LINLI_DATA_DIR": str(data_dir), "LINLI_PORT": str(port)}, base + "/healthz"
    )
    try:
        for _ in range(20):
            httpx.get(base + "/proposals", timeout=30)
        page = httpx.get(base + "/proposals", timeout=30)
        assets = re.findall(r'<script src="([^"]+)"', page.text) + re.findall(
            r'<link rel="stylesheet" href="([^"]+)"', page.text
        )
        sizes = {"page": len(gzip.compress(page.content, 6))}
        for asset in assets:
            sizes[asset.split("?")[0]] = len(gzip.compress(httpx.get(base + asset).content, 6))
        rss_kb = [rss_kb_of(pid) for pid in process_tree(server.pid)]
    finally:
        stop(server)
    return {
        "first_load_bytes": sum(sizes.values()),
        "parts": sizes,
        "rss_mb": max(rss_kb) / 1024,  # the largest process: a web process
        "rss_all_mb": sum(rss_kb) / 1024,
        "rss_processes": len(rss_kb),
    }


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (the supervisor and its web processes under LINLI_WORKERS)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(descendant for child in children for descendant in process_tree(int(child)))]


def rss_kb_of(pid: int) -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))


def vote_rows(votes: dict, bare: dict, args: argparse.Namespace) -> list[str]:
    return [
        f"| vote burst POST ({votes['voters']:,} residents, one ballot, {votes['ws_clients']:,} websockets open), "
        f"votes/s | {votes['rps']:.0f} | bare Litestar POST {bare['rps']:.0f} | {votes['rps'] / bare['rps']:.2f} "
        "| ≥ 1,000/s |",
        f"| vote latency p50 / p95 / p99 (ms) | {votes['p50']:.1f} / {votes['p95']:.1f} / {votes['p99']:.1f} | "
        f"{bare['p50']:.1f} / {bare['p95']:.1f} / {bare['p99']:.1f} | | p99 ≤ 250 |",
        f"| first votes recorded / distinct voters / residents in the burst | {votes['cast']} / "
        f"{votes['distinct_voters']} / {votes['voters'] - 1 + votes['probes'] // max(votes['probes'], 1)} | | | "
        "equal: none duplicated, none lost |",
        f"| votes written / successful responses (difference: requests still in flight when wrk stopped) | "
        f"{votes['cast'] + votes['changed']} / {votes['requests'] - votes['non2xx'] + votes['probes']} | | | "
        f"≤ {args.concurrency} apart |",
        f"| vote → tally frame on {votes['ws_clients']:,} websockets, p50 / p95 (ms) | "
        f"{votes['ws_p50']:.0f} / {votes['ws_p95']:.0f} ({votes['ws_frames']:,} frames, {votes['ws_missed']} missed, "
        f"{votes['probes']} votes) | | | p95 ≤ 100 |",
    ]


def processes() -> str:
    workers = int(os.environ.get("LINLI_WORKERS", "1"))
    return "one web process" if workers == 1 else f"{workers} web processes (`LINLI_WORKERS={workers}`)"


def database_name() -> str:
    url = os.environ.get("LINLI_DATABASE_URL", "")
    return "PostgreSQL" if url.startswith(("postgresql://", "postgres://")) else "SQLite"


def report_votes(votes: dict, bare: dict, args: argparse.Namespace) -> str:
    lines = [
        f"### Vote burst — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {database_name()}, "
        f"{processes()}",
        "",
        f"`scripts/bench --votes-only --seconds {args.seconds} --concurrency {args.concurrency} --voters {args.voters} "
        f"--ws-clients {args.ws_clients}`",
        "",
        "| measure | Linli | baseline | ratio | target |",
        "|---|---|---|---|---|",
        *vote_rows(votes, bare, args),
    ]
    return "\n".join(lines)


def report(cosign: dict, bare: dict, votes: dict, rebuild: dict, serve: dict, args: argparse.Namespace) -> str:
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {os.cpu_count()} cores, SQLite, {processes()}",
        "",
        f"`scripts/bench --seconds {args.seconds} --concurrency {args.concurrency} --events {args.events}`"
        f"{' --hot' if args.hot else ''}",
        "",
        "| measure | Linli | baseline | ratio | target |",
        "|---|---|---|---|---|",
        f"| co-sign POST, requests/s | {cosign['rps']:.0f} | bare Litestar POST {bare['rps']:.0f} | "
        f"{cosign['rps'] / bare['rps']:.2f} | ≥ 500/s |",
        f"| co-sign latency p50 / p95 / p99 (ms) | {cosign['p50']:.1f} / {cosign['p95']:.1f} / {cosign['p99']:.1f} | "
        f"{bare['p50']:.1f} / {bare['p95']:.1f} / {bare['p99']:.1f} | | |",
        f"| co-signs recorded / successful responses | {cosign['recorded']} / {cosign['requests'] - cosign['non2xx']} "
        f"| | | equal |",
        *vote_rows(votes, bare, args),
        f"| projection rebuild, events/s ({rebuild['events']:,} events) | {rebuild['rebuild_eps']:,.0f} | "
        f"raw decoded read {rebuild['raw_eps']:,.0f} | {rebuild['rebuild_eps'] / rebuild['raw_eps']:.2f} | "
        "≥ 20,000/s |",
        f"| first load of the board, gzip bytes (HTML+CSS+JS) | {serve['first_load_bytes']:,} | | | ≤ 61,440 |",
        f"| server RSS after {rebuild['events']:,} events (MB): the largest process; all {serve['rss_processes']} "
        f"| {serve['rss_mb']:.0f}; {serve['rss_all_mb']:.0f} | | | ≤ 150 a process |",
        "",
        f"Non-2xx: Linli {cosign['non2xx']}, bare {bare['non2xx']}; socket errors: {cosign['socket_errors']}, "
        f"{bare['socket_errors']}. First-load parts (gzip bytes): {serve['parts']}.",
    ]
    return "\n".join(lines)


def report_signups(signups: dict, args: argparse.Namespace) -> str:
    bare = signups["bare"]
    expected_seated = [min(args.seats, -(-(args.signup_residents - k) // args.shifts)) for k in range(args.shifts)]
    lines = [
        f"#### Sign-up burst — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, SQLite",
        "",
        f"`scripts/bench --signups-only --concurrency {args.concurrency} --signup-residents {args.signup_residents} "
        f"--shifts {args.shifts} --seats {args.seats}`: every resident signs up once (waitlist accepted), all at once,",
        "sent by a minimal asyncio HTTP/1.1 client; the baseline is the same client against a bare Litestar POST.",
        "",
        "| measure | Linli | baseline | ratio | target |",
        "|---|---|---|---|---|",
        f"| sign-ups/s | {signups['rps']:.0f} | bare Litestar POST {bare['rps']:.0f} | "
        f"{signups['rps'] / bare['rps']:.2f} | |",
        f"| latency p50 / p95 / p99 (ms) | {signups['p50']:.1f} / {signups['p95']:.1f} / {signups['p99']:.1f} | "
        f"{bare['p50']:.1f} / {bare['p95']:.1f} / {bare['p99']:.1f} | | |",
        f"| responses | {signups['statuses']} | {bare['statuses']} | | all 303 |",
        f"| SignedUp events / distinct volunteers on rosters / residents | {signups['signed_up']} / "
        f"{signups['volunteers']} / {signups['residents']} | | | equal |",
        f"| seated per shift (log) | {sorted(set(signups['seated']))} | expected {sorted(set(expected_seated))} | | "
        "exact |",
        f"| waitlisted in all (log) | {sum(signups['waitlisted'])} | expected "
        f"{args.signup_residents - sum(expected_seated)} | | exact |",
        f"| views equal the log | {signups['views_match']} | | | True |",
    ]
    return "\n".join(lines)


def seed_notices(rt: Runtime, notices: int) -> None:
    """A community with `notices` published notices (no review: the rulebook's switch off), spread over the past
    year, saved many per transaction."""
    from backend.disclosure.domain.notice import Notice, Terms

    cid = community_id_for("bench")
    start = datetime.now(UTC) - timedelta(days=365)
    community = Community.found(Ctx(cid, None, start), "压测社区", "bench")
    rt.store.save(community)
    terms = Terms(review_required=False)
    step = timedelta(days=365) / max(notices, 1)
    batch: list[Notice] = []
    for n in range(notices):
        ctx = Ctx(cid, None, start + step * n)
        notice = Notice.draft_new(ctx, uuid4(), ("party", "affairs", "finance")[n % 3], f"公告第 {n} 号", "内容。" * 40)
        notice.publish(ctx, terms)
        batch.append(notice)
        if len(batch) == 1000:
            rt.store.save(*batch)
            batch = []
    if batch:
        rt.store.save(*batch)


def bench_board(seconds: int, concurrency: int, sizes: tuple[int, ...]) -> dict[str, Any]:
    """The public board (GET, newest first, with its overdue markers) with `sizes` notices, and the board as of
    random past moments (time travel), each through a real server; a bare GET beside them."""
    found: dict[str, Any] = {"sizes": {}}
    for size in sizes:
        data_dir = Path(tempfile.mkdtemp(prefix=f"linli-bench-board-{size}-"))

        async def setup(rt: Runtime, size: int = size) -> float:
            seed_notices(rt, size)
            started = time.perf_counter()
            await rt.projector.catch_up()
            return time.perf_counter() - started

        projected = asyncio.run(with_runtime(data_dir, setup))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(
            [str(BIN / "linli"), "serve"], {"LINLI_DATA_DIR": str(data_dir), "LINLI_PORT": str(port)}, base + "/healthz"
        )
        try:
            board = drive(base, ["GET\t/board?community=bench\t\t\t"], concurrency, seconds)
            now = datetime.now(LOCAL_ZONE)
            moments = [(now - timedelta(minutes=17 * k + 5)).strftime("%Y-%m-%dT%H:%M") for k in range(2000)]
            travel = drive(base, [f"GET\t/board?community=bench&at={m}\t\t\t" for m in moments], concurrency, seconds)
        finally:
            stop(server)
        found["sizes"][size] = {"board": board, "travel": travel, "projected_seconds": projected}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(
        [str(BIN / "uvicorn"), "scripts.bench_bare:app", "--port", str(port), "--log-level", "warning"],
        {},
        base + "/bare",
    )
    try:
        found["bare"] = drive(base, ["GET\t/bare\t\t\t"], concurrency, seconds)
    finally:
        stop(server)
    return found


def report_board(result: dict, args: argparse.Namespace) -> str:
    bare = result["bare"]
    lines = [
        f"### Disclosure board — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`scripts/bench --board-only --seconds {args.seconds} --concurrency {args.concurrency}`: GET "
        "`/board` (newest 20, with the overdue markers) through a real server (SQLite), and the board as of "
        "random past moments (`?at=`), beside a bare Litestar GET in the same run.",
        "",
        "| notices | board req/s | ratio to bare | p50 / p95 / p99 (ms) | time travel req/s | time travel p95 (ms) |"
        " projected in (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for size, r in result["sizes"].items():
        board, travel = r["board"], r["travel"]
        lines.append(
            f"| {size:,} | {board['rps']:.0f} | {board['rps'] / bare['rps']:.2f} | {board['p50']:.1f} / "
            f"{board['p95']:.1f} / {board['p99']:.1f} | {travel['rps']:.0f} | {travel['p95']:.1f} | "
            f"{r['projected_seconds']:.1f} |"
        )
    lines.append(
        f"| bare GET | {bare['rps']:.0f} | 1.00 | {bare['p50']:.1f} / {bare['p95']:.1f} / {bare['p99']:.1f} | | | |"
    )
    return "\n".join(lines)


def report_bookings(bookings: dict, args: argparse.Namespace) -> str:
    bare = bookings["bare"]
    per_slot = [-(-(args.booking_residents - k) // args.slots) for k in range(args.slots)]  # residents per slot
    expected_booked = [min(args.slot_seats, n) for n in per_slot]
    expected_waiting = [min(100, n - b) for n, b in zip(per_slot, expected_booked, strict=True)]
    return "\n".join(
        [
            f"### Booking burst — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"`scripts/bench --bookings-only --concurrency {args.concurrency} --booking-residents "
            f"{args.booking_residents} --slots {args.slots} --slot-seats {args.slot_seats}`: each resident books one "
            "slot once (waitlist accepted) through the server; a booking saves the slot and the resident's diary "
            "in one transaction. Counted from the log afterwards.",
            "",
            "| measure | Linli | baseline (same run) | ratio | target |",
            "|---|---|---|---|---|",
            f"| bookings/s | {bookings['rps']:.0f} | bare Litestar POST {bare['rps']:.0f} | "
            f"{bookings['rps'] / bare['rps']:.2f} | |",
            f"| latency p50 / p95 / p99 (ms) | {bookings['p50']:.1f} / {bookings['p95']:.1f} / "
            f"{bookings['p99']:.1f} | {bare['p50']:.1f} / {bare['p95']:.1f} / {bare['p99']:.1f} | | |",
            f"| responses | {bookings['statuses']} | {bare['statuses']} | | all 303 |",
            f"| booked per slot (log) | {sorted(set(bookings['booked']))} | expected {sorted(set(expected_booked))} "
            "| | exact, never above the seats |",
            f"| waitlisted in all (log) | {sum(bookings['waitlisted'])} | expected {sum(expected_waiting)} | | exact |",
            f"| residents placed / diaries holding their seat | {bookings['residents_placed']} / "
            f"{bookings['diaries_holding']} | {args.booking_residents} / {sum(expected_booked)} | | equal |",
            f"| views equal the log | {bookings['views_match']} | | | True |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15, help="load duration for each server")
    parser.add_argument("--proposals", type=int, default=100)
    parser.add_argument("--hot", action="store_true", help="all concurrent co-signs on one proposal at a time")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--voters", type=int, default=2000, help="distinct residents in the vote burst")
    parser.add_argument("--ws-clients", type=int, default=1000, help="websockets watching the tally")
    parser.add_argument("--probes", type=int, default=40, help="single votes timed to every websocket")
    parser.add_argument("--signup-residents", type=int, default=2000, help="residents in the sign-up burst")
    parser.add_argument("--shifts", type=int, default=20, help="shifts competed for in the sign-up burst")
    parser.add_argument("--seats", type=int, default=50, help="seats per shift in the sign-up burst")
    parser.add_argument("--signups-only", action="store_true", help="only the sign-up burst")
    parser.add_argument("--booking-residents", type=int, default=2000, help="residents in the booking burst")
    parser.add_argument("--slots", type=int, default=20, help="slots competed for in the booking burst")
    parser.add_argument("--slot-seats", type=int, default=50, help="seats per slot in the booking burst")
    parser.add_argument("--bookings-only", action="store_true", help="only the booking burst")
    parser.add_argument("--board-only", action="store_true", help="only the disclosure board")
    parser.add_argument("--votes-only", action="store_true", help="only the vote burst (with its bare baseline)")
    parser.add_argument("--board-sizes", default="100,100000", help="notices on the board, comma-separated")
    parser.add_argument("--casework-only", action="store_true", help="only casework: queue, dashboard, rebuild")
    parser.add_argument("--casework-sizes", default="1000,100000", help="cases in the log, comma-separated")
    parser.add_argument("--casework-communities", type=int, default=200, help="communities of the street (5 grids)")
    parser.add_argument("--record-only", action="store_true", help="only the verifiable record: tree, proofs, sizes")
    parser.add_argument("--record-leaves", type=int, default=1_000_000, help="leaves of the tree proofs are read from")
    parser.add_argument("--inbox-only", action="store_true", help="only a notice to every resident, recorded")
    parser.add_argument("--inbox-residents", type=int, default=5_000, help="residents told of the notice")
    parser.add_argument("--home-only", action="store_true", help="only the home page of a resident with 100 items")
    parser.add_argument("--signedin-only", action="store_true", help="only board, proposals, time travel signed in")
    parser.add_argument("--signedin-notices", type=int, default=10_000, help="notices on the signed-in board")
    parser.add_argument("--rebuild-only", action="store_true", help="only each projection rebuilt over a mixed log")
    parser.add_argument("--city", action="store_true", help="a city on PostgreSQL: 1, 2, 3 hosts behind nginx")
    parser.add_argument("--city-communities", type=int, default=200)
    parser.add_argument("--city-residents", type=int, default=100_000)
    parser.add_argument("--city-events", type=int, default=1_000_000, help="events in the city's log")
    parser.add_argument("--city-notices", type=int, default=100_000)
    parser.add_argument("--burst-only", action="store_true", help="only simultaneous connections, none lost")
    parser.add_argument("--burst", type=int, default=1000, help="simultaneous requests in each burst")
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument(
        "--workers",
        type=int,
        default=load_settings().workers,
        help="web processes of each server (LINLI_WORKERS; default: as `linli serve`, one per core)",
    )
    parser.add_argument("--write", action="store_true", help="append the result to docs/BENCHMARKS.md")
    args = parser.parse_args()
    os.environ["LINLI_WORKERS"] = str(args.workers)  # every server this run starts
    # one secret for the run's processes: on PostgreSQL a host refuses to start without the deployment's secret
    os.environ.setdefault("LINLI_SECRET", secrets.token_urlsafe(48))
    if args.quick:
        args.seconds, args.residents, args.proposals, args.events = 3, 40, 40, 5_000
        args.voters, args.ws_clients, args.probes = 100, 50, 5
        args.signup_residents, args.shifts, args.seats = 100, 4, 10
        args.booking_residents, args.slots, args.slot_seats = 100, 4, 10
    if args.quick:
        args.board_sizes = "100,2000"
        args.casework_sizes, args.casework_communities = "200,2000", 20
    if args.quick:
        args.city_communities, args.city_residents, args.city_events, args.city_notices = 10, 2_000, 30_000, 1_000
    if args.city:  # issue 27 item 5: PostgreSQL (LINLI_TEST_POSTGRES_URL or the default local server) and SQLite
        from scripts.bench_city import bench_city, report_city

        text = report_city(bench_city(args), args)
        print(text)
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    if args.burst_only:  # issue 27: a burst of simultaneous connections loses none (SQLite)
        from scripts.bench_burst import main as bench_burst

        text = bench_burst(300 if args.quick else args.burst, args.workers)
        print(text)
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    if args.record_only:  # issue 24: on SQLite, or on PostgreSQL with LINLI_DATABASE_URL set
        import asyncio

        from scripts.bench_record import main as bench_record

        asyncio.run(bench_record(30_000 if args.quick else args.record_leaves))
        return
    if args.inbox_only:  # issue 23: on SQLite, or on PostgreSQL with LINLI_DATABASE_URL set
        import asyncio

        from scripts.bench_inbox import main as bench_inbox

        asyncio.run(bench_inbox(500 if args.quick else args.inbox_residents))
        return
    if args.rebuild_only:  # issue 27 item 4: on SQLite, or on PostgreSQL with LINLI_DATABASE_URL set
        from scripts.bench_rebuild import bench_rebuild_each, report_rebuild_each

        result = bench_rebuild_each(args.events)
        text = report_rebuild_each(result, args)
        print(text)
        print(json.dumps(result, default=str))
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    if args.home_only:  # issue 23: on SQLite, or on PostgreSQL with LINLI_DATABASE_URL set
        from scripts.bench_home import main as bench_home

        tools = {"free_port": free_port, "start_server": start_server, "stop": stop, "drive": drive, "BIN": BIN}
        text = bench_home(args, tools)
        print(text)
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    if args.signedin_only:  # issue 27 item 6: on SQLite, or on PostgreSQL with LINLI_DATABASE_URL set
        from scripts.bench_signedin import main as bench_signedin

        tools = {"free_port": free_port, "start_server": start_server, "stop": stop, "drive": drive, "BIN": BIN}
        text = bench_signedin(args, tools)
        print(text)
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    if args.casework_only:
        from scripts.bench_casework import bench_casework, report_casework

        sizes = tuple(int(n) for n in args.casework_sizes.split(","))
        print(f"casework ({', '.join(f'{n:,}' for n in sizes)} cases)…", flush=True)
        tools = {"free_port": free_port, "start_server": start_server, "stop": stop, "drive": drive, "BIN": BIN}
        result = bench_casework(args.seconds, args.concurrency, sizes, args.casework_communities, tools)
        text = report_casework(result, args)
        print(text)
        print(json.dumps(result, default=str))
        (Path(tempfile.gettempdir()) / f"linli-bench-casework-{result['database'].lower()}.json").write_text(
            json.dumps(result, default=str)
        )
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    if args.board_only:
        sizes = tuple(int(n) for n in args.board_sizes.split(","))
        print(f"disclosure board ({', '.join(f'{n:,}' for n in sizes)} notices)…", flush=True)
        text = report_board(bench_board(args.seconds, args.concurrency, sizes), args)
        print(text)
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    if args.bookings_only:
        print(f"booking burst ({args.booking_residents} residents, {args.slots} slots of {args.slot_seats})…")
        bookings = bench_bookings(args.concurrency, args.booking_residents, args.slots, args.slot_seats)
        text = report_bookings(bookings, args)
        print(text)
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    if args.votes_only:
        print("bare baseline…", flush=True)
        bare = bench_bare(args.seconds, args.concurrency)
        print(f"vote burst ({args.voters} voters, {args.ws_clients} websockets)…", flush=True)
        votes = bench_votes(args.seconds, args.concurrency, args.voters, args.ws_clients, args.probes)
        text = report_votes(votes, bare, args)
        print(text)
        print(json.dumps({"bare": bare, "votes": votes}, default=str))
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    print(f"sign-up burst ({args.signup_residents} residents, {args.shifts} shifts of {args.seats})…", flush=True)
    signups = bench_signups(args.concurrency, args.signup_residents, args.shifts, args.seats)
    if args.signups_only:
        text = report_signups(signups, args)
        print(text)
        print(json.dumps(signups, default=str))
        if args.write:
            with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
                out.write("\n" + text + "\n")
        return
    print("co-sign load…", flush=True)
    cosign = bench_cosign(args.seconds, args.concurrency, args.residents, args.proposals, args.hot)
    print("bare baseline…", flush=True)
    bare = bench_bare(args.seconds, args.concurrency)
    print(f"vote burst ({args.voters} voters, {args.ws_clients} websockets)…", flush=True)
    votes = bench_votes(args.seconds, args.concurrency, args.voters, args.ws_clients, args.probes)
    print(f"loading {args.events:,} events and rebuilding…", flush=True)
    rebuild, big_dir = bench_rebuild(args.events)
    print("first load and RSS…", flush=True)
    serve = bench_rss_and_first_load(big_dir)
    text = report(cosign, bare, votes, rebuild, serve, args) + "\n\n" + report_signups(signups, args)
    print(text)
    everything = {
        "cosign": cosign,
        "bare": bare,
        "votes": votes,
        "rebuild": rebuild,
        "serve": serve,
        "signups": signups,
    }
    print(json.dumps(everything, default=str))
    if args.write:
        with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as out:
            out.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
