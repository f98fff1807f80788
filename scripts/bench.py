"""scripts/bench: co-sign throughput and latency through uvicorn beside a bare Litestar endpoint; a vote burst on
one ballot with websocket clients watching the tally; projection rebuild beside raw decoded log reading; first-load
bytes; server RSS with 100,000 events. SQLite, this machine.

Every number is measured in this run; ratios compare two things measured minutes apart on the same machine."""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.community.domain.community import Community, community_id_for  # noqa: E402
from backend.config import load_settings  # noqa: E402
from backend.kernel.context import Ctx  # noqa: E402
from backend.kernel.zone import LOCAL_ZONE  # noqa: E402
from backend.runtime import Runtime  # noqa: E402
from scripts.bench_kit import (  # noqa: E402
    BIN,
    bench_bare,
    drive,
    free_port,
    process_tree,
    processes,
    rss_kb_of,
    seed,
    sign_in_all,
    start_server,
    stop,
    with_runtime,
)
from scripts.bench_seats import bench_bookings, bench_signups, report_bookings, report_signups  # noqa: E402
from scripts.bench_votes import bench_votes, report_votes, vote_rows  # noqa: E402

# -- data ------------------------------------------------------------------------------------------------


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
    parser.add_argument("--one-table-only", action="store_true", help="only the street's 一表通 over a year")
    parser.add_argument("--one-table-communities", type=int, default=200, help="communities of the street")
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
    if args.one_table_only:  # issue 30: on SQLite, or on PostgreSQL with LINLI_DATABASE_URL set
        from scripts.bench_one_table import bench_one_table, report_one_table

        text = report_one_table(bench_one_table(args.one_table_communities))
        print(text)
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
