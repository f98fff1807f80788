"""`scripts/bench --signedin-only`: the pages residents read signed in — the disclosure board, the proposal list, a
proposal's page and the board as of past moments (time travel) — beside a bare Litestar GET in the same run (issue 27
item 6: each page ≥ 30 % of the bare endpoint's req/s, time travel p95 ≤ 50 ms).

One community of `READERS` residents signed in with one-time codes (each a session and a CSRF cookie of their own),
`--signedin-notices` notices spread over the past year and `PROPOSALS` proposals with co-signs. wrk asks for whole
pages as a browser does (bench_wrk.lua with "page": no HX-Request), the readers in turn. Time travel asks for 2,000
distinct past moments, a minute apart at least, signed in and not. One more row asks for the board with a query of
its own each time, so that every request renders it (what the first reader of each minute gets).

With LINLI_DATABASE_URL set (a PostgreSQL URL) the log and the views live there, in fresh schemas
(`benchsigned<pid>_…`) dropped afterwards; otherwise SQLite in a temporary data dir."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx

from backend.deliberation.domain.proposal import Proposal
from backend.disclosure.domain.notice import Notice, Terms
from backend.kernel.context import Ctx
from backend.kernel.rounds import EVERY_SECONDS
from backend.kernel.zone import LOCAL_ZONE
from backend.runtime import Runtime
from scripts.bench_casework import analyze, code_sign_in, database_label, database_url, drop_schemas, with_runtime
from scripts.bench_home import _caught_up

ROOT = Path(__file__).resolve().parent.parent
READERS = 50  # residents signed in, asking in turn
PROPOSALS, COSIGNS = 60, 40
MOMENTS = 2_000
TRIES = 3  # runs of one page at most, when a web process was left without its share of the connections


async def seed(rt: Runtime, notices: int) -> tuple[int, list[UUID]]:
    """The community ("bench"), its residents with sign-in codes "bench-<n>", the notices and the proposals; the
    number of events written and the proposals' ids."""
    from scripts.bench_kit import seed_with_codes

    cid, ids = seed_with_codes(rt, READERS + COSIGNS + 10)
    now = datetime.now(UTC)
    start = now - timedelta(days=365)
    step = timedelta(days=365) / max(notices, 1)
    batch: list[Any] = []
    for n in range(notices):
        ctx = Ctx(cid, None, start + step * n)
        notice = Notice.draft_new(ctx, uuid4(), ("party", "affairs", "finance")[n % 3], f"公告第 {n} 号", "内容。" * 40)
        notice.publish(ctx, Terms(review_required=False))
        batch.append(notice)
        if len(batch) == 1000:
            rt.store.save(*batch)
            batch = []
    proposal_ids = []
    for n in range(PROPOSALS):
        author = ids[READERS + n % 10]  # not a reader: every reader may co-sign every proposal
        proposal = Proposal.submit(
            Ctx(cid, author, now), uuid4(), f"议题 {n}", "压测用的议题说明。" * 5, "other", [], 10_000
        )
        for k in range(COSIGNS):
            signer = ids[READERS + 10 + k] if READERS + 10 + k < len(ids) else ids[k]
            proposal.cosign(Ctx(cid, signer, now), signer)
        batch.append(proposal)
        proposal_ids.append(proposal.id)
    rt.store.save(*batch)
    return rt.store.recorder.max_notification_id() or 0, proposal_ids


