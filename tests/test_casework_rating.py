"""After the answer, against the real stores: a rating only by a raiser (or a clerk recording one given by phone),
once, within the window; 不满意 reopens once to the clerk's queue; an unrated case closes at the end of its window;
a grid worker whose term ended loses their open cases to the clerk's queue; a merged duplicate's raisers follow;
care flags sealed in the log and a visit with a case raised in one step; a role grant stored before scopes existed
still loads."""

from __future__ import annotations

import json
from datetime import date, timedelta
from uuid import UUID

import pytest

from backend.casework.commands import care, cases
from backend.casework.commands.cases import NewCase
from backend.casework.domain.care import CareRecipient, Visit
from backend.casework.domain.case import Case
from backend.casework.domain.rules import Due, State, care_id_for
from backend.kernel.context import Ctx
from backend.kernel.personal import unseal
from backend.residents import commands as resident_commands
from backend.residents.domain.resident import Resident
from tests.factories import count_topic
from tests.test_casework import T0, load, quiet_runtime, refused, world

runtime = pytest.fixture(quiet_runtime, name="runtime")  # the rounds run by hand only


async def answered(rt, w, public: bool = True) -> UUID:
    done = await cases.raise_case(rt, w.ctx(w.resident), "facilities", "楼道灯坏了", public=public)
    case_id = UUID(done.result["case_id"])
    await cases.accept(rt, w.ctx(w.worker_a), case_id)
    await cases.answer(rt, w.ctx(w.worker_a, T0 + timedelta(hours=1)), case_id, "已更换灯泡")
    return case_id


async def test_a_rating_comes_only_from_a_raiser_once_within_the_window(runtime):
    w = await world(runtime)
    neighbour = w.residents[6]
    done = await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "楼道灯坏了", public=True)
    case_id = UUID(done.result["case_id"])
    await refused(runtime, cases.rate(runtime, w.ctx(w.resident), case_id, "satisfied", True), "answered", 409)
    await cases.join(runtime, w.ctx(neighbour), case_id)  # 我也遇到
    await cases.accept(runtime, w.ctx(w.worker_a), case_id)
    await cases.answer(runtime, w.ctx(w.worker_a, T0 + timedelta(hours=1)), case_id, "已更换灯泡")
    later = T0 + timedelta(hours=2)
    await refused(runtime, cases.rate(runtime, w.ctx(w.residents[7], later), case_id, "satisfied", True), "raised", 403)
    await refused(runtime, cases.rate(runtime, w.ctx(w.resident, later), case_id, "great", True), "满意")
    first = await cases.rate(runtime, w.ctx(w.resident, later), case_id, "basically_satisfied", True, "还行")
    assert first.result["result"] == "rated"
    await refused(
        runtime,
        cases.rate(runtime, w.ctx(w.resident, later, command_id="again"), case_id, "satisfied", True),
        "already",
    )
    # the neighbour told the clerk on the phone: the clerk records it for them
    by_phone = w.ctx(w.clerk, later, on_behalf_of=neighbour)
    await refused(runtime, cases.rate(runtime, by_phone, case_id, "satisfied", True), "phone or visit")
    done = await cases.rate(runtime, by_phone, case_id, "satisfied", True, "", channel="phone")
    assert done.result["result"] == "closed"
    case = load(runtime, case_id)
    assert case.state == State.CLOSED and case.deadlines == {}
    rated = [e for e in runtime.store.events.get(case_id) if isinstance(e, Case.Rated)]
    assert [(e.resident_id, e.channel, e.actor_id) for e in rated] == [
        (w.resident, "self", w.resident),
        (neighbour, "phone", w.clerk),
    ]


async def test_dissatisfied_reopens_once_to_the_clerk_and_the_window_closes_the_unrated(runtime):
    w = await world(runtime)
    case_id = await answered(runtime, w)
    t = T0 + timedelta(hours=2)
    done = await cases.rate(runtime, w.ctx(w.resident, t), case_id, "dissatisfied", False, "灯还是不亮")
    assert done.result["result"] == "reopened"
    case = load(runtime, case_id)
    assert (case.state, case.queue, case.owner_id, set(case.deadlines)) == (
        State.QUEUED,
        "clerk",
        None,
        {"accept", "answer"},
    )
    await refused(runtime, cases.accept(runtime, w.ctx(w.worker_a, t), case_id), "not in your queue", 403)
    await cases.accept(runtime, w.ctx(w.clerk, t), case_id)
    await cases.answer(runtime, w.ctx(w.clerk, t + timedelta(hours=1)), case_id, "请电工换了线路")
    window_end = load(runtime, case_id).deadlines[Due.RATING][1]
    system = Ctx(w.community_id, None, window_end - timedelta(minutes=1), command_id="early")
    done = await cases.keep_deadlines(runtime, system, case_id)  # the "before" notice only
    assert load(runtime, case_id).state == State.ANSWERED
    await refused(
        runtime,
        cases.keep_deadlines(runtime, Ctx(w.community_id, None, window_end - timedelta(seconds=30)), case_id),
        "Nothing",
    )
    await cases.keep_deadlines(runtime, Ctx(w.community_id, None, window_end), case_id)
    case = load(runtime, case_id)
    assert case.state == State.CLOSED
    closed = list(runtime.store.events.get(case_id))[-1]
    assert isinstance(closed, Case.Closed) and (closed.outcome, closed.unrated) == ("unrated", [w.resident])
    assert count_topic(runtime, Case.Reopened) == 1


