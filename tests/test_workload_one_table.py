"""一表通 (issue 30): the table equals a recount from the log, whatever happened. Hypothesis draws mixed streams of
commands through the real commands on real stores — residents registering (at the counter, verified, or online,
pending), proposals raised, cases raised, accepted, handed over, whistled, answered and rated (the casework rates'
own stream) — at times that move on by minutes to weeks across a quarter; then each month's and the quarter's
table of the street (two communities with events and one empty) is compared with counts made here from the events
alone. The quarter's rates are pooled from its counts, never an average of the months'. The demo street's year
(three communities, one just founded) is recounted too, for the procedure's and the board's figures (matters,
stages, meetings and their quorum, notices, objections; services and finance reports on time against their own
pages' queries), which the streams above do not reach.

Moves in and out of the register are in the streams; every drill-down is held to its figure, line for line. The
pages, the submission and the workbook: test_workload_one_table_http.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backend.community import commands as community_commands
from backend.community.domain.community import community_id_for
from backend.contexts import PASSES
from backend.deliberation.commands import proposals
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.proposal import Proposal
from backend.demo import load_demo
from backend.disclosure.domain.notice import Notice
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands as resident_commands
from backend.residents.domain.household import Household, HouseholdRow, household_id_for
from backend.residents.domain.resident import Resident
from backend.runtime import Runtime
from backend.workload.domain.one_table import (
    BY_KEY,
    FIGURES,
    Period,
    counts_needed,
    period,
    period_of,
    pooled,
    value,
)
from projections.community import queries as communities
from projections.disclosure import queries as disclosure_views
from projections.services import queries as service_views
from projections.workload.one_table import drill
from projections.workload.one_table import queries as one_table
from projections.workload.one_table.drill import DRILLS
from tests.conftest import POSTGRES_URL
from tests.pg_pool import drop
from tests.test_casework import STREET, T0, world
from tests.test_casework_rates import RAISE, _settings, _step
from tests.test_casework_rates import log_events as case_events
from tests.test_casework_rates import recount as case_recount

QUARTER = period("2026-Q4")
MONTHS = [period(m) for m in QUARTER.months]
CASE_COUNTS = {  # the table's counts and the casework counters they add up
    "cases": "cases",
    "case_accept_due": "accept_due",
    "case_accept_in_time": "accept_in_time",
    "case_answer_due": "answer_due",
    "case_answer_in_time": "answer_in_time",
    "case_ratings": "ratings",
    "case_satisfied": "satisfied",
}
MOVES = ("households_moved_in", "households_moved_out", "residents_moved_out")
CHECKED = ("households", "residents_verified", "residents_new", *MOVES, "proposals_raised", *CASE_COUNTS)

OWN = st.one_of(
    st.tuples(st.just("register"), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("propose"), st.integers(0, 1), st.integers(0, 20)),
    st.tuples(
        st.just("move"),
        st.integers(0, 1),
        st.sampled_from(("whole", "person", "in")),
        st.integers(0, 40),
        st.integers(0, 20),
    ),
    st.tuples(st.just("wait"), st.integers(1, 20 * 24 * 60)),
    st.tuples(st.just("wait"), st.integers(1, 3 * 24 * 60)),
)
STEPS = st.integers(0, 9).flatmap(
    lambda n: OWN if n < 4 else RAISE if n < 6 else st.tuples(st.just("advance"), *[st.integers(0, 99)] * 2,
                                                                st.sampled_from(("satisfied", "dissatisfied")),
                                                                st.booleans())
)  # fmt: skip


def _local(moment: datetime) -> Any:
    return moment.astimezone(LOCAL_ZONE).date()


def recount(events: list[Any], community_ids: list[UUID], p: Period) -> dict[str, dict[str, int]]:
    """The table's checked counts of each community, from the events alone, by the definitions (口径)."""
    found = {str(c): dict.fromkeys(CHECKED, 0) for c in community_ids}
    status: dict[UUID, tuple[str, Any, UUID]] = {}
    left: dict[UUID, tuple[bool, date]] = {}  # who moved out: verified then, and the day
    for e in events:
        if isinstance(e, Household.Registered) and str(e.community_id) in found:
            found[str(e.community_id)]["households"] += 1
        elif isinstance(e, Resident.Registered):
            status[e.originator_id] = ("pending", e.timestamp, e.community_id)
            if p.start <= _local(e.timestamp) < p.end and str(e.community_id) in found:
                found[str(e.community_id)]["residents_new"] += 1
        elif isinstance(e, Household.MovedIn | Household.MovedOut | Resident.MovedOut):
            key = {Household.MovedIn: "households_moved_in", Household.MovedOut: "households_moved_out"}
            if p.start <= date.fromisoformat(e.on) < p.end and str(e.community_id) in found:
                found[str(e.community_id)][key.get(type(e), "residents_moved_out")] += 1
            if isinstance(e, Resident.MovedOut):
                state, at, cid = status[e.originator_id]
                status[e.originator_id] = ("moved_out", at, cid)
                left[e.originator_id] = (state == "verified", date.fromisoformat(e.on))
        elif isinstance(e, Resident.Verified | Resident.Rejected | Resident.Resubmitted | Resident.Erased):
            kind = {"Verified": "verified", "Rejected": "rejected", "Resubmitted": "pending", "Erased": "erased"}
            _, at, cid = status[e.originator_id]
            status[e.originator_id] = (kind[type(e).__name__], at, cid)
        elif isinstance(e, Proposal.Submitted) and p.start <= _local(e.timestamp) < p.end:
            found[str(e.community_id)]["proposals_raised"] += 1
    for rid, (state, at, cid) in status.items():
        # verified now, or verified when moving out after the period (so all through it)
        was = state == "moved_out" and left[rid][0] and left[rid][1] >= p.end
        if (state == "verified" or was) and _local(at) < p.end and str(cid) in found:
            found[str(cid)]["residents_verified"] += 1
    return found