def pages(base: str, lines: list[str], concurrency: int, seconds: int, compared: bool = False) -> dict[str, Any]:
    """wrk (one thread) replaying "PATH\\tCOOKIE" lines as whole-page GETs for `seconds`, with how its connections
    were spread over the web processes ("split", sampled half-way).

    `compared`: a row of the ratio to the bare GET, measured as the bare GET is. The processes share one listening
    socket, and whichever wakes first may accept every connection wrk opens at once: one process then serves them
    all, at about half the rate of two (a bare GET: ~11,000 req/s against ~21,000 on an idle machine), and the ratio
    came out of which runs happened to be lopsided. Such a run is measured again (TRIES at most; the most even one
    kept). Each line is asked for once first: the readers have read their page before (a kept page is rendered once
    a minute for its reader; rendering fifty at once is the "rendered every time" row, not this one)."""
    if compared:
        with httpx.Client(base_url=base, timeout=60) as client:
            for line in dict.fromkeys(lines):
                path, cookie = line.split("\t")
                client.get(path, headers={"Cookie": cookie} if cookie else {})
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as listing:  # bench_wrk.lua's lines
        listing.write("\n".join(f"GET\t{line}\t\t" for line in lines) + "\n")
    lua = str(ROOT / "scripts" / "bench_wrk.lua")
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "-s", lua, base, "--", listing.name, "1", "page"]
    processes = int(os.environ.get("LINLI_WORKERS", "1"))
    tries: list[dict[str, Any]] = []
    for _ in range(TRIES if compared else 1):
        wrk = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        time.sleep(seconds / 2)
        split = connections_per_process(int(base.rsplit(":", 1)[1]))
        out = wrk.communicate()[0]
        if wrk.returncode:
            raise subprocess.CalledProcessError(wrk.returncode, command, out)
        result = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
        result["rps"] = result["requests"] / result["seconds"]
        result["split"] = split + [0] * (processes - len(split))
        tries.append(result)
        if not split or min(result["split"]) >= concurrency / processes / 2:  # each process has half its share
            break
    os.unlink(listing.name)
    best = min(tries, key=lambda r: max(r["split"]) - min(r["split"]))
    best["tries"] = len(tries)
    return best


def connections_per_process(port: int) -> list[int]:
    """The established connections to `port` of each process holding some, most first ([] without `ss`)."""
    try:
        out = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True
        ).stdout
    except FileNotFoundError:
        return []
    counts = Counter(re.findall(r"pid=(\d+)", out))
    return sorted(counts.values(), reverse=True)


def settled(base: str, limit: float = 120.0) -> None:
    """Until the log has not grown for a round of the timed passes (backend.kernel.rounds) and a bit: the rounds
    after start-up sign a checkpoint of the seeded log (three events), and an event projected in the middle of a
    measured row makes every reader's kept page stale at once — fifty renderings in that row only."""
    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        events = httpx.get(base + "/healthz", timeout=30).json()["events"]
        if events != last:
            last, since = events, time.monotonic()
        elif time.monotonic() - since > EVERY_SECONDS + 2:
            return
        time.sleep(1)


def moments(count: int) -> list[str]:
    """`count` distinct past minutes, 17 minutes apart (the last ~23 days), as the board's `at` takes them."""
    now = datetime.now(LOCAL_ZONE)
    return [(now - timedelta(minutes=17 * k + 5)).strftime("%Y-%m-%dT%H:%M") for k in range(count)]


