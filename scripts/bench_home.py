"""`scripts/bench --home-only`: the home page (首页, `GET /`) of a resident with 100 open items, beside a bare Litestar
GET in the same run (issue 23: ≥ 30 % of the bare endpoint's req/s).

The resident's 100 items: 40 residents' meetings whose online ballot is open and expects them (to vote in), 10
sittings they are called to (no ballot yet), 30 volunteering shifts tomorrow they hold a seat on (through the
volunteering command, as a sign-up would) and 20 service bookings tomorrow (the most a service lets one resident
book in a week, through the services command). Around them, 200 other residents of the community.

With LINLI_DATABASE_URL set (a PostgreSQL URL) the log and the views live there, in fresh schemas
(`benchhome<pid>_…`) dropped afterwards; otherwise SQLite in a temporary data dir."""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from backend.community.domain.rules import VOTE_RULES
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.rules import Body, Outcome
from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from backend.runtime import Runtime
from backend.services import commands as services
from backend.services.domain.provider import Provider
from backend.services.domain.rules import BookingRules
from backend.services.domain.schedule import Schedule
from backend.services.domain.service import Service
from backend.volunteering import commands as volunteering
from backend.volunteering.domain.activity import Activity, ActivityTerms
from backend.volunteering.domain.team import Team
from scripts.bench_casework import code_sign_in, database_label, database_url, drop_schemas, with_runtime

BALLOTS, SITTINGS, SHIFTS, BOOKINGS = 40, 10, 30, 20
NEIGHBOURS = 200


def _tomorrow(now: datetime, hour: int, minute: int = 0) -> datetime:
    day = (now.astimezone(LOCAL_ZONE) + timedelta(days=1)).date()
    return datetime.combine(day, clock(hour, minute), LOCAL_ZONE)


async def seed(rt: Runtime) -> int:
    """The community, the resident ("bench-0", a sign-in code) and their 100 items; the number of events written."""
    from scripts.bench_kit import seed_with_codes

    cid, ids = seed_with_codes(rt, NEIGHBOURS + 1)
    me, now = ids[0], datetime.now(UTC)
    ctx = Ctx(cid, None, now)
    rule = VOTE_RULES[Body.RESIDENTS_MEETING]
    made: list[Any] = []
    for n in range(BALLOTS + SITTINGS):
        matter = Matter.open(ctx, uuid4(), f"压测事项 {n}", "压测用的事项。", None, False)
        for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING):
            matter.record(ctx, body, Outcome.PASSED, uuid4())
        starts = now + timedelta(hours=n + 1)
        meeting = Meeting.schedule(ctx, uuid4(), matter, Body.RESIDENTS_MEETING, "广场", starts, "同意", ids, 0, rule)
        if n < BALLOTS:
            meeting.open_ballot(ctx)
        made += [matter, meeting]
    rt.store.save(*made)
    team = Team.found(ctx, uuid4(), "压测服务队", "")
    terms = ActivityTerms("压测活动", "压测用的活动。", "活动室", "other", "全体居民", offer_hours=0)
    times = [(_tomorrow(now, 0, 0) + timedelta(minutes=30 * k),) * 2 for k in range(SHIFTS)]
    times = [(start, start + timedelta(minutes=25)) for start, _ in times]
    activity, shifts = Activity.create(ctx, uuid4(), team, terms, times, 5)
    activity.publish(ctx, team)
    provider = Provider.create(ctx, uuid4(), "压测服务方", "")
    service = Service.create(ctx, uuid4(), provider, "压测服务", "other", "压测用的服务。", BookingRules(0, 0, 20))
    day = _tomorrow(now, 0).date()
    schedule = Schedule(day, 1, frozenset({day.weekday()}), clock(16), clock(23, 30), 20, 5, "活动室")
    slots = service.publish(ctx, provider, schedule)[:BOOKINGS]
    rt.store.save(team, activity, *shifts, provider, service, *slots)
    mine = Ctx(cid, me, now)
    for shift in shifts:
        await volunteering.sign_up(rt, mine, shift.id)
    for slot in slots:
        await services.book(rt, mine, slot.id)
    return rt.store.recorder.max_notification_id() or 0


