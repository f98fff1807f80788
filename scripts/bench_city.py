"""scripts/bench --city (issue 27 item 5): a city's deployment on PostgreSQL — 200 communities, 100,000 residents and
about 1,000,000 events in one log — served by 1, 2 and 3 hosts behind nginx (scripts/cluster.py: the shipped
deploy/ configuration, each host its own `linli serve` with its own data dir and one web process), beside the same
vote burst on SQLite on one host (a data dir, two web processes: the single-host default) and PostgreSQL's own
commits/s (pgbench, the same machine, the same run).

Seeded through the aggregates, many per transaction (setup, not measured): every community founded; its residents
registered and verified with their phones claimed, four to a household; 100 board notices in community 0 and the
rest of `--city-notices` in community 1 (the board of 100 beside the board of 100,000); proposals with 20 co-signs
each until the log holds `--city-events`. The first `--voters` residents of community 0 get one-time sign-in codes
("bench-k", as scripts/bench_kit.py's sign-in takes them) and a residents' meeting with its ballot open expects them.

Measured: the full rebuild (every view reset, then caught up) in events/s; per host count, the vote burst through
the balancer (wrk, each request a vote that changes the voter's choice, so each writes), its p99, and how many
votes the log gained against how many were acknowledged; the board with 100 and with 100,000 notices and the
proposal list, through one host, beside a bare Litestar GET; each host's RSS after its burst."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from backend.community.domain.community import Community, community_id_for
from backend.community.domain.rules import VOTE_RULES
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.proposal import Proposal
from backend.deliberation.domain.rules import Body, Outcome
from backend.disclosure.domain.notice import Notice, Terms
from backend.kernel.context import Ctx
from backend.residents.commands import hasher, phone_claim_id, signin_code_id
from backend.residents.domain.household import Household
from backend.residents.domain.phone_claim import PhoneClaim
from backend.residents.domain.resident import Resident
from backend.residents.domain.signin_code import SignInCode
from backend.runtime import Runtime
from scripts.bench_kit import BIN, PASSWORD, code_sign_in_all, drive, free_port, percentile, start_server, stop
from scripts.bench_votes import bench_votes
from scripts.cluster import PG_URL, Cluster, cluster_env, drop_schemas

COSIGNS = 20
SAVE_EVERY = 400


class Saver:
    """Aggregates saved many to a transaction, counting the events they hold."""

    def __init__(self, rt: Runtime) -> None:
        self.rt, self.batch, self.events = rt, [], 0

    def add(self, *aggregates: Any) -> None:
        self.batch += aggregates
        if len(self.batch) >= SAVE_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.events += sum(len(a.pending_events) for a in self.batch)
            self.rt.store.save(*self.batch)
            self.batch = []


def seed_city(rt: Runtime, args: argparse.Namespace) -> dict[str, Any]:
    now = datetime.now(UTC)
    saver = Saver(rt)
    password_hash = hasher.hash(PASSWORD)
    per_community = args.city_residents // args.city_communities
    members: dict[int, list[UUID]] = {}
    voters: list[Resident] = []
    for c in range(args.city_communities):
        cid = community_id_for(f"city{c}")
        ctx = Ctx(cid, None, now - timedelta(days=400))
        community = Community.found(ctx, f"城市社区{c}", f"city{c}")
        community.set_rule(ctx, "cosign_threshold", 10_000, now.date())
        saver.add(community)
        members[c] = []
        household = None
        for n in range(max(per_community, args.voters) if c == 0 else per_community):  # every voter in community 0
            if n % 4 == 0:
                household = Household.register(ctx, f"{n // 40 + 1}栋", "", f"{n // 4 % 10 + 1}01室", "")
                saver.add(household)
            rid = uuid4()
            phone = f"13{c:03d}{n:06d}"
            resident = Resident.register(
                ctx,
                rid,
                household,
                rt.personal.seal(rid, f"居民{c}-{n}"),
                rt.personal.seal(rid, phone),
                "",
                password_hash,
            )
            resident.verify(ctx)
            claim = PhoneClaim.start(PhoneClaim.Claimed, ctx, phone_claim_id(rt, phone), resident_id=rid)
            saver.add(resident, claim)
            members[c].append(rid)
            if c == 0 and n < args.voters:
                voters.append(resident)
    saver.flush()
    cid0 = community_id_for("city0")
    ctx0 = Ctx(cid0, None, now)
    codes = [
        SignInCode.issue(ctx0, signin_code_id(rt, f"bench-{k}"), r, now + timedelta(days=1))
        for k, r in enumerate(voters)
    ]
    matter = Matter.open(ctx0, uuid4(), "城市压测表决", "压测用的事项。", None, False)
    for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING):
        matter.record(ctx0, body, Outcome.PASSED, uuid4())
    rule = VOTE_RULES[Body.RESIDENTS_MEETING]
    ids = [r.id for r in voters]
    meeting = Meeting.schedule(ctx0, uuid4(), matter, Body.RESIDENTS_MEETING, "广场", now, "同意", ids, 0, rule)
    meeting.open_ballot(ctx0)
    for code in codes:
        saver.add(code)
    saver.add(matter, meeting)
    terms = Terms(review_required=False)
    start = now - timedelta(days=365)
    sizes = {0: min(100, args.city_notices), 1: max(0, args.city_notices - 100)}
    for c, count in sizes.items():
        cid = community_id_for(f"city{c}")
        step = timedelta(days=365) / max(count, 1)
        for n in range(count):
            ctx = Ctx(cid, None, start + step * n)
            notice = Notice.draft_new(
                ctx, uuid4(), ("party", "affairs", "finance")[n % 3], f"公告第 {n} 号", "内容。" * 40
            )
            notice.publish(ctx, terms)
            saver.add(notice)
    saver.flush()
    proposals = 0
    while saver.events < args.city_events:
        c = proposals % args.city_communities
        people = members[c]
        author = people[proposals // args.city_communities % len(people)]
        cid = community_id_for(f"city{c}")
        proposal = Proposal.submit(
            Ctx(cid, author, now), uuid4(), f"议题 {proposals}", "压测用的议题说明。" * 5, "other", [], 10_000
        )
        for k in range(COSIGNS):
            signer = people[(proposals + 1 + k) % len(people)]
            if signer != author:
                proposal.cosign(Ctx(cid, signer, now), signer)
        saver.add(proposal)
        proposals += 1
        if proposals % 50 == 0:
            saver.flush()
    saver.flush()
    return {"meeting_id": meeting.id, "events": rt.event_count(), "proposals": proposals, "voters": ids}


def choices(prefix: str, meeting_id: UUID) -> dict[str, str]:
    """Each voter's current choice, from the views (caught up: the burst's answers waited for nothing)."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as db:
        rows = db.execute(
            f'SELECT resident_id, choice FROM "{prefix}_views".meeting_vote WHERE meeting_id = %s', (meeting_id,)
        ).fetchall()
    return {str(resident): choice for resident, choice in rows}


