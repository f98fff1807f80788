"""The case rounds against the real stores, with the read side the rounds read: each deadline's notice ("before" and
"at") recorded exactly once however many rounds run at once, the unrated closed at the end of their window, and a
grid worker's open cases moved to the clerk's queue once their term ended. The rounds are run by hand at chosen
moments (the runtime here makes none of its own)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

import pytest

from backend.casework.commands import cases
from backend.casework.domain.case import Case
from backend.casework.domain.rules import AT, BEFORE, Due, State
from backend.casework.rounds import keep_case_deadlines, requeue_lapsed_owners
from backend.runtime import Runtime
from tests.factories import count_topic
from tests.test_casework import T0, load, quiet_runtime, world

runtime = pytest.fixture(quiet_runtime, name="runtime")  # the rounds run by hand only


async def settled(rt: Runtime) -> None:
    await rt.projector.wait_for(rt.event_count(), timeout=30)


def reminded(rt: Runtime, case_id: UUID) -> list[tuple[str, str]]:
    return [(e.kind, e.stage) for e in rt.store.events.get(case_id) if isinstance(e, Case.Reminded)]


async def test_each_deadline_is_noticed_once_before_and_once_at_it(runtime):
    w = await world(runtime)
    case_id = UUID((await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "楼道灯坏了")).result["case_id"])
    await settled(runtime)
    assert await keep_case_deadlines(runtime, T0 + timedelta(minutes=80)) == []  # the "before" is at 1½ h
    warn = T0 + timedelta(minutes=95)
    done = await asyncio.gather(*(keep_case_deadlines(runtime, warn) for _ in range(5)))  # five rounds at once
    # each round finds it due (and the same command id makes the one notice) or, reading the view after another
    # round's notice moved it on, finds nothing due: never a second notice
    assert all(d in ([case_id], []) for d in done) and [case_id] in done, done
    await settled(runtime)
    assert await keep_case_deadlines(runtime, warn + timedelta(minutes=1)) == []
    assert reminded(runtime, case_id) == [(Due.ACCEPT, BEFORE)]
    await keep_case_deadlines(runtime, T0 + timedelta(hours=2))
    await settled(runtime)
    await keep_case_deadlines(runtime, T0 + timedelta(hours=2, minutes=1))
    assert reminded(runtime, case_id) == [(Due.ACCEPT, BEFORE), (Due.ACCEPT, AT)]
    # accepted and answered: the rating window closes the unrated case, once
    await cases.accept(runtime, w.ctx(w.worker_a, T0 + timedelta(hours=3)), case_id)
    await cases.answer(runtime, w.ctx(w.worker_a, T0 + timedelta(hours=4)), case_id, "已更换灯泡")
    end = load(runtime, case_id).deadlines[Due.RATING][1]
    await settled(runtime)
    for moment in (end - timedelta(hours=1), end, end + timedelta(minutes=1), end + timedelta(minutes=2)):
        await keep_case_deadlines(runtime, moment)
        await settled(runtime)
    assert load(runtime, case_id).state == State.CLOSED
    assert count_topic(runtime, Case.Closed) == 1
    assert reminded(runtime, case_id)[-1] == (Due.RATING, BEFORE)
    assert await keep_case_deadlines(runtime, end + timedelta(days=30)) == []


async def test_a_lapsed_grid_workers_cases_go_to_the_clerks_queue_in_the_round(runtime):
    w = await world(runtime, worker_until=T0.date())
    one = UUID((await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "单元门坏了")).result["case_id"])
    await cases.accept(runtime, w.ctx(w.worker_a), one)
    await settled(runtime)
    assert await requeue_lapsed_owners(runtime, T0 + timedelta(hours=1)) == []  # the term runs to the end of today
    after = T0 + timedelta(days=1)
    assert await requeue_lapsed_owners(runtime, after) == [one]
    await settled(runtime)
    assert await requeue_lapsed_owners(runtime, after + timedelta(minutes=1)) == []
    case = load(runtime, one)
    assert (case.state, case.queue, case.owner_id) == (State.QUEUED, "clerk", None)
    assert count_topic(runtime, Case.Requeued) == 1