def bench_home(seconds: int, concurrency: int, tools: dict[str, Any]) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-home-"))
    schema = f"benchhome{os.getpid()}"
    try:
        events = asyncio.run(with_runtime(data_dir, schema, seed))
        port = tools["free_port"]()
        base = f"http://127.0.0.1:{port}"
        env = {"LINLI_DATA_DIR": str(data_dir), "LINLI_PORT": str(port), "LINLI_SIGNIN_PER_MINUTE": "100000"}
        if database_url():
            env |= {"LINLI_DATABASE_URL": database_url(), "LINLI_PG_SCHEMA": schema}
        server = tools["start_server"]([str(tools["BIN"] / "linli"), "serve"], env, base + "/healthz")
        try:
            _caught_up(base, events)
            [cookie] = asyncio.run(code_sign_in(base, ["bench-0"]))
            page = httpx.get(base + "/", headers={"Cookie": cookie}, timeout=30)
            items = page.text.count('class="card home-item ')
            assert page.status_code == 200 and items >= 100, (page.status_code, items)
            home = tools["drive"](base, [f"GET\t/\t{cookie}\t\t"], concurrency, seconds)
            # Each request a query of its own: no kept copy (backend/web/kept.py), the page rendered every time.
            lines = [f"GET\t/?n={n}\t{cookie}\t\t" for n in range(100_000)]
            rendered = tools["drive"](base, lines, concurrency, seconds)
        finally:
            tools["stop"](server)
        port = tools["free_port"]()
        base = f"http://127.0.0.1:{port}"
        workers = os.environ.get("LINLI_WORKERS", "1")
        server = tools["start_server"](
            [str(tools["BIN"] / "uvicorn"), "scripts.bench_bare:app", "--port", str(port), "--log-level", "warning",
             "--workers", workers],
            {},
            base + "/bare",
        )  # fmt: skip
        try:
            bare = tools["drive"](base, ["GET\t/bare\t\t\t"], concurrency, seconds)
        finally:
            tools["stop"](server)
    finally:
        drop_schemas(schema)
    return {"home": home, "rendered": rendered, "bare": bare, "items": items, "bytes": len(page.content),
            "database": database_label(), "workers": workers, "events": events}  # fmt: skip


def _caught_up(base: str, events: int, limit: float = 120.0) -> None:
    """Until every view has applied the seeded log (the home reads the views): each projection's position at the
    log's last event."""
    import time

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        health = httpx.get(base + "/healthz", timeout=30).json()
        if health["events"] >= events and min(health["projections"].values(), default=0) >= events:
            return
        time.sleep(0.5)
    raise SystemExit("the views did not catch up with the seeded log")


def report_home(result: dict[str, Any], args: Any) -> str:
    home, rendered, bare, database = result["home"], result["rendered"], result["bare"], result["database"]
    url = "LINLI_DATABASE_URL=… " if database == "PostgreSQL" else ""
    return "\n".join(
        [
            f"### The home page — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {database}, "
            f"{result['workers']} web process(es)",
            "",
            f"`{url}scripts/bench --home-only --seconds {args.seconds} --concurrency {args.concurrency}`: `GET /` for "
            f"a signed-in resident with {result['items']} open items ({BALLOTS} ballots to vote in, {SITTINGS} "
            f"sittings, {SHIFTS} shifts and {BOOKINGS} bookings tomorrow; {NEIGHBOURS} neighbours; "
            f"{result['events']:,} events), a page of {result['bytes']:,} bytes, beside a bare Litestar GET in the "
            "same run (issue 23's bar: ≥ 0.30). The home is a kept page (backend/web/kept.py): sent again to its "
            "reader until an event is projected or the minute turns; the second row asks with a query of its own each "
            "time, so every request renders it.",
            "",
            "| endpoint | req/s | ratio to bare | p50 / p95 / p99 (ms) |",
            "|---|---|---|---|",
            f"| home, {result['items']} items | {home['rps']:.0f} | {home['rps'] / bare['rps']:.2f} | "
            f"{home['p50']:.1f} / {home['p95']:.1f} / {home['p99']:.1f} |",
            f"| home, rendered each time (a query of its own) | {rendered['rps']:.0f} | "
            f"{rendered['rps'] / bare['rps']:.3f} | {rendered['p50']:.1f} / {rendered['p95']:.1f} / "
            f"{rendered['p99']:.1f} |",
            f"| bare GET | {bare['rps']:.0f} | 1.00 | {bare['p50']:.1f} / {bare['p95']:.1f} / {bare['p99']:.1f} |",
        ]
    )


def main(args: Any, tools: dict[str, Any]) -> str:
    print(f"home page ({BALLOTS + SITTINGS + SHIFTS + BOOKINGS} items, {database_label()})…", flush=True)
    result = bench_home(args.seconds, args.concurrency, tools)
    return report_home(result, args)