def vote_lines(
    meeting_id: UUID, sessions: list[tuple[dict[str, str], str]], voters: list[UUID], now: dict
) -> list[str]:
    """Every voter twice, a list's length apart: first the choice they do not hold, then the one they do, so that
    every request wrk replays (round and round) changes a vote and writes an event."""
    other = {"yes": "no", "no": "yes"}
    lines: list[str] = []
    for turn in (0, 1):
        for (cookies, token), voter in zip(sessions, voters, strict=True):
            held = now.get(str(voter), "no")
            choice = other[held] if turn == 0 else held
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            lines.append(f"POST\t/meetings/{meeting_id}/vote\t{cookie}\tchoice={choice}&_csrf_token={token}\t{token}")
    return lines


def sizes_mb(prefix: str) -> dict[str, float]:
    """The log's and the views' size on disk (tables, indexes, TOAST), per schema."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as db:
        rows = db.execute(
            "SELECT n.nspname, sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE %s AND c.relkind = 'r' "
            "GROUP BY n.nspname",
            (f"{prefix}\\_%",),
        ).fetchall()
    return {schema.removeprefix(prefix + "_"): round(int(size) / 2**20, 1) for schema, size in rows}


def votes_in_log(settings_prefix: str) -> int:
    """Votes cast or changed in the log (a count in the database: a scan of a million events would take long)."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as db:
        (table,) = db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_name LIKE %s",
            (f"{settings_prefix}_events", "%_events"),
        ).fetchone()
        row = db.execute(
            f'SELECT count(*) FROM "{settings_prefix}_events"."{table}" WHERE topic LIKE %s OR topic LIKE %s',
            ("%Vote.Cast", "%Vote.Changed"),
        ).fetchone()
    return int(row[0])


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]