def bench_signedin(seconds: int, concurrency: int, notices: int, tools: dict[str, Any]) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-signedin-"))
    schema = f"benchsigned{os.getpid()}"
    found: dict[str, Any] = {"database": database_label(), "workers": os.environ.get("LINLI_WORKERS", "1")}
    try:
        events, proposal_ids = asyncio.run(with_runtime(data_dir, schema, lambda rt: seed(rt, notices)))
        found["events"] = events
        port = tools["free_port"]()
        base = f"http://127.0.0.1:{port}"
        env = {"LINLI_DATA_DIR": str(data_dir), "LINLI_PORT": str(port), "LINLI_SIGNIN_PER_MINUTE": "100000"}
        if database_url():
            env |= {"LINLI_DATABASE_URL": database_url(), "LINLI_PG_SCHEMA": schema}
        server = tools["start_server"]([str(tools["BIN"] / "linli"), "serve"], env, base + "/healthz")
        try:
            _caught_up(base, events)
            analyze(schema)
            cookies = asyncio.run(code_sign_in(base, [f"bench-{k}" for k in range(READERS)]))
            proposal = f"/proposals/{proposal_ids[1]}"
            for name, path in (("board", "/board"), ("proposals", "/proposals"), ("proposal", proposal)):
                page = httpx.get(base + path, headers={"Cookie": cookies[0]}, timeout=30)
                assert page.status_code == 200 and "data-outbox-who" in page.text, (path, page.status_code)  # signed in
                found[f"bytes {name}"] = len(page.content)

            settled(base)

            def each(path: str) -> list[str]:
                return [f"{path}\t{cookie}" for cookie in cookies]

            found["board"] = pages(base, each("/board"), concurrency, seconds, compared=True)
            found["proposals"] = pages(base, each("/proposals"), concurrency, seconds, compared=True)
            found["proposal"] = pages(base, each(proposal), concurrency, seconds, compared=True)
            past = moments(MOMENTS)
            travel = [f"/board?at={m}\t{cookies[k % READERS]}" for k, m in enumerate(past)]
            found["travel"] = pages(base, travel, concurrency, seconds)
            found["travel_anonymous"] = pages(
                base, [f"/board?community=bench&at={m}\t" for m in past], concurrency, seconds
            )
            rendered = [f"/board?n={n}\t{cookies[n % READERS]}" for n in range(100_000)]
            found["rendered"] = pages(base, rendered, concurrency, seconds)
        finally:
            tools["stop"](server)
        port = tools["free_port"]()
        base = f"http://127.0.0.1:{port}"
        server = tools["start_server"](
            [str(tools["BIN"] / "uvicorn"), "scripts.bench_bare:app", "--port", str(port), "--log-level", "warning",
             "--workers", found["workers"]],
            {},
            base + "/bare",
        )  # fmt: skip
        try:
            found["bare"] = pages(base, ["/bare\t"], concurrency, seconds, compared=True)
        finally:
            tools["stop"](server)
    finally:
        drop_schemas(schema)
        shutil.rmtree(data_dir, ignore_errors=True)  # ~30 MB a run
    return found


ROWS = [
    ("board", "board `/board`"),
    ("proposals", "proposal list `/proposals`"),
    ("proposal", "a proposal's page `/proposals/<id>`"),
    ("travel", "time travel `/board?at=…`, signed in"),
    ("travel_anonymous", "time travel `/board?community=bench&at=…`, anonymous"),
    ("rendered", "board with a query of its own each time (rendered every time)"),
    ("bare", "bare GET"),
]


def report_signedin(result: dict[str, Any], args: Any) -> str:
    bare, database = result["bare"], result["database"]
    url = "LINLI_DATABASE_URL=… " if database == "PostgreSQL" else ""
    lines = [
        f"#### Signed-in pages — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {database}, "
        f"{result['workers']} web process(es)",
        "",
        f"`{url}scripts/bench --signedin-only --seconds {args.seconds} --concurrency {args.concurrency} "
        f"--signedin-notices {args.signedin_notices}`: {READERS} residents signed in ask in turn for whole pages "
        f"(no HX-Request); {args.signedin_notices:,} notices over the past year, {PROPOSALS} proposals with "
        f"{COSIGNS} co-signs each ({result['events']:,} events); time travel over {MOMENTS:,} distinct past "
        "moments; beside a bare Litestar GET in the same run (issue 27 item 6: ≥ 0.30, time travel p95 ≤ 50 ms).",
        "",
        "| page | req/s | ratio to bare | p50 / p95 / p99 (ms) | non-2xx | connections per process (runs) |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in ROWS:
        r = result[key]
        lines.append(
            f"| {label} | {r['rps']:.0f} | {r['rps'] / bare['rps']:.2f} | {r['p50']:.1f} / {r['p95']:.1f} / "
            f"{r['p99']:.1f} | {r['non2xx'] + r['socket_errors']} | {' / '.join(map(str, r['split']))} ({r['tries']}) |"
        )
    return "\n".join(lines)


def main(args: Any, tools: dict[str, Any]) -> str:
    print(f"signed-in pages ({args.signedin_notices:,} notices, {database_label()})…", flush=True)
    result = bench_signedin(args.seconds, args.concurrency, args.signedin_notices, tools)
    print(json.dumps(result, default=str))
    return report_signedin(result, args)
