"""`scripts/bench --burst-only`: 1,000 simultaneous requests to a real `linli serve`, each counted as answered, reset,
timed out or refused — none may be lost (issue 27: one of 300 simultaneous votes had its connection reset, and
its retry was accepted).

Three bursts against one server (SQLite, `--workers` processes):

- fresh votes: every voter opens its own TCP connection at the same moment (one barrier) and sends one POST vote;
- healthz: the same, with GET /healthz;
- reused votes: every voter first loads a page over a keep-alive connection, as a phone or a balancer does, stays
  idle for about uvicorn's default keep-alive timeout (5 s ± 0.25 s from that answer) and then changes its vote
  on the same connection. A server that closes an idle connection as the request arrives answers it with a reset.

The same bursts run first against the same server with uvicorn's default keep-alive timeout (the baseline, on the
same data), then as `linli serve` is configured now. The votes written to the log (Vote.Cast, Vote.Changed) are
compared with the votes acknowledged (200: sent with htmx's header, as a phone sends them): `doubled` counts
votes written but not acknowledged (the client would retry and vote again), `lost` votes acknowledged but not
written. Beside them the kernel's counters: accept queue overflows, and sockets closed with a request unread.
Those count for the whole network namespace: on a machine shared with other work, run the bench in a namespace of
its own (as root) to count this run alone: `unshare -n sh -c 'ip link set lo up && scripts/bench --burst-only'`."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from scripts.bench_kit import BIN, free_port, percentile, start_server, stop, with_runtime
from scripts.bench_seats import form_request
from scripts.bench_votes import count_votes, seed_ballot

# The kernel's own counters (of the network namespace: other traffic in it adds to them): an accept queue that
# overflowed (the backlog), and a socket closed by its process with a request still unread in it, which the kernel
# answers with a reset (TCPAbortOnClose: an idle keep-alive connection closed as the client's request arrived).
COUNTERS = ("TcpExt:ListenOverflows", "TcpExt:ListenDrops", "TcpExt:TCPAbortOnClose", "Tcp:OutRsts")
OLD_KEEP_ALIVE = 5.0  # uvicorn's default timeout_keep_alive, the one the reset was seen with
TIMEOUT = 60.0  # seconds a request may wait for its answer before it counts as timed out


@dataclass
class Tally:
    """What became of each request of a burst."""

    statuses: dict[int, int] = field(default_factory=dict)
    reset: int = 0  # the connection was reset or closed before a whole answer came
    timed_out: int = 0
    refused: int = 0  # the connection could not be opened
    reconnected: int = 0  # a kept connection was seen closed before sending, and a new one opened
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    def note(self, error: BaseException) -> None:
        name = type(error).__name__
        self.errors[name] = self.errors.get(name, 0) + 1

    def summary(self) -> dict[str, Any]:
        return {
            "answered": self.answered,
            "statuses": dict(sorted(self.statuses.items())),
            "reset": self.reset,
            "timed_out": self.timed_out,
            "refused": self.refused,
            "reconnected": self.reconnected,
            "errors": self.errors,
            "p50": percentile(self.latencies, 0.5) * 1000 if self.latencies else float("nan"),
            "p99": percentile(self.latencies, 0.99) * 1000 if self.latencies else float("nan"),
        }


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One whole HTTP/1.1 answer (Content-Length framed): its status and head."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    await reader.readexactly(int(length.group(1)) if length else 0)
    return int(head.split(b" ", 2)[1]), head


async def exchange(tally: Tally, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> bool:
    """Send one request on an open connection and wait for its answer, noting the outcome; False if none came."""
    sent = time.perf_counter()
    try:
        writer.write(raw)
        status, _ = await asyncio.wait_for(read_answer(reader), TIMEOUT)
    except TimeoutError:
        tally.timed_out += 1
        return False
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
        tally.reset += 1
        tally.note(error)
        return False
    tally.latencies.append(time.perf_counter() - sent)
    tally.statuses[status] = tally.statuses.get(status, 0) + 1
    return True


async def fresh(port: int, requests: list[bytes]) -> Tally:
    """Every request on its own new connection, all started at once: each waits at one barrier, then connects and
    sends (a phone's tap, not a pooled client's)."""
    tally = Tally()
    gate = asyncio.Event()

    async def one(raw: bytes) -> None:
        await gate.wait()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), TIMEOUT)
        except TimeoutError:
            tally.timed_out += 1
            return
        except OSError as error:
            tally.refused += 1
            tally.note(error)
            return
        try:
            await exchange(tally, reader, writer, raw)
        finally:
            writer.close()

    tasks = [asyncio.create_task(one(raw)) for raw in requests]
    await asyncio.sleep(0)  # every task is waiting at the gate
    gate.set()
    await asyncio.gather(*tasks)
    return tally


async def reused(port: int, first: list[bytes], then: list[bytes], idle: float, spread: float) -> Tally:
    """Each connection sends `first[k]` (not counted), then stays idle for `idle` ± `spread` seconds from that
    answer and sends `then[k]` on the same connection (counted) — unless it has seen the server close it meanwhile:
    then, as a pooled client does, on a new one. What is left to fail is the race a client cannot see: the server
    closing the idle connection while the request is already on its way."""
    tally, warm = Tally(), Tally()
    ready = asyncio.Barrier(len(then) + 1)
    rng = random.Random(27)
    pauses = [idle + rng.uniform(-spread, spread) for _ in then]
    opening = asyncio.Semaphore(100)  # the page loads before are not the burst under test

    async def one(page: bytes, raw: bytes, pause: float) -> None:
        async with opening:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            await exchange(warm, reader, writer, page)
            answered = time.monotonic()
            await ready.wait()
            await asyncio.sleep(max(0.0, answered + pause - time.monotonic()))
            if reader.at_eof():  # closed by the server while idle, as a pooled client sees: a new connection
                tally.reconnected += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            await exchange(tally, reader, writer, raw)
        finally:
            writer.close()

    tasks = [asyncio.create_task(one(f, t, p)) for f, t, p in zip(first, then, pauses, strict=True)]
    await ready.wait()
    await asyncio.gather(*tasks)
    assert warm.answered == len(first), warm.summary()
    return tally


def kernel_counters() -> dict[str, int]:
    """COUNTERS as /proc/net/netstat and /proc/net/snmp have them now."""
    found: dict[str, int] = {}
    for source in ("/proc/net/netstat", "/proc/net/snmp"):
        lines = Path(source).read_text().splitlines()
        for names, values in zip(lines[::2], lines[1::2], strict=True):
            prefix, *keys = names.split()
            for key, value in zip(keys, values.split()[1:], strict=True):
                found[prefix + key] = int(value)
    return {name.split(":")[1]: found.get(name, 0) for name in COUNTERS}


def counted(body: Any) -> tuple[Tally, dict[str, int]]:
    """Run one burst (a coroutine); its tally and how much the kernel's counters grew meanwhile."""
    before = kernel_counters()
    tally = asyncio.run(body)
    after = kernel_counters()
    return tally, {name: after[name] - before[name] for name in before}