def pgbench(seconds: int) -> dict[str, float]:
    """PostgreSQL's own commits/s on this machine: pgbench's TPC-B-like transaction (five statements, one commit),
    16 clients, in a database of its own, dropped afterwards."""
    import psycopg

    name = f"linli_pgbench_{os.getpid()}"
    with psycopg.connect(PG_URL, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
        subprocess.run(["pgbench", "-q", "-i", "-s", "10", url], check=True, capture_output=True)
        out = subprocess.run(
            ["pgbench", "-c", "16", "-j", "2", "-T", str(seconds), url], check=True, capture_output=True, text=True
        ).stdout
        tps = float(re.search(r"tps = ([\d.]+)", out).group(1))  # type: ignore[union-attr]
        latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))  # type: ignore[union-attr]
        return {"tps": tps, "latency_ms": latency}
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')


def bench_city(args: argparse.Namespace) -> dict[str, Any]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    work = Path(tempfile.mkdtemp(prefix="linli-city-"))
    prefix = f"city{os.getpid()}"
    env = cluster_env(prefix, secrets.token_urlsafe(48))
    found: dict[str, Any] = {"hosts": {}}
    cluster = Cluster(env, prefix, work, UUID(int=0))
    try:

        async def setup() -> dict[str, Any]:
            rt = Runtime(cluster.settings(work / "seed"))
            await rt.start(run_projector=False)
            try:
                started = time.perf_counter()
                seeded = seed_city(rt, args)
                seeded["seed_seconds"] = time.perf_counter() - started
                started = time.perf_counter()
                await rt.projector.catch_up()
                seeded["first_build_seconds"] = time.perf_counter() - started
                names = [p.name for p in rt.projector.projections]
                await rt.projector.reset(names)
                started = time.perf_counter()
                await rt.projector.catch_up()
                seeded["rebuild_eps"] = seeded["events"] / (time.perf_counter() - started)
                return seeded
            finally:
                await rt.stop()

        print(f"seeding {args.city_events:,} events on PostgreSQL…", flush=True)
        found["seed"] = asyncio.run(setup())
        cluster.meeting_id = found["seed"]["meeting_id"]
        voters = found["seed"].pop("voters")
        found["sizes_mb"] = sizes_mb(prefix)
        print(f"seeded: {found['seed']}, {found['sizes_mb']} MB", flush=True)
        with __import__("psycopg").connect(PG_URL, autocommit=True) as db:  # the statistics autovacuum would make
            db.execute("ANALYZE")
        sessions: list[tuple[dict[str, str], str]] = []
        for count in (1, 2, 3):
            cluster.up(count, nginx)
            try:
                if not sessions:  # the sessions are in the database: signed in once, good on every host
                    sessions = asyncio.run(code_sign_in_all(cluster.balancer, args.voters))
                    found["pages"] = pages(cluster.hosts[0].base, args)
                    print(f"pages: {found['pages']}", flush=True)  # each part as it comes: a long run's figures kept
                time.sleep(2)  # the last burst's votes projected
                lines = vote_lines(cluster.meeting_id, sessions, voters, choices(prefix, cluster.meeting_id))
                before = votes_in_log(prefix)
                burst = drive(cluster.balancer, lines, args.concurrency, args.seconds)
                time.sleep(1)
                burst["log_votes"] = votes_in_log(prefix) - before
                burst["rss_mb"] = [round(rss_mb(h.process.pid), 1) for h in cluster.hosts if h.process]  # type: ignore[union-attr]
                found["hosts"][count] = burst
                print(f"{count} host(s): {burst}", flush=True)
            finally:
                cluster.down()
    finally:
        cluster.down()
        drop_schemas(prefix)
        shutil.rmtree(work, ignore_errors=True)
    found["pgbench"] = pgbench(args.seconds)
    print(f"pgbench: {found['pgbench']}", flush=True)
    print("the same vote burst on SQLite, one host…", flush=True)
    url = os.environ.pop("LINLI_DATABASE_URL", None)  # bench_votes (and its server) would take PostgreSQL from it
    try:
        found["sqlite"] = bench_votes(args.seconds, args.concurrency, args.voters, 0, 0)
    finally:
        if url is not None:
            os.environ["LINLI_DATABASE_URL"] = url
    return found


