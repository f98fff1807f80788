"""scripts/bench --rebuild-only: every projection rebuilt alone from zero over one mixed log of all contexts (issue
27 item 4: each >= 20,000 events/s), beside the raw decoded read of the same log in the same run.

The log: the demo community (every context, through the commands), then a large community ("bench": residents,
proposals with co-signs, a residents' meeting with its votes, volunteer shifts with sign-ups, disclosure notices)
and a street of casework communities with their cases (the seeders of scripts/bench_kit.py and bench_casework.py).
Events/s count every event of the log (the projector reads them all, and skips the ones a projection does not
handle), so the figures of different projections compare directly. After each rebuild the projection's tables are
compared with what the first full build made (rows as sets, with the projections' own row ids left out).

With LINLI_DATABASE_URL set (a PostgreSQL URL) the log and the views live there, in fresh schemas."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from piccolo.columns import Serial

from backend.deliberation.domain.vote import Vote
from backend.demo import load_demo
from backend.disclosure.domain.notice import Notice, Terms
from backend.kernel.context import Ctx
from backend.runtime import Runtime
from backend.volunteering.domain.activity import Activity, ActivityTerms, recurring
from backend.volunteering.domain.team import Team
from projections.runner import fast_decoder
from scripts.bench_casework import database_label, database_url, drop_schemas, seed_cases, seed_places, with_runtime
from scripts.bench_kit import seed
from scripts.bench_votes import residents_ballot

SCHEMA = "linli_bench_rebuild"


def seed_mixed(rt: Runtime, size: int) -> dict[str, int]:
    """About `size` events of every context (see the module's docstring); returns what was seeded."""
    now = datetime.now(UTC)
    residents = max(200, size // 100)
    proposals = max(10, size // 10 // 31)
    mark = rt.event_count()  # after the demo's events: the bench community's residents come next
    cid = seed(rt, residents, proposals, 30)[0]
    registered = rt.store.recorder.select_notifications(mark + 1, 10 * residents + 10)
    ids = [n.originator_id for n in registered if n.topic.endswith("Resident.Registered")]
    ctx = Ctx(cid, None, now)
    matter, meeting = residents_ballot(ctx, ids)  # every resident of the community voting
    ballot = meeting.ballot_state
    votes = [Vote.cast(Ctx(cid, r, now), ballot, r, ("yes", "no", "abstain")[k % 3]) for k, r in enumerate(ids)]
    rt.store.save(matter, meeting)
    _save(rt, votes, 500)
    # Volunteer shifts, every resident signing up for one
    team = Team.found(ctx, uuid4(), "压测服务队", "")
    first = now + timedelta(days=1)
    terms = ActivityTerms("压测活动", "压测用的活动。", "活动室", "other", "全体居民", offer_hours=0)
    shifts = max(1, len(ids) // 50)
    activity, made = Activity.create(
        ctx, uuid4(), team, terms, recurring(first, first + timedelta(hours=2), shifts), 40
    )
    activity.publish(ctx, team)
    for k, r in enumerate(ids):
        made[k % shifts].sign_up(Ctx(cid, r, now), r, waitlist=True)
    rt.store.save(team, activity, *made)
    # Disclosure notices, published without review, spread over the past year
    notices = size // 10
    start, step, publish = (
        now - timedelta(days=365),
        timedelta(days=365) / max(notices, 1),
        Terms(review_required=False),
    )
    batch: list[Any] = []
    for n in range(notices):
        at = Ctx(cid, None, start + step * n)
        notice = Notice.draft_new(at, uuid4(), ("party", "affairs", "finance")[n % 3], f"公告第 {n} 号", "内容。" * 40)
        notice.publish(at, publish)
        batch.append(notice)
    _save(rt, batch, 1000)
    # A street of casework communities and their cases
    world = seed_places(rt, 20, now)
    before = rt.event_count()
    cases = max(100, (size - before) // 6)
    seed_cases(rt, world, cases, now)
    return {"residents": len(ids), "proposals": proposals, "notices": notices, "cases": cases}


def _save(rt: Runtime, aggregates: list[Any], each: int) -> None:
    for k in range(0, len(aggregates), each):
        rt.store.save(*aggregates[k : k + each])


def raw_read(rt: Runtime) -> tuple[float, float]:
    """Events/s of reading and decoding the whole log as the projector does (batches of 20,000, its decoder), and
    per second of this process's CPU time (the machine may be shared: a rate per CPU-second moves less)."""
    decode = fast_decoder(rt.store.mapper)
    started, cpu, start, decoded = time.perf_counter(), time.process_time(), 1, 0
    while batch := rt.store.recorder.select_notifications(start, 20_000):
        for n in batch:
            decode(n)
        decoded += len(batch)
        start = batch[-1].id + 1
    return decoded / (time.perf_counter() - started), decoded / (time.process_time() - cpu)


async def snapshot(tables: Any) -> dict[str, list[tuple[str, ...]]]:
    """Each table's rows, sorted, without the serial row ids Piccolo gives a table with no key of its own (a
    rebuild numbers them anew)."""
    found = {}
    for table in tables:
        serial = isinstance(table._meta.primary_key, Serial)
        columns = [c for c in table._meta.columns if not (serial and c is table._meta.primary_key)]
        rows = await table.select(*columns)
        found[table._meta.tablename] = sorted(tuple(repr(v) for v in row.values()) for row in rows)
    return found


async def measure(rt: Runtime, size: int) -> dict[str, Any]:
    started = time.perf_counter()
    seeded = seed_mixed(rt, size)
    seeded_seconds = time.perf_counter() - started
    events = rt.event_count()
    started = time.perf_counter()
    await rt.projector.ensure_positions()
    await rt.projector.catch_up()
    built_seconds = time.perf_counter() - started
    raw, raw_cpu = raw_read(rt)
    found: dict[str, Any] = {}
    for projection in rt.projector.projections:
        before = await snapshot(projection.tables)
        started, cpu = time.perf_counter(), time.process_time()
        await rt.projector.reset([projection.name])
        await rt.projector.catch_up()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        equal = await snapshot(projection.tables) == before
        found[projection.name] = {"seconds": seconds, "eps": events / seconds, "cpu_eps": events / cpu, "equal": equal}
        print(f"  {projection.name:14} {events / seconds:10,.0f} events/s {events / cpu:10,.0f} per CPU-second  "
              f"equal={equal}", flush=True)  # fmt: skip
    raw_after, raw_after_cpu = raw_read(rt)
    return {
        "database": database_label(),
        "events": events,
        "seeded": seeded,
        "seeded_seconds": seeded_seconds,
        "built_seconds": built_seconds,
        "raw_eps": raw,
        "raw_cpu_eps": raw_cpu,
        "raw_after_eps": raw_after,
        "raw_after_cpu_eps": raw_after_cpu,
        "projections": found,
    }


async def _demo_then_measure(rt: Runtime, size: int) -> dict[str, Any]:
    await load_demo(rt)
    return await measure(rt, size)


def bench_rebuild_each(size: int) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-rebuild-"))
    if database_url():  # fresh schemas of the bench's own: any secret will do (a deployment sets its own)
        os.environ.setdefault("LINLI_SECRET", "linli-bench-rebuild-" + "0" * 40)
    drop_schemas(SCHEMA)
    try:
        return asyncio.run(with_runtime(data_dir, SCHEMA, lambda rt: _demo_then_measure(rt, size)))
    finally:
        drop_schemas(SCHEMA)


def report_rebuild_each(result: dict[str, Any], args: Any) -> str:
    url = "LINLI_DATABASE_URL=… " if result["database"] == "PostgreSQL" else ""
    raw, raw_cpu = result["raw_eps"], result["raw_cpu_eps"]
    seeded = ", ".join(f"{count:,} {what}" for what, count in result["seeded"].items())
    lines = [
        f"### Rebuild of each projection — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {result['database']}",
        "",
        f"`{url}scripts/bench --rebuild-only --events {args.events}`: {result['events']:,} events (the demo, "
        f"{seeded}); raw decoded read {raw:,.0f} events/s, {raw_cpu:,.0f} per CPU-second "
        f"({result['raw_after_eps']:,.0f} and {result['raw_after_cpu_eps']:,.0f} after the rebuilds).",
        "",
        "| projection | events/s | per CPU-second | ratio to raw read | ≥ 20,000/s | equal to the full build |",
        "|---|---|---|---|---|---|",
    ]
    for name, p in result["projections"].items():
        met = "yes" if p["eps"] >= 20_000 else "**no**"
        lines.append(
            f"| {name} | {p['eps']:,.0f} | {p['cpu_eps']:,.0f} | {p['eps'] / raw:.2f} | {met} | {p['equal']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(database_url() or "SQLite")
