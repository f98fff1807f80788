"""scripts/bench --signups-only / --bookings-only: every resident sends one sign-up (or booking) at once, for
shifts (slots) of a few seats, through a real server; counted from the log afterwards, beside a bare POST."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from backend.runtime import Runtime
from backend.services.domain.provider import Provider
from backend.services.domain.rules import ACTIVE, BookingRules, diary_id_for
from backend.services.domain.schedule import Schedule
from backend.services.domain.service import Service
from backend.volunteering.domain.activity import Activity, ActivityTerms, recurring
from backend.volunteering.domain.team import Team
from scripts.bench_kit import (
    BIN,
    code_sign_in_all,
    free_port,
    percentile,
    seed_with_codes,
    start_server,
    stop,
    with_runtime,
)


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
