"""`scripts/bench --one-table-only`: the street's 一表通 (issue 30: ≤ 2 s server time for 200 communities over a year,
from projections, not a scan of the log).

The views are filled as a rebuild of a year's log would leave them, written directly (a year of events for 200
communities would take longer to make than the bench runs): per community 500 residents and 300 households (24 moves),
60 proposals, 20 matters with 4 stages each, 24 sittings, 5 objections to matters, 40 notices with 10 objections, 600
volunteer hours records, 800 bookings and the casework counters of 12 months. What is timed is what the page and the
export run: `backend.workload.web.one_table_views.computed` (every community's counts, their submissions, the
totals) for the year, a quarter and a month (the best of three), and the XLSX workbook of the year (one sheet per
community and the totals).

With LINLI_DATABASE_URL set (a PostgreSQL URL) the views live there, in fresh schemas (`benchtable<pid>_…`) dropped
afterwards; otherwise SQLite in a temporary data dir."""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from backend.workload.domain.one_table import period
from backend.workload.web.one_table_views import computed, workbook
from projections.casework.tables import RateView
from projections.community.tables import CommunityView
from projections.db import bulk_insert
from projections.deliberation.tables import MatterObjection, MatterTimeline, MatterView, MeetingView, ProposalView
from projections.disclosure.tables import BoardEntry, ObjectionView
from projections.residents.tables import HouseholdView, RegisterMoveView, ResidentView
from projections.services.tables import BookingView
from projections.volunteering.tables import HoursRecordView
from scripts.bench_casework import database_label, drop_schemas, with_runtime

YEAR = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2027, 1, 1, tzinfo=UTC)
PERIODS = ("2026", "2026-Q2", "2026-06")
MOVE_KINDS = ("household_in", "household_out", "resident_out")


def _rows(c: UUID, r: random.Random) -> list[tuple[Any, list[dict[str, Any]]]]:
    """One community's year, as the views hold it."""

    def t() -> datetime:
        return YEAR + timedelta(seconds=r.randrange(365 * 86400))

    def later(x: datetime) -> datetime:
        return x + timedelta(days=r.randrange(10))

    matters = [
        {"id": uuid4(), "community_id": c, "title": "m", "description": "", "state": "open", "done": [],
         "opened_at": t(), "updated_position": 1}
        for _ in range(20)
    ]  # fmt: skip
    raised = [t() for _ in range(15)]
    return [
        (ResidentView, [
            {"id": uuid4(), "community_id": c, "name_masked": "张*", "household": "1-1-101", "password_hash": "",
             "status": r.choice(["verified"] * 9 + ["pending"]), "roles": [], "registered_at": t()}
            for _ in range(500)
        ]),
        (HouseholdView, [
            {"id": uuid4(), "community_id": c, "building": "1", "unit": "1", "room": str(i), "label": str(i)}
            for i in range(300)
        ]),
        (RegisterMoveView, [
            {"id": uuid4(), "community_id": c, "household_id": uuid4(), "kind": r.choice(MOVE_KINDS),
             "moved_on": t().date(), "at": t(), "position": 1}
            for _ in range(24)
        ]),
        (ProposalView, [
            {"id": uuid4(), "community_id": c, "author_id": uuid4(), "title": "x", "description": "",
             "category": "other", "photos": [], "state": "open", "threshold": 3, "submitted_at": t(),
             "agenda_at": t(), "updated_position": 1, "answered_at": t()}
            for _ in range(60)
        ]),
        (MatterView, matters),
        (MatterTimeline, [
            {"matter_id": m["id"], "position": 1, "kind": "passed", "at": t()} for m in matters for _ in range(4)
        ]),
        (MeetingView, [
            {"id": uuid4(), "community_id": c, "matter_id": matters[0]["id"], "body": "b", "stages": [], "place": "p",
             "starts_at": t(), "motion": "", "expected": [], "present": [], "ballot": "closed",
             "outcome": r.choice(["passed", "failed", "not_quorate"])}
            for _ in range(24)
        ]),
        (MatterObjection, [
            {"matter_id": matters[0]["id"], "number": n, "stage": "s", "resident_id": uuid4(), "reason": "r",
             "raised_at": x, "answer_due": (x + timedelta(days=7)).date(), "answered_at": later(x)}
            for n, x in enumerate(raised[:5], start=1)
        ]),
        (BoardEntry, [
            {"id": uuid4(), "notice_id": uuid4(), "community_id": c, "category": "affairs", "kind": "k",
             "version": r.choice([1, 1, 2]), "title": "t", "text": "", "published_on": date(2026, 1, 1),
             "until": date(2026, 1, 8), "published_at": t(), "position": 1, "chain_head": "0" * 64}
            for _ in range(40)
        ]),
        (ObjectionView, [
            {"notice_id": uuid4(), "community_id": c, "number": 1, "resident_id": uuid4(), "reason": "r",
             "raised_at": x, "answer_due": (x + timedelta(days=7)).date(), "answered_at": later(x)}
            for x in raised[5:]
        ]),
        (HoursRecordView, [
            {"id": uuid4(), "community_id": c, "volunteer_id": uuid4(), "team_id": uuid4(), "activity_id": uuid4(),
             "shift_id": uuid4(), "served_on": t().date(), "activity": "a", "place": "p", "content": "",
             "beneficiary": "", "minutes": r.randrange(0, 240)}
            for _ in range(600)
        ]),
        (BookingView, [
            {"id": uuid4(), "community_id": c, "slot_id": uuid4(), "service_id": uuid4(), "resident_id": uuid4(),
             "status": r.choice(["done", "confirmed", "no_show", "cancelled", "declined"]), "joined_position": 1,
             "starts_at": (x := t()), "ends_at": x, "booked_at": x, "needs_answer": r.random() < 0.3,
             "answered_at": x if r.random() < 0.5 else None, "stars": r.choice([None, 3, 4, 5])}
            for _ in range(800)
        ]),
        (RateView, [
            {"id": uuid4(), "month": f"2026-{m:02d}", "scope": s, "key": str(c) if s == "community" else str(uuid4()),
             "community_id": c, "cases": 30, "accept_due": 28, "accept_in_time": 25, "answer_due": 27,
             "answer_in_time": 20, "ratings": 15, "satisfied": 12}
            for m in range(1, 13)
            for s in ("community", "grid", "grid", "worker", "worker", "category")
        ]),
    ]  # fmt: skip