def with_cases(
    found: dict[str, dict[str, int]], counters: dict[tuple[str, str, str], dict[str, int]], p: Period
) -> None:
    """The casework counters of the community scope (recounted from the cases' events), added up over the months."""
    for (month, scope, key), row in counters.items():
        if scope == "community" and month in p.months and key in found:
            for mine, theirs in CASE_COUNTS.items():
                found[key][mine] += row[theirs]


async def _run(program: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stores, schema = _settings(Path(tmp))
        rt = Runtime(stores, passes=PASSES)
        await rt.start(run_projector=True)
        try:
            w = await world(rt)
            there = community_id_for("there")
            empty = community_id_for("empty")
            await community_commands.found(rt, Ctx(empty, None, T0), "社区empty", "empty")
            await community_commands.set_street(rt, Ctx(empty, None, T0), STREET)
            places = [w.community_id, there, empty]
            people: dict[UUID, list[UUID]] = {w.community_id: list(w.residents), there: []}
            rooms = [household_id_for(there, "9栋", "1单元", f"{n}室") for n in (101, 102)]
            await resident_commands.import_households(rt, Ctx(there, None, T0), [
                HouseholdRow(2, "9栋", "1单元", "101室", ()), HouseholdRow(3, "9栋", "1单元", "102室", ()),
            ])  # fmt: skip
            made: list[UUID] = []
            homes: dict[UUID, UUID] = {}  # each account registered in the program, and its household
            gone: set[UUID] = set()  # of those, who moved out
            now, n = T0, 0
            for step in program:
                n += 1
                if step[0] == "wait":
                    now += timedelta(minutes=step[1])
                    continue
                with contextlib.suppress(DomainError):
                    if step[0] == "register":
                        cid = places[step[1]]
                        home = rooms[n % 2] if cid == there else household_id_for(cid, "1栋", "1单元", "101室")
                        done = await resident_commands.register(
                            rt, Ctx(cid, None, now), f"新居民{n}", str(13600000000 + n), home, "", verified=step[2]
                        )
                        homes[UUID(done.result["resident_id"])] = home
                        if step[2]:
                            people[cid].append(UUID(done.result["resident_id"]))
                    elif step[0] == "move":
                        await _move(rt, places[step[1]], there, rooms, step, now, homes, gone)
                    elif step[0] == "propose":
                        cid = places[step[1]]
                        if people[cid]:
                            author = people[cid][step[2] % len(people[cid])]
                            await proposals.submit(rt, Ctx(cid, author, now), f"议题{n}", "请议一议", "other", [])
                    else:
                        await _step(rt, w, made, step, now)
                now += timedelta(minutes=3)
            assert await rt.projector.wait_for(rt.event_count(), timeout=30)
            events = _all_events(rt)
            counters = case_recount(case_events(rt))
            for p in [*MONTHS, QUARTER]:
                table = await one_table.tables(places, p, now)
                expected = recount(events, places, p)
                with_cases(expected, counters, p)
                if p is QUARTER:
                    mine = expected[str(w.community_id)]
                    for key in (
                        "residents_new",
                        *MOVES,
                        "proposals_raised",
                        "cases",
                        "case_answer_due",
                        "case_ratings",
                    ):
                        event(f"quarter {key}: {min(mine[key], 3)}+")
                    event(f"months with cases: {sum(1 for m in MONTHS if any(k[0] in m.months for k in counters))}")
                for cid in places:
                    got = {k: table["counts"][str(cid)][k] for k in CHECKED}
                    assert got == expected[str(cid)], (p.name, cid)
                    span = one_table.window(p, now)
                    for key in (k for k in CHECKED if k in DRILLS):
                        assert len(await drill.lines(key, cid, span)) == got[key], (p.name, cid, key)
                nothing = table["counts"][str(empty)]
                # Nothing happened there; only its finance reports fall due once founded (the disclosure schedule).
                assert set(nothing) >= set(counts_needed()) and not any(
                    nothing[k] for k in nothing if k != "finance_due"
                )
                assert all(value(f, table["counts"][str(empty)]) in (0, None) for f in FIGURES)
                assert value(BY_KEY["case_completion"], table["counts"][str(empty)]) is None  # shown as —
            # The quarter pooled: its flows are its months' added up, its rates made from those sums.
            quarter = (await one_table.tables(places, QUARTER, now))["counts"][str(w.community_id)]
            months = [(await one_table.tables(places, m, now))["counts"][str(w.community_id)] for m in MONTHS]
            summed = pooled(months)
            for key in ("residents_new", *MOVES, "proposals_raised", *CASE_COUNTS):
                assert quarter[key] == summed[key]
            for f in FIGURES:
                if f.kind == "rate" and f.key.startswith("case_"):
                    assert value(f, quarter) == value(f, summed)
        finally:
            await rt.stop()
            if schema:
                drop(POSTGRES_URL, schema)


async def _move(
    rt: Runtime,
    cid: UUID,
    there: UUID,
    rooms: list[UUID],
    step: tuple[Any, ...],
    now: datetime,
    homes: dict[UUID, UUID],
    gone: set[UUID],
) -> None:
    """A household moving in or out, or one person moving out, dated some days back."""
    _, _, kind, days, pick = step
    house = rooms[pick % 2] if cid == there else household_id_for(cid, "1栋", "1单元", "101室")
    on = _local(now) - timedelta(days=days)
    living = [r for r, h in homes.items() if h == house and r not in gone]
    ctx = Ctx(cid, None, now)
    if kind == "in":
        await resident_commands.move_in(rt, ctx, house, on, (f"新户{pick}",))
    elif kind == "whole":
        await resident_commands.move_out(rt, ctx, house, on, living, True)
        gone.update(living)
    elif living:
        who = living[pick % len(living)]
        await resident_commands.move_out(rt, ctx, house, on, [who], False)
        gone.add(who)
    event(f"move {kind}")


def _all_events(rt: Runtime) -> list[Any]:
    found, start = [], 1
    wanted = (":Resident.", ":Household.", ":Proposal.")
    while batch := rt.store.recorder.select_notifications(start, 1000):
        found += [rt.store.mapper.to_domain_event(n) for n in batch if any(w in n.topic for w in wanted)]
        start = batch[-1].id + 1
    return found


@settings(max_examples=int(os.environ.get("LINLI_ONE_TABLE_EXAMPLES", "10")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(program=st.lists(STEPS, min_size=20, max_size=60))
def test_the_table_equals_a_recount_for_months_a_pooled_quarter_and_an_empty_community(program) -> None:
    program = [("register", 1, True), ("propose", 1, 0), ("raise", 0, "facilities", False, True), *program]
    asyncio.run(_run(program))


# -- the demo's year, recounted: the figures of the procedure and the board -------------------------------------------
async def test_the_demo_streets_year_equals_a_recount_of_matters_meetings_notices_and_objections(runtime) -> None:
    await load_demo(runtime)
    assert await runtime.projector.wait_for(runtime.event_count(), timeout=60)
    now = datetime.now(UTC)
    year = period(f"{_local(now).year:04d}")
    places = [community_id_for(c) for c in ("xingfuli", "ankang", "hemei")]
    expected = {str(c): defaultdict(int) for c in places}
    starts: dict[UUID, Any] = {}
    found, start = [], 1
    while batch := runtime.store.recorder.select_notifications(start, 1000):
        found += [runtime.store.mapper.to_domain_event(n) for n in batch]
        start = batch[-1].id + 1
    within = lambda moment: year.start <= _local(moment) < year.end  # noqa: E731
    for e in found:
        mine = expected.get(str(getattr(e, "community_id", "")))
        if mine is None:
            continue
        if isinstance(e, Proposal.ReachedAgenda) and within(e.timestamp):
            mine["proposals_agenda"] += 1
        elif isinstance(e, Proposal.Answered) and within(e.timestamp):
            mine["proposals_answered"] += 1
        elif isinstance(e, Matter.Opened) and within(e.timestamp):
            mine["matters_opened"] += 1
        elif isinstance(e, Matter.StagesPassed) and within(e.timestamp):
            mine["stages_passed"] += 1
        elif isinstance(e, Meeting.Scheduled):
            starts[e.originator_id] = e.starts_at
        elif isinstance(e, Meeting.ResultRecorded) and within(starts[e.originator_id]):
            mine["meetings_held"] += 1
            mine["meetings_quorate"] += e.outcome != "not_quorate"
        elif isinstance(e, Notice.Published | Matter.NoticePublished) and within(e.timestamp):
            mine["notices_published"] += getattr(e, "version", 1) == 1  # a ⑤/⑥ notice is published once
        elif isinstance(e, Notice.ObjectionRaised | Matter.ObjectionRaised) and within(e.timestamp):
            mine["objections_raised"] += 1
    table = await one_table.tables(places, year, now)
    keys = ("proposals_agenda", "proposals_answered", "matters_opened", "stages_passed", "meetings_held",
            "meetings_quorate", "notices_published", "objections_raised")  # fmt: skip
    for c in places:
        assert {k: table["counts"][str(c)][k] for k in keys} == {k: expected[str(c)][k] for k in keys}, c
    demo = table["counts"][str(places[0])]
    assert demo["matters_opened"] and demo["notices_published"] and demo["meetings_held"]  # the demo has them
    # Every drill-down lists exactly what its figure counts, line for line.
    w = one_table.window(year, now)
    for key in DRILLS:
        for c in places:
            assert len(await drill.lines(key, c, w)) == table["counts"][str(c)][key], (key, c)
    counted = {k for k in DRILLS if table["counts"][str(places[0])][k]}
    event_lines = await drill.lines("stages_passed", places[0], w)
    assert all(line["position"] and line["href"].startswith("/matters/") for line in event_lines)
    assert len(counted) >= 20, sorted(set(DRILLS) - counted)  # the demo's year reaches most of them
    hemei = table["counts"][str(places[2])]  # just founded: zeros (its finance reports fall due all the same)
    assert table["counts"][str(places[1])]["proposals_raised"] == 1
    assert not any(hemei[k] for k in hemei if k != "finance_due")
    assert table["position"] == runtime.event_count() and len(table["chain_head"]) == 64
    # The services' figures by the services' own per-service rates (their page's query), added up: the demo's
    # bookings all fall in this year.
    per_service = (await service_views.rates(places[0], now)).values()
    parts = ("asked", "answered", "due", "done", "rated", "satisfied")
    sums = {k: sum(r.get(k, 0) for r in per_service) for k in parts}
    mine = {k.removeprefix("service_"): v for k, v in demo.items() if k.startswith("service_")}
    assert mine == sums, (mine, sums)
    assert sums["due"] and sums["rated"]  # the demo has bookings kept and rated
    # The finance reports due and on time, by the disclosure schedule's own reading (its page's query), today and
    # forty days on (when the demo's months have fallen due).
    seen = 0
    for later in (now, now + timedelta(days=40)):
        for p in {period_of("year", _local(later)), period_of("year", _local(now))}:
            counted = (await one_table.tables(places, p, later))["counts"]
            for c in places:
                row = await communities.by_id(c)
                due = [d for d in await disclosure_views.dues(row, _local(later)) if d.kind == "finance"]
                due = [d for d in due if p.start <= d.due < p.end]
                on_time = sum(1 for d in due if d.done_on is not None and not d.late)
                assert (counted[str(c)]["finance_due"], counted[str(c)]["finance_in_time"]) == (len(due), on_time)
                seen += len(due)
    assert seen  # some fell due
    # The certificates' and the admitted tasks' figures come from their own projections' counts (wired, not zero).
    assert demo["certificates_issued"] and demo["certificates_refused_negative"] and demo["tasks_assigned"]
    assert demo["tasks_refused"]  # the demo's 未准入 attempt
    hours = value(BY_KEY["certificate_hours"], demo)
    assert hours == round(demo["certificates_issue_minutes_total"] / demo["certificates_issued"] / 60, 1)