def pages(base: str, args: argparse.Namespace) -> dict[str, Any]:
    """The board of 100 and of 100,000 notices and the proposal list through one host, and a bare GET."""
    measured = {
        "board_100": drive(base, ["GET\t/board?community=city0\t\t\t"], args.concurrency, args.seconds),
        "board_big": drive(base, ["GET\t/board?community=city1\t\t\t"], args.concurrency, args.seconds),
        "proposals": drive(base, ["GET\t/proposals?community=city2\t\t\t"], args.concurrency, args.seconds),
    }
    port = free_port()
    bare = f"http://127.0.0.1:{port}"
    server = start_server(
        [str(BIN / "uvicorn"), "scripts.bench_bare:app", "--port", str(port), "--log-level", "warning"],
        {},
        bare + "/bare",
    )
    try:
        measured["bare"] = drive(bare, ["GET\t/bare\t\t\t"], args.concurrency, args.seconds)
    finally:
        stop(server)
    return measured


def report_city(found: dict[str, Any], args: argparse.Namespace) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    seed, pg = found["seed"], found["pgbench"]
    rows = [
        f"### City scale (`scripts/bench --city`), {when}",
        "",
        f"{args.city_communities} communities, {args.city_residents:,} residents, {seed['events']:,} events "
        f"({seed['proposals']:,} proposals with {COSIGNS} co-signs, {args.city_notices:,} notices) on PostgreSQL; "
        f"{args.voters:,} voters, wrk at concurrency {args.concurrency} for {args.seconds} s through nginx; "
        f"each host one web process. PostgreSQL's own pgbench (TPC-B-like, 16 clients): {pg['tps']:,.0f} "
        f"transactions/s, {pg['latency_ms']:.1f} ms average. On disk (MB, tables with their indexes): "
        f"{', '.join(f'{k} {v:,}' for k, v in sorted(found['sizes_mb'].items()))}.",
        "",
        "| measure | figure | against |",
        "|---|---|---|",
        f"| full rebuild, events/s (every view) | {seed['rebuild_eps']:,.0f} | "
        f"first build {seed['first_build_seconds']:.0f} s |",
    ]
    for count, burst in found["hosts"].items():
        acknowledged = burst["requests"] - burst["non2xx"]
        rows.append(
            f"| vote burst, {count} host(s): votes/s, p50 / p99 ms | {burst['rps']:,.0f}, {burst['p50']:.1f} / "
            f"{burst['p99']:.1f} | {burst['rps'] / pg['tps']:.2f} of pgbench's commits/s; "
            f"acknowledged {acknowledged:,}, "
            f"in the log {burst['log_votes']:,} (more: requests in flight when wrk stopped; fewer: lost); "
            f"RSS per host {', '.join(str(m) for m in burst['rss_mb'])} MB |"
        )
    sqlite = found["sqlite"]
    rows.append(
        f"| vote burst, SQLite, one host (2 web processes) | {sqlite['rps']:,.0f}, {sqlite['p50']:.1f} / "
        f"{sqlite['p99']:.1f} | cast {sqlite['cast']:,}, changed {sqlite['changed']:,} |"
    )
    p, bare = found["pages"], found["pages"]["bare"]["rps"]
    for key, label in (
        ("board_100", "board, 100 notices"),
        ("board_big", f"board, {args.city_notices - 100:,} notices"),
        ("proposals", "proposal list"),
    ):
        rows.append(
            f"| {label}, req/s, one host, p99 ms | {p[key]['rps']:,.0f}, {p[key]['p99']:.1f} | "
            f"{p[key]['rps'] / bare:.2f} of a bare GET {bare:,.0f} |"
        )
    return "\n".join(rows)


__all__ = ["bench_city", "percentile", "report_city"]