def get_request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def seeded(voters: int) -> tuple[Path, UUID]:
    """A temporary data dir with `voters` residents (sign-in codes) expected at one open ballot."""
    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-burst-"))

    async def setup(rt: Any) -> UUID:
        meeting_id = seed_ballot(rt, voters)
        await rt.projector.catch_up()
        return meeting_id

    return data_dir, asyncio.run(with_runtime(data_dir, setup))


def votes_written(data_dir: Path) -> int:
    counts = count_votes(data_dir)
    return counts["cast"] + counts["changed"]


def lost_doubled(logged: int, tally: Tally) -> dict[str, int]:
    acknowledged = sum(n for status, n in tally.statuses.items() if status < 400)
    return {
        "acknowledged": acknowledged,
        "doubled": max(0, logged - acknowledged),
        "lost": max(0, acknowledged - logged),
    }


class Ballot:
    """One ballot and the sessions of the voters a server's bursts use: a first vote (Vote.Cast), then a changed
    one (Vote.Changed), so that every vote acknowledged writes one event."""

    def __init__(self, data_dir: Path, meeting_id: UUID, sessions: list[tuple[dict[str, str], str]]) -> None:
        self.data_dir, self.meeting_id, self.sessions = data_dir, meeting_id, sessions

    def votes(self, choice: str) -> list[bytes]:
        requests = []
        for cookies, token in self.sessions:
            cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
            body = f"choice={choice}&_csrf_token={token}"
            requests.append(form_request(f"/meetings/{self.meeting_id}/vote", body, cookie, token))
        return requests


async def sign_in(port: int, codes: range, connections: int = 16) -> list[tuple[dict[str, str], str]]:
    """A session (cookies, CSRF token) per one-time code "bench-<k>" of `seed_ballot`, over `connections` keep-alive
    connections (a minimal client: an httpx client per phone cost more than the sign-ins)."""
    sessions: dict[int, tuple[dict[str, str], str]] = {}
    queue = list(reversed(codes))

    async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> tuple[int, bytes]:
        writer.write(raw)
        return await asyncio.wait_for(read_answer(reader), TIMEOUT)

    def cookies_set(head: bytes, cookies: dict[str, str]) -> dict[str, str]:
        for name, value in re.findall(rb"(?im)^set-cookie: *([^=]+)=([^;\r]*)", head):
            cookies[name.decode()] = value.decode()
        return cookies

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                k = queue.pop()
                path = f"/signin/code/bench-{k}"
                _, head = await ask(reader, writer, get_request(path))
                cookies = cookies_set(head, {})
                cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
                token = cookies["csrftoken"]
                status, head = await ask(reader, writer, form_request(path, f"_csrf_token={token}", cookie, token))
                assert status == 303, status
                cookies = cookies_set(head, cookies)
                sessions[k] = cookies, cookies["csrftoken"]
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return [sessions[k] for k in codes]