async def test_a_grid_workers_open_cases_go_to_the_clerk_when_their_term_ends(runtime):
    w = await world(runtime, worker_until=T0.date() + timedelta(days=1))
    done = await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "单元门坏了")
    case_id = UUID(done.result["case_id"])
    await cases.accept(runtime, w.ctx(w.worker_a), case_id)
    await refused(runtime, cases.requeue(runtime, Ctx(w.community_id, None, T0), case_id), "still handles")
    after = T0 + timedelta(days=2)
    await cases.requeue(runtime, Ctx(w.community_id, None, after), case_id)
    case = load(runtime, case_id)
    assert (case.state, case.queue, case.owner_id) == (State.QUEUED, "clerk", None)
    assert Due.ANSWER in case.deadlines, "the answer's deadline runs on"
    await cases.accept(runtime, w.ctx(w.clerk, after), case_id)


async def test_a_merged_duplicate_is_over_and_its_raisers_rate_the_surviving_case(runtime):
    w = await world(runtime)
    one = UUID((await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "电梯坏了")).result["case_id"])
    two = UUID((await cases.raise_case(runtime, w.ctx(w.residents[6]), "facilities", "电梯又坏")).result["case_id"])
    await cases.accept(runtime, w.ctx(w.worker_a), one)
    await refused(runtime, cases.merge(runtime, w.ctx(w.worker_b), one, two), "owner", 403)
    await cases.merge(runtime, w.ctx(w.worker_a), one, two)
    assert load(runtime, two).state == State.MERGED and load(runtime, one).raisers == [w.resident, w.residents[6]]
    await cases.answer(runtime, w.ctx(w.worker_a), one, "电梯已修好")
    done = await cases.rate(runtime, w.ctx(w.residents[6]), one, "satisfied", True)
    assert done.result["result"] == "rated"


async def test_care_flags_are_sealed_and_a_visit_raises_a_case_in_one_step(runtime):
    w = await world(runtime)
    household = load_resident(runtime, w.resident).household_id
    await refused(runtime, care.flag_care(runtime, w.ctx(w.worker_a), household, ["alone"]), None, 403)
    await refused(runtime, care.flag_care(runtime, w.ctx(w.clerk), household, ["lonely"]), "care category")
    done = await care.flag_care(runtime, w.ctx(w.clerk), household, ["alone", "elderly"], resident_id=w.resident)
    assert done.result["next_visit_due"] == (T0.date() + timedelta(days=7)).isoformat()  # 独居高龄: weekly
    flagged = next(iter(runtime.store.events.get(care_id_for(household))))
    assert "alone" not in flagged.categories_sealed and "elderly" not in json.dumps(flagged.__dict__, default=str)
    key = runtime.personal.keys([w.resident])[w.resident]
    assert json.loads(unseal(key, flagged.categories_sealed)) == ["alone", "elderly"]
    # the worker of another grid may not visit here; the grid's own worker visits and raises a case at once
    on = T0.date()
    await refused(
        runtime, care.log_visit(runtime, w.ctx(w.worker_b), household, on, "一切正常"), "not in your grids", 403
    )
    visit = await care.log_visit(
        runtime,
        w.ctx(w.worker_a, command_id="visit-1"),
        household,
        on,
        "老人反映卫生间漏水",
        NewCase("property", "卫生间漏水到楼下"),
        raiser_id=w.resident,
    )
    case = load(runtime, visit.result["case_id"])
    assert (case.raisers, case.building, case.grid_id) == ([w.resident], "1栋", w.grid_a)
    raised = next(iter(runtime.store.events.get(case.id)))
    assert (raised.authority, raised.on_behalf_of) == ("grid_worker", w.resident)
    logged = list(runtime.store.events.get(UUID(visit.result["visit_id"])))[-1]
    assert isinstance(logged, Visit.Logged) and logged.case_id == case.id
    recipient: CareRecipient = runtime.store.repository.get(care_id_for(household))
    assert (recipient.last_visit, recipient.next_visit_due) == (on, on + timedelta(days=7))
    # a visit planned for a volunteer: only they record it
    planned = await care.plan_visit(
        runtime, w.ctx(w.worker_a), household, w.residents[7], "送药", on + timedelta(days=2)
    )
    visit_id = UUID(planned.result["visit_id"])
    await refused(runtime, care.record_visit(runtime, w.ctx(w.residents[6]), visit_id, on, "x"), "someone else", 403)
    await care.record_visit(
        runtime, w.ctx(w.residents[7], T0 + timedelta(days=1)), visit_id, on + timedelta(days=1), "药已送到"
    )
    recipient = runtime.store.repository.get(care_id_for(household))
    assert recipient.next_visit_due == on + timedelta(days=8)


def load_resident(rt, resident_id: UUID) -> Resident:
    return rt.store.repository.get(resident_id)


async def test_a_role_grant_stored_before_scopes_still_loads(runtime):
    w = await world(runtime)
    event = next(e for e in runtime.store.events.get(w.clerk) if isinstance(e, Resident.RoleGranted))
    stored = runtime.store.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("scope") == ""
    old = type(stored)(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())
    loaded = runtime.store.mapper.to_domain_event(old)
    assert loaded.scope == "" and loaded.role == "clerk"
    resident = None
    for e in runtime.store.events.get(w.clerk):
        resident = (loaded if e.originator_version == loaded.originator_version else e).mutate(resident)
    assert "clerk" in resident.roles_on(date(2026, 11, 2))
    staff: Resident = runtime.store.repository.get(w.power_staff)
    assert staff.actor(date(2026, 11, 2)).departments == frozenset({str(w.power)})
    await refused(
        runtime,
        resident_commands.grant_role(runtime, w.ctx(w.clerk), w.resident, "department_staff", scope=str(w.power)),
        "appointed by the street",
        403,
    )
