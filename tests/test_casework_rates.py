"""The rates (全实效评价) the casework projection keeps equal a recount from the log, whatever happened: hypothesis
draws mixed streams of commands (raising, 我也遇到, accepting, handing over, merging, whistling, re-routing,
reporting in, returning, the department's answer, extensions, answering, rating — 不满意 reopening —, and the
rounds' notices and closings, at times that move on by minutes to days) through the real commands on real stores;
then every counter row of every scope and month is compared with a count made here, from the events alone, case by
case, by the definitions (backend.casework.domain.counting). The projection's counters are kept incrementally,
batch by batch, as differences; the recount knows nothing of that. Then the views are rebuilt from zero in batches
of another size, and must read the same."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import uuid
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backend.casework.commands import cases, whistles
from backend.casework.domain.case import Case
from backend.casework.domain.counting import month_of
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.rules import BASICALLY, SATISFIED
from backend.config import load_settings
from backend.contexts import PASSES
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.runtime import Runtime
from projections.casework import dashboard
from projections.casework.rates import figures
from projections.casework.tables import COUNTERS, RateView
from tests.conftest import POSTGRES, POSTGRES_URL
from tests.factories import snapshot
from tests.pg_pool import drop
from tests.test_casework import STREET, T0, World, world

CATEGORIES = ("facilities", "power", "city", "other")
LEVELS = ("satisfied", "basically_satisfied", "dissatisfied")
RAW = st.one_of(  # any command on any case: most are refused (and write nothing)
    st.tuples(st.just("accept"), st.integers(0, 9), st.integers(0, 2)),
    st.tuples(st.just("hand_over"), st.integers(0, 9), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("join"), st.integers(0, 9), st.integers(0, 3)),
    st.tuples(st.just("merge"), st.integers(0, 9), st.integers(0, 9), st.integers(0, 2)),
    st.tuples(st.just("whistle"), st.integers(0, 9), st.integers(0, 2)),
    st.tuples(st.just("reroute"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("report_in"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("return"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("department_answer"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("extend"), st.integers(0, 9), st.integers(0, 2), st.integers(1, 15)),
    st.tuples(st.just("decide"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("answer"), st.integers(0, 9), st.integers(0, 2)),
    st.tuples(st.just("rate"), st.integers(0, 9), st.integers(0, 4), st.sampled_from(LEVELS), st.booleans()),
    st.tuples(st.just("rounds"), st.integers(0, 9)),
)
# A case moved on by one of the steps its state allows (so that streams reach answers, ratings and reopenings).
ADVANCE = st.tuples(st.just("advance"), st.integers(0, 9), st.integers(0, 99), st.sampled_from(LEVELS), st.booleans())
OTHERS = st.one_of(
    st.tuples(st.just("raise"), st.integers(0, 3), st.sampled_from(CATEGORIES), st.booleans(), st.booleans()),
    st.tuples(st.just("raise_for"), st.integers(0, 3), st.sampled_from(CATEGORIES), st.integers(0, 2)),
    RAW,
    st.tuples(st.just("wait"), st.integers(1, 4 * 24 * 60)),
    st.tuples(st.just("wait"), st.integers(1, 90)),
)
RAISE = st.tuples(st.just("raise"), st.integers(0, 3), st.sampled_from(CATEGORIES), st.booleans(), st.booleans())
# ADVANCE half the time, raising a case a fifth (one_of would count a strategy named twice once)
STEPS = st.integers(0, 9).flatmap(lambda n: ADVANCE if n < 5 else RAISE if n < 7 else OTHERS)


def _handler(w: World, n: int) -> UUID:
    return (w.clerk, w.worker_a, w.worker_b)[n]


def _raiser(w: World, n: int) -> UUID:
    return (w.resident, w.residents[6], w.residents[7], w.elsewhere)[n]


async def _step(rt: Runtime, w: World, made: list[UUID], step: tuple[Any, ...], now: Any) -> Any:
    """One drawn command, refused or not (a refusal writes nothing: the commands' own tests say so)."""
    kind, *args = step
    case = made[args[0] % len(made)] if made and kind not in ("raise", "raise_for", "wait") else None
    c = w.ctx
    if kind == "raise":
        raiser = c(_raiser(w, args[0]), now)
        done = await cases.raise_case(rt, raiser, args[1], "楼道灯坏了", urgent=args[2], public=args[3])
        made.append(UUID(done.result["case_id"]))
    elif kind == "raise_for":
        helper = (w.clerk, w.worker_a, w.head)[args[2]]
        done = await cases.raise_case(rt, c(helper, now, on_behalf_of=_raiser(w, args[0])), args[1], "电话反映")
        made.append(UUID(done.result["case_id"]))
    elif case is None:
        return
    elif kind == "advance":  # a case still open
        going = [m for m in made if rt.store.repository.get(m).state in ("queued", "accepted", "answered")]
        if going:
            await _advance(rt, w, going[args[0] % len(going)], made, args, now)
    elif kind == "accept":
        await cases.accept(rt, c(_handler(w, args[1]), now), case)
    elif kind == "hand_over":
        await cases.hand_over(rt, c(_handler(w, args[1]), now), case, _handler(w, args[2]), "同事负责")
    elif kind == "join":
        await cases.join(rt, c(_raiser(w, args[1]), now), case)
    elif kind == "merge":
        await cases.merge(rt, c(_handler(w, args[2]), now), case, made[args[1] % len(made)])
    elif kind == "whistle":
        await whistles.whistle(rt, c(_handler(w, args[1]), now), case, "需要部门处理")
    elif kind == "reroute":
        await whistles.reroute(rt, c(w.operator, now), case, w.city if args[1] else w.power, "改派")
    else:
        await _later(rt, w, case, kind, args, now)


async def _advance(rt: Runtime, w: World, case_id: UUID, made: list[UUID], args: list[Any], now: Any) -> None:
    """One of the steps the case's state allows, by whoever may take it."""
    case, choice, level, solved = rt.store.repository.get(case_id), args[1], args[2], args[3]
    c = w.ctx
    mine = {w.grid_a: w.worker_a, w.grid_b: w.worker_b}.get(case.grid_id, w.clerk)
    owner = case.owner_id or mine
    staff = {w.power: w.power_staff, w.city: w.city_staff}
    other = made[choice % len(made)]
    steps: list[Any] = []
    accept = lambda: cases.accept(rt, c(mine if choice % 3 else w.clerk, now), case_id)  # noqa: E731
    answer = lambda: cases.answer(rt, c(owner, now), case_id, "已办结")  # noqa: E731
    if case.state == "queued":
        steps += [accept, accept, accept, lambda: cases.hand_over(rt, c(w.clerk, now), case_id, w.worker_a, "请你")]
        steps += [lambda: cases.join(rt, c(_raiser(w, choice % 4), now), case_id)]
    elif case.state == "accepted" and case.whistle is not None:
        unit = staff[case.whistle.department_id]
        reported = lambda: whistles.report_in(rt, c(unit, now), case_id)  # noqa: E731
        answered = lambda: whistles.department_answer(rt, c(unit, now), case_id, "已处理")  # noqa: E731
        elsewhere = w.city if unit == w.power_staff else w.power
        steps += [reported] * 3 + [answered] * 4
        steps += [
            lambda: whistles.return_whistle(rt, c(unit, now), case_id, "非本部门"),
            lambda: whistles.reroute(rt, c(w.operator, now), case_id, elsewhere, "改派"),
        ]
    elif case.state == "accepted":
        colleague = w.worker_b if owner != w.worker_b else w.clerk
        steps += [answer] * 8 + [lambda: whistles.whistle(rt, c(owner, now), case_id, "需要部门处理")]
        steps += [
            lambda: whistles.whistle(rt, c(owner, now), case_id, "需要部门处理"),
            lambda: cases.request_extension(rt, c(owner, now), case_id, 1 + choice % 15, "等材料"),
            lambda: cases.approve_extension(rt, c(w.clerk, now), case_id),
            lambda: cases.decline_extension(rt, c(w.clerk, now), case_id, "不必"),
            lambda: cases.hand_over(rt, c(owner, now), case_id, colleague, "换人"),
            lambda: cases.merge(rt, c(owner, now), case_id, other),
            lambda: cases.merge(rt, c(owner, now), case_id, other),
            lambda: cases.keep_deadlines(rt, Ctx(w.community_id, None, now), case_id),
            lambda: cases.join(rt, c(_raiser(w, choice % 4), now), case_id),
        ]
    elif case.state == "answered":
        raiser = case.raisers[choice % len(case.raisers)]
        rate = lambda: cases.rate(rt, c(raiser, now), case_id, level, solved)  # noqa: E731
        by_phone = c(w.clerk, now, on_behalf_of=raiser)
        steps += [rate, rate, rate, lambda: cases.rate(rt, by_phone, case_id, level, solved, channel="phone")]
    steps.append(lambda: cases.keep_deadlines(rt, Ctx(w.community_id, None, now), case_id))  # the rounds
    await steps[choice % len(steps)]()


async def _later(rt: Runtime, w: World, case: UUID, kind: str, args: list[Any], now: Any) -> None:
    c = w.ctx
    staff = w.power_staff if args[-1] is True else w.city_staff
    if kind == "report_in":
        await whistles.report_in(rt, c(staff, now), case)
    elif kind == "return":
        await whistles.return_whistle(rt, c(staff, now), case, "非本部门职责")
    elif kind == "department_answer":
        await whistles.department_answer(rt, c(staff, now), case, "已处理")
    elif kind == "extend":
        await cases.request_extension(rt, c(_handler(w, args[1]), now), case, args[2], "等材料")
    elif kind == "decide" and args[1]:
        await cases.approve_extension(rt, c(w.clerk, now), case)
    elif kind == "decide":
        await cases.decline_extension(rt, c(w.clerk, now), case, "不需要")
    elif kind == "answer":
        await cases.answer(rt, c(_handler(w, args[1]), now), case, "已办结")
    elif kind == "rate":
        raisers = rt.store.repository.get(case).raisers
        raiser = raisers[args[1] % len(raisers)] if args[1] < 4 else None
        if raiser is None:  # the clerk records a rating the first raiser gave by phone (回访)
            ctx = c(w.clerk, now, on_behalf_of=raisers[0])
            await cases.rate(rt, ctx, case, args[2], args[3], channel="phone")
        else:
            await cases.rate(rt, c(raiser, now), case, args[2], args[3])
    elif kind == "rounds":
        await cases.keep_deadlines(rt, Ctx(w.community_id, None, now), case)


# -- the recount: case by case, from the log alone -------------------------------------------------------------------
def recount(events: list[Any]) -> dict[tuple[str, str, str], dict[str, int]]:
    """Every counter of every (month, scope, key), from the events, by the definitions."""
    workers: dict[UUID, UUID | None] = {}
    by_case: dict[UUID, list[tuple[Any, dict[str, list[Any]]]]] = defaultdict(list)
    responders: dict[UUID, UUID | None] = {}
    for e in events:
        if isinstance(e, GridPlan.WorkerAssigned):
            workers[e.grid_id] = e.worker_id
        elif isinstance(e, GridPlan.WorkerUnassigned):
            workers[e.grid_id] = None
        elif isinstance(e, Case.Event):
            history = by_case[e.originator_id]
            if isinstance(e, Case.Raised):
                responders[e.originator_id] = workers.get(e.grid_id) if e.grid_id else None
            history.append((e, history[-1][0].deadlines if history else {}))
    totals: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for case_id, history in by_case.items():
        _count_case(history, responders[case_id], totals)
    return {k: v for k, v in totals.items() if any(v.values())}


def _count_case(history: list[tuple[Any, dict[str, list[Any]]]], responder: Any, totals: dict) -> None:
    raised = history[0][0]
    if any(isinstance(e, Case.Merged) for e, _ in history):
        return  # counted as the case it was merged into
    start = raised.timestamp
    acceptance = next(((e, before) for e, before in history if isinstance(e, Case.Accepted) or _taken(e)), None)
    accept = {"accept_due": 0, "accept_in_time": 0, "accepted": 0, "accept_seconds": 0}
    if acceptance is not None:
        e, before = acceptance
        owner = e.owner_id if isinstance(e, Case.Accepted) else e.to_id
        accept = {
            "accept_due": 1,
            "accept_in_time": int("accept" not in before or e.timestamp <= before["accept"][1]),
            "accepted": 1,
            "accept_seconds": int(e.timestamp.timestamp()) - int(start.timestamp()),
        }
        responder = owner
    elif any(_at(e, "accept") for e, _ in history):
        accept["accept_due"] = 1
    answers = [(e, before) for e, before in history if isinstance(e, Case.Answered)]
    last = answers[-1] if answers else None
    answer = {"answer_due": 0, "answer_in_time": 0, "answered": 0, "answer_seconds": 0}
    late_after = [e for e, _ in history if _at(e, "answer")]
    if last is not None:
        e, before = last
        in_time = "answer" not in before or e.timestamp <= before["answer"][1]
        answer = {
            "answer_due": 1,
            "answer_in_time": int(in_time and not _after(late_after, history, e)),
            "answered": 1,
            "answer_seconds": int(e.timestamp.timestamp()) - int(start.timestamp()),
        }
    elif late_after:  # never answered, its deadline passed
        answer["answer_due"] = 1
    final_round = last[0].round if last else 0
    ratings: dict[UUID, Any] = {}
    if last is not None:
        for e, _ in history[history.index(last) :]:
            if isinstance(e, Case.Rated) and e.round == final_round:
                ratings[e.resident_id] = e
    rated = {
        "rated_cases": int(bool(ratings)),
        "ratings": len(ratings),
        "satisfied": sum(r.level in (SATISFIED, BASICALLY) for r in ratings.values()),
        "solved": sum(r.solved for r in ratings.values()),
    }
    closed = [e for e, _ in history if isinstance(e, Case.Closed)]
    whistled = int(any(isinstance(e, Case.Whistled) for e, _ in history))
    unrated = int(bool(closed) and closed[-1].outcome == "unrated")
    outcome = {"cases": 1, "whistled": whistled, "unrated": unrated, **answer, **rated}
    community, month = str(raised.community_id), month_of(start)
    owners = [e for e, _ in history if isinstance(e, Case.Accepted | Case.HandedOver | Case.Requeued | Case.Reopened)]
    holder = None
    if owners:
        o = owners[-1]
        holder = o.owner_id if isinstance(o, Case.Accepted) else o.to_id if isinstance(o, Case.HandedOver) else None
    worker = (last[0].actor_id if last else None) or holder or responder
    for scope, key in (("community", community), ("category", f"{community}:{raised.category}")):
        _add(totals[(month, scope, key)], {**accept, **outcome})
    if raised.grid_id:
        _add(totals[(month, "grid", str(raised.grid_id))], {**accept, **outcome})
    if responder:
        _add(totals[(month, "worker", str(responder))], accept)
    if worker:
        _add(totals[(month, "worker", str(worker))], outcome)
    for department, unit in _units(history).items():
        figures_ = {"cases": 1, "whistled": 1, **unit}
        if unit["answered"]:
            figures_.update(rated)
        _add(totals[(month, "department", department)], figures_)


def _taken(e: Any) -> bool:
    return isinstance(e, Case.HandedOver) and e.from_id is None


def _at(e: Any, kind: str) -> bool:
    return isinstance(e, Case.Reminded) and e.stage == "at" and e.kind == kind


def _after(late: list[Any], history: list[Any], answered: Any) -> bool:
    """An answer deadline's "at" notice came after this answer (a reopened round left unanswered in time)."""
    order = [e for e, _ in history]
    return any(order.index(r) > order.index(answered) for r in late)


def _units(history: list[tuple[Any, dict[str, list[Any]]]]) -> dict[str, dict[str, int]]:
    """Per department, its last whistle of the case that it did not return and the street did not re-route."""
    units: dict[str, dict[str, Any]] = {}
    current: str | None = None
    for e, before in history:
        if isinstance(e, Case.Whistled | Case.Rerouted):
            if isinstance(e, Case.Rerouted) and current:
                units.pop(current, None)
            current = str(e.department_id)
            units[current] = {"at": e.timestamp, "rep": None, "ans": None, "rep_late": 0, "ans_late": 0}
        elif isinstance(e, Case.WhistleReturned):
            units.pop(str(e.department_id), None)
            current = None
        elif isinstance(e, Case.ReportedIn | Case.DepartmentAnswered) and str(e.department_id) in units:
            part, deadline = ("rep", "report") if isinstance(e, Case.ReportedIn) else ("ans", "department")
            met = deadline not in before or e.timestamp <= before[deadline][1]
            units[str(e.department_id)][part] = (e.timestamp, met)
            if part == "ans":
                current = None
        elif isinstance(e, Case.Reminded) and e.stage == "at" and e.kind in ("report", "department"):
            unit = units.get(str(e.department_id))
            part = "rep" if e.kind == "report" else "ans"
            if unit is not None and unit[part] is None:
                unit[f"{part}_late"] = 1
    found = {}
    for department, u in units.items():
        found[department] = {
            "accept_due": int(u["rep"] is not None or u["rep_late"]),
            "accept_in_time": int(u["rep"] is not None and u["rep"][1]),
            "accepted": int(u["rep"] is not None),
            "accept_seconds": int(u["rep"][0].timestamp()) - int(u["at"].timestamp()) if u["rep"] else 0,
            "answer_due": int(u["ans"] is not None or u["ans_late"]),
            "answer_in_time": int(u["ans"] is not None and u["ans"][1]),
            "answered": int(u["ans"] is not None),
            "answer_seconds": int(u["ans"][0].timestamp()) - int(u["at"].timestamp()) if u["ans"] else 0,
        }
    return found


def _add(into: dict[str, int], figures_: dict[str, int]) -> None:
    for name, value in figures_.items():
        into[name] += value


async def counters() -> dict[tuple[str, str, str], dict[str, int]]:
    rows = await RateView.select()
    return {(r["month"], r["scope"], r["key"]): {c: int(r[c]) for c in COUNTERS} for r in rows}


def log_events(rt: Runtime) -> list[Any]:
    found, start = [], 1
    while batch := rt.store.recorder.select_notifications(start, 1000):
        found += [rt.store.mapper.to_domain_event(n) for n in batch if ":Case." in n.topic or ":GridPlan." in n.topic]
        start = batch[-1].id + 1
    return found


def _settings(tmp: Path) -> Any:
    if POSTGRES:
        schema = f"t{uuid.uuid4().hex[:12]}"
        return load_settings(data_dir=tmp, database_url=POSTGRES_URL, pg_schema=schema, demo=False, secret="s"), schema
    return load_settings(data_dir=tmp, database_url="", demo=False, secret="s"), None


async def _run(program: list[tuple[Any, ...]], batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stores, schema = _settings(Path(tmp))
        rt = Runtime(stores, passes=PASSES)
        await rt.start(run_projector=True)
        try:
            w = await world(rt)
            made: list[UUID] = []
            now = T0
            for step in program:
                if step[0] == "wait":
                    now += timedelta(minutes=step[1])
                    continue
                with contextlib.suppress(DomainError):
                    await _step(rt, w, made, step, now)
                now += timedelta(minutes=3)
            assert await rt.projector.wait_for(rt.event_count(), timeout=30)
            events = log_events(rt)
            expected = recount(events)
            event(f"steps: {len(program) // 20 * 20}+")
            for name in ("Raised", "Accepted", "Whistled", "Answered", "Rated", "Reopened", "Merged", "Reminded"):
                event(f"{name} in the stream: {min(3, sum(type(e).__name__ == name for e in events))}+")
            assert await counters() == expected
            await _street_adds_up(expected)
            incremental = await snapshot()
            rt.projector.batch_size = batch  # a rebuild in batches of another size reads the same
            await rt.projector.reset(["casework"])
            await rt.projector.catch_up()
            rebuilt = await snapshot()
            for table, rows in incremental.items():
                assert rebuilt[table] == rows, (table, set(rebuilt[table]) ^ set(rows))
        finally:
            await rt.stop()
            if schema:
                drop(POSTGRES_URL, schema)


async def _street_adds_up(expected: dict[tuple[str, str, str], dict[str, int]]) -> None:
    """The street's figures are its communities' added up (here one community has cases)."""
    for month in {m for m, _, _ in expected}:
        board = await dashboard.street_dashboard(STREET, month, T0)
        community = next(v for (m, s, _), v in expected.items() if m == month and s == "community")
        assert board["figures"] == figures(community)


@settings(max_examples=int(os.environ.get("LINLI_RATE_EXAMPLES", "12")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(program=st.lists(STEPS, min_size=30, max_size=90), batch=st.sampled_from([1, 3, 7, 1000]))
def test_the_rates_equal_a_recount_from_the_log_and_a_rebuild_reads_the_same(program, batch) -> None:
    program = [("raise", 0, "facilities", False, True), ("raise", 1, "power", True, False), *program]
    asyncio.run(_run(program, batch))


def test_a_recount_sees_what_the_counters_must() -> None:
    """The recount itself, on a stream written out by hand: one case accepted late, answered in time, rated by both
    raisers (one 不满意, so it reopened; the second answer's ratings replace the first's)."""
    hour = timedelta(hours=1)
    cid, case, worker = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    meta = {"community_id": cid, "actor_id": worker, "on_behalf_of": None, "command_id": "x"}
    due = {"accept": [T0, T0 + hour], "answer": [T0, T0 + 10 * hour]}

    def ev(cls: Any, n: int, at: Any, deadlines: dict | None = None, **kw: Any) -> Any:
        return cls(originator_id=case, originator_version=n, timestamp=at, deadlines=deadlines or due,
                   notice_at=None, **meta, **kw)  # fmt: skip

    raised = Case.Raised(
        originator_id=case, originator_version=1, timestamp=T0, originator_topic="", raiser_id=worker, authority="",
        category="other", label="其他", handling="immediate", answer_days=1, department_id=None, text="t",
        building="1栋", place="", photos=[], urgent=False, public=False, grid_id=None, queue="clerk",
        deadlines=due, notice_at=None, **meta,
    )  # fmt: skip
    said = {"comment": "", "channel": "self"}
    stream = [
        raised,
        ev(Case.Accepted, 2, T0 + 2 * hour, owner_id=worker),
        ev(Case.Answered, 3, T0 + 3 * hour, {"rating": [T0, T0 + 72 * hour]}, round=1, text="a", photos=[]),
        ev(Case.Rated, 4, T0 + 4 * hour, resident_id=worker, round=1, level="dissatisfied", solved=False, **said),
        ev(Case.Reopened, 5, T0 + 4 * hour),
        ev(Case.Answered, 6, T0 + 5 * hour, {"rating": [T0, T0 + 72 * hour]}, round=2, text="b", photos=[]),
        ev(Case.Rated, 7, T0 + 6 * hour, resident_id=worker, round=2, level="satisfied", solved=True, **said),
    ]
    counted = recount(stream)
    month = month_of(T0)
    assert counted[(month, "community", str(cid))] == {
        **dict.fromkeys(COUNTERS, 0),
        "cases": 1, "accept_due": 1, "accept_in_time": 0, "accepted": 1, "accept_seconds": 7200, "answer_due": 1,
        "answer_in_time": 1, "answered": 1, "answer_seconds": 18000, "rated_cases": 1, "ratings": 1, "satisfied": 1,
        "solved": 1,
    }  # fmt: skip
