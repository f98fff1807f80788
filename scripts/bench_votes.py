"""scripts/bench --votes-only: a vote burst on one ballot through a real server while websockets watch the tally;
then single probe votes timed to every websocket. SQLite, or PostgreSQL with LINLI_DATABASE_URL."""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx

from backend.community.domain.rules import VOTE_RULES
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.rules import Body, Outcome
from backend.kernel.context import Ctx
from backend.runtime import Runtime
from backend.web.live import COALESCE_SECONDS, FRAMES_PER_SECOND
from scripts.bench_kit import (
    BIN,
    code_sign_in_all,
    database_name,
    drive,
    free_port,
    percentile,
    processes,
    seed_with_codes,
    start_server,
    stop,
    with_runtime,
)


def seed_ballot(rt: Runtime, voters: int) -> UUID:
    """`voters` residents with one-time sign-in codes ("bench-<n>", no argon2 per sign-in), and a residents' meeting
    at stage ④ with its ballot open and all of them expected."""
    cid, ids = seed_with_codes(rt, voters)
    matter, meeting = residents_ballot(Ctx(cid, None, datetime.now(UTC)), ids)
    rt.store.save(matter, meeting)
    return meeting.id


def residents_ballot(ctx: Ctx, ids: list[UUID]) -> tuple[Matter, Meeting]:
    """A matter past ①–③ and its residents' meeting (④) with the ballot open, every one of `ids` expected."""
    matter = Matter.open(ctx, uuid4(), "压测表决", "压测用的事项。", None, False)
    for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING):
        matter.record(ctx, body, Outcome.PASSED, uuid4())
    rule = VOTE_RULES[Body.RESIDENTS_MEETING]
    meeting = Meeting.schedule(ctx, uuid4(), matter, Body.RESIDENTS_MEETING, "广场", ctx.now, "同意", ids, 0, rule)
    meeting.open_ballot(ctx)
    return matter, meeting


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
        shutil.rmtree(data_dir, ignore_errors=True)
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