def voted(ballot: Ballot, body: Any) -> dict[str, Any]:
    """One vote burst (a coroutine), with the votes it wrote to the log against those acknowledged."""
    before = votes_written(ballot.data_dir)
    started = time.perf_counter()
    tally, kernel = counted(body)
    seconds = time.perf_counter() - started
    logged = votes_written(ballot.data_dir) - before
    return {**tally.summary(), "logged": logged, **lost_doubled(logged, tally), "seconds": seconds, **kernel}


def bursts(port: int, ballot: Ballot, idle: float, spread: float) -> dict[str, Any]:
    """The three bursts against the server on `port`."""
    requests = len(ballot.sessions)
    votes = voted(ballot, fresh(port, ballot.votes("yes")))
    health, health_kernel = counted(fresh(port, [get_request("/healthz")] * requests))
    pages = [get_request("/healthz")] * requests
    again = voted(ballot, reused(port, pages, ballot.votes("no"), idle, spread))
    return {"votes": votes, "healthz": {**health.summary(), **health_kernel}, "reused": again}


def serve(data_dir: Path, workers: int, keep_alive: float | None) -> tuple[int, Any]:
    """`linli serve` on a free port; with `keep_alive`, its keep-alive timeout set so (the baseline)."""
    port = free_port()
    env = {
        "LINLI_DATA_DIR": str(data_dir),
        "LINLI_DATABASE_URL": "",
        "LINLI_PORT": str(port),
        "LINLI_WORKERS": str(workers),
    }
    command = [str(BIN / "linli"), "serve"]
    if keep_alive is not None:
        patch = f"import sys, backend.cli as c; c.KEEP_ALIVE_SECONDS = {keep_alive}; sys.exit(c.main())"
        command = [str(BIN / "python"), "-c", patch, "serve"]
    return port, start_server(command, env, f"http://127.0.0.1:{port}/healthz")


def bench_burst(
    requests: int, workers: int, idle: float = OLD_KEEP_ALIVE, spread: float = 0.25, baseline: bool = True
) -> dict[str, Any]:
    """The three bursts of `requests` against `linli serve` of `workers` processes as configured now, and first (with
    `baseline`) against the same server with uvicorn's default keep-alive timeout, on the same data (each with
    voters of its own)."""
    runs = (("old", OLD_KEEP_ALIVE), ("now", None)) if baseline else (("now", None),)
    data_dir, meeting_id = seeded(requests * len(runs))
    result: dict[str, Any] = {"requests": requests, "workers": workers, "idle": idle, "spread": spread}
    for n, (label, keep_alive) in enumerate(runs):
        port, server = serve(data_dir, workers, keep_alive)
        try:
            codes = range(n * requests, (n + 1) * requests)
            sessions = asyncio.run(sign_in(port, codes))
            result[label] = bursts(port, Ballot(data_dir, meeting_id, sessions), idle, spread)
        finally:
            stop(server)
    return result


def row(label: str, burst: dict[str, Any], votes: bool) -> str:
    logged = f"{burst['logged']} / {burst['acknowledged']} / {burst['doubled']} / {burst['lost']}" if votes else "—"
    return (
        f"| {label} | {burst['answered']} | {burst['reset']} | {burst['timed_out']} | {burst['refused']} | {logged} "
        f"| {burst['p50']:.0f} / {burst['p99']:.0f} | {burst['ListenOverflows']} | {burst['TCPAbortOnClose']} |"
    )


def report_burst(result: dict[str, Any], command: str) -> str:
    """The result as a Markdown table, one row per burst and server."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"`{command}` — {stamp}, {os.cpu_count()} cores, SQLite, {result['workers']} web process(es); "
        f"{result['requests']} requests per burst, each on its own connection, all started at once; the reused "
        f"connections idle {result['idle']:g} s ± {result['spread']:g} s before their vote.",
        "",
        "| server, burst | answered | reset | timed out | refused | votes logged / acknowledged / doubled / lost "
        "| p50 / p99 (ms) | accept queue overflows | closed with a request unread |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, name in (("old", f"keep-alive {OLD_KEEP_ALIVE:g} s (uvicorn's default)"), ("now", "as configured")):
        if label in result:
            bursts = result[label]
            lines.append(row(f"{name}: fresh POST votes", bursts["votes"], True))
            lines.append(row(f"{name}: fresh GET /healthz", bursts["healthz"], False))
            lines.append(row(f"{name}: votes on kept connections", bursts["reused"], True))
    return "\n".join(lines)


def main(requests: int, workers: int) -> str:
    result = bench_burst(requests, workers)
    print(json.dumps(result, default=str))
    return report_burst(result, f"scripts/bench --burst-only --burst {requests} --workers {workers}")