async def _run(rt: Any, communities: int) -> dict[str, Any]:
    r = random.Random(2026)
    ids = [uuid4() for _ in range(communities)]
    places = [{"id": c, "name": f"社区{i}", "code": f"c{i}", "street": "bench街道"} for i, c in enumerate(ids)]
    started, rows = time.perf_counter(), 0
    async with CommunityView._meta.db.transaction():
        await bulk_insert(CommunityView, places)
        for c in ids:
            for table, made in _rows(c, r):
                await bulk_insert(table, made)
                rows += len(made)
    result: dict[str, Any] = {"communities": communities, "rows": rows, "fill_s": time.perf_counter() - started}
    year: dict[str, Any] = {}
    for name in PERIODS:
        took = []
        for _ in range(3):
            t0 = time.perf_counter()
            found = await computed(places, period(name), NOW)
            took.append(time.perf_counter() - t0)
        result[name] = min(took)
        year = year or found
    t0 = time.perf_counter()
    book = workbook("bench街道", period("2026"), places, year, NOW.date())
    result["xlsx_s"], result["xlsx_bytes"] = time.perf_counter() - t0, len(book)
    return result


def bench_one_table(communities: int) -> dict[str, Any]:
    schema = f"benchtable{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="linli-bench-table-") as data:
        try:
            return asyncio.run(with_runtime(Path(data), schema, lambda rt: _run(rt, communities)))
        finally:
            drop_schemas(schema)


def report_one_table(result: dict[str, Any]) -> str:
    lines = [
        f"### 一表通 for a street of {result['communities']} communities over a year ({database_label()})",
        "",
        f"`scripts/bench --one-table-only`: {result['rows']:,} view rows (a year's, as a rebuild leaves them); the "
        "street's table computed from the projections, the best of three (goal: ≤ 2 s for the year).",
        "",
        "| period | server time |",
        "|---|---|",
        *(f"| {name} | {result[name] * 1000:,.0f} ms |" for name in PERIODS),
        f"| the year's XLSX (a sheet per community and the totals, {result['xlsx_bytes'] / 1024:,.0f} KiB) | "
        f"{result['xlsx_s'] * 1000:,.0f} ms more |",
    ]
    return "\n".join(lines)
