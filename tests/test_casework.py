"""Casework's commands against the real stores (SQLite, or PostgreSQL with LINLI_TEST_DATABASE=postgres): routing to
the grid of the building or place (else the clerk's queue), raising for a neighbour only with the authority, the
first accept wins under real thread concurrency (two runners standing for two processes), a whistle through the
street to a department of another community's staff and back, the extension. Refusals write nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from backend.casework.commands import cases, grids, street, whistles
from backend.casework.domain.case import Case
from backend.casework.domain.matters import Narrowing
from backend.casework.domain.rules import Due, State
from backend.community import commands as community_commands
from backend.community.domain.community import community_id_for
from backend.config import Settings
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.runner import CommandRunner
from backend.kernel.store import open_event_store
from backend.residents import commands as resident_commands
from backend.residents.domain.household import HouseholdRow, household_id_for
from backend.runtime import Runtime
from tests.factories import community, count_topic, grant

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in China
STREET = "和平街道"


@dataclass
class World:
    """社区test of 和平街道: resident 0 the clerk, 1 and 2 grid workers (第一网格 holds 1栋, 第二网格 the place 北门),
    3 the 楼长 of 1栋, 4 the street's operator, 5… residents of 1栋; `elsewhere` lives in 2栋 (in no grid). In
    社区there, of the same street, lives the staff of 供电所 (`power_staff`) and of 城管 (`city_staff`)."""

    community_id: UUID
    residents: list[UUID]
    elsewhere: UUID
    grid_a: UUID
    grid_b: UUID
    power: UUID
    city: UUID
    power_staff: UUID
    city_staff: UUID

    def ctx(self, who: UUID | None, now: datetime = T0, **kw: object) -> Ctx:
        return Ctx(self.community_id, who, now, **kw)  # type: ignore[arg-type]

    @property
    def clerk(self) -> UUID:
        return self.residents[0]

    @property
    def worker_a(self) -> UUID:
        return self.residents[1]

    @property
    def worker_b(self) -> UUID:
        return self.residents[2]

    @property
    def head(self) -> UUID:
        return self.residents[3]

    @property
    def operator(self) -> UUID:
        return self.residents[4]

    @property
    def resident(self) -> UUID:
        return self.residents[5]


async def _second_resident(rt: Runtime, cid: UUID, building: str, phone: str) -> UUID:
    system = Ctx(cid, None, T0)
    await resident_commands.import_households(rt, system, [HouseholdRow(0, building, "1单元", "101室", ())])
    household = household_id_for(cid, building, "1单元", "101室")
    done = await resident_commands.register(rt, system, "住户", phone, household, "", verified=True)
    return UUID(done.result["resident_id"])


async def world(rt: Runtime, residents: int = 8, worker_until=None) -> World:
    place = await community(rt, T0, residents=residents, passwords=False)
    cid, system = place.community_id, Ctx(place.community_id, None, T0)
    await community_commands.set_street(rt, system, STREET)
    await grant(rt, place, 0, "clerk", now=T0)
    for index in (1, 2):
        await resident_commands.grant_role(rt, system, place.residents[index], "grid_worker", until=worker_until)
    await grant(rt, place, 3, "building_head", now=T0)
    await resident_commands.grant_role(rt, system, place.residents[4], "street_operator", street=STREET)
    elsewhere = await _second_resident(rt, cid, "2栋", "13700000001")
    clerk = Ctx(cid, place.residents[0], T0)
    grid_a = UUID((await grids.draw_grid(rt, clerk, "第一网格")).result["grid_id"])
    grid_b = UUID((await grids.draw_grid(rt, replace(clerk, command_id="b"), "第二网格")).result["grid_id"])
    await grids.add_building(rt, clerk, grid_a, "1栋")
    await grids.set_place(rt, clerk, "北门", grid_b)
    await grids.assign_worker(rt, clerk, grid_a, place.residents[1])
    await grids.assign_worker(rt, replace(clerk, command_id="w2"), grid_b, place.residents[2])
    await grids.assign_head(rt, clerk, "1栋", place.residents[3])
    # 社区there, of the same street: where the departments' staff live
    there = community_id_for("there")
    await community_commands.found(rt, Ctx(there, None, T0), "社区there", "there")
    await community_commands.set_street(rt, Ctx(there, None, T0), STREET)
    power_staff = await _second_resident(rt, there, "9栋", "13700000002")
    city_staff = await _second_resident(rt, there, "8栋", "13700000003")
    operator = Ctx(cid, place.residents[4], T0)
    power = UUID(
        (await street.register_department(rt, operator, STREET, "供电所", "power", ["power"])).result["department_id"]
    )
    city = UUID(
        (
            await street.register_department(rt, replace(operator, command_id="c"), STREET, "城管", "city", ["city"])
        ).result["department_id"]
    )
    await street.appoint_staff(rt, operator, power, power_staff)
    await street.appoint_staff(rt, replace(operator, command_id="s2"), city, city_staff)
    return World(cid, place.residents, elsewhere, grid_a, grid_b, power, city, power_staff, city_staff)


async def quiet_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime whose own 15-second rounds are off: the cases here live in November 2026, and a round made at the
    real time would send their notices in the middle of a test (tests/test_casework_rounds.py makes them)."""
    rt = Runtime(settings, passes=())
    await rt.start(run_projector=True)
    try:
        yield rt
    finally:
        await rt.stop()


runtime = pytest.fixture(quiet_runtime, name="runtime")


def load(rt: Runtime, case_id: str | UUID) -> Case:
    return rt.store.repository.get(UUID(str(case_id)))


async def refused(rt: Runtime, call, match: str | None = None, status: int | None = None) -> DomainError:
    before = rt.event_count()
    with pytest.raises(DomainError, match=match) as error:
        await call
    assert rt.event_count() == before, "a refusal writes nothing"
    if status is not None:
        assert error.value.status == status
    return error.value


async def test_a_case_goes_to_the_grid_of_its_building_or_place_else_to_the_clerks_queue(runtime):
    w = await world(runtime)
    mine = await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "1栋2单元楼道灯坏了一周", public=True)
    assert (mine.result["queue"], mine.result["grid_id"]) == ("grid", str(w.grid_a))
    case = load(runtime, mine.result["case_id"])
    assert (case.building, case.raisers, case.state) == ("1栋", [w.resident], State.QUEUED)
    assert case.deadlines[Due.ACCEPT][1] == T0 + timedelta(hours=2)  # two working hours
    assert case.deadlines[Due.ANSWER][1] == T0 + timedelta(days=7)  # five working days
    at_gate = await cases.raise_case(runtime, w.ctx(w.resident), "environment", "北门垃圾没人清", place="北门")
    assert at_gate.result["grid_id"] == str(w.grid_b)
    nowhere = await cases.raise_case(runtime, w.ctx(w.elsewhere), "other", "2栋门禁坏了", urgent=True)
    assert (nowhere.result["queue"], nowhere.result["grid_id"]) == ("clerk", "")
    assert load(runtime, nowhere.result["case_id"]).deadlines[Due.ACCEPT][1] == T0 + timedelta(minutes=30)
    await refused(runtime, cases.raise_case(runtime, w.ctx(w.resident), "facilities", "x", place="南门"), "place")
    await refused(runtime, cases.raise_case(runtime, w.ctx(w.resident), "nonsense", "x"), "category")
    await refused(runtime, cases.raise_case(runtime, w.ctx(w.resident), "facilities", "  "), "Say what is wrong")
    await refused(runtime, cases.raise_case(runtime, w.ctx(w.resident), "facilities", "x", photos=["../etc"]), "Photo")
    # the community drops a category: it can no longer be raised (nothing else changes)
    await street.narrow_matter(runtime, w.ctx(w.clerk), "other", Narrowing(dropped=True), T0.date())
    await refused(runtime, cases.raise_case(runtime, w.ctx(w.resident), "other", "别的事"), "category")
    repeat = w.ctx(w.resident, command_id="same-form")
    first = await cases.raise_case(runtime, repeat, "facilities", "电梯异响")
    again = await cases.raise_case(runtime, repeat, "facilities", "电梯异响")
    assert again.duplicate and again.result == first.result, "the same form sent twice is one case"


async def test_raising_for_a_neighbour_takes_the_authority_of_their_grid_or_building(runtime):
    w = await world(runtime)
    by_head = await cases.raise_case(runtime, w.ctx(w.head, on_behalf_of=w.resident), "elderly", "独居老人需要助餐")
    case = load(runtime, by_head.result["case_id"])
    assert case.raisers == [w.resident]
    raised = runtime.store.repository.get(case.id, version=1)
    assert raised.raisers == [w.resident]
    first = next(e for e in runtime.store.events.get(case.id))
    assert (first.authority, first.actor_id, first.on_behalf_of) == ("building_head", w.head, w.resident)
    # the 楼长 of 1栋 may not raise for 2栋; the worker of 第二网格 not for 1栋; a resident not at all
    await refused(runtime, cases.raise_case(runtime, w.ctx(w.head, on_behalf_of=w.elsewhere), "other", "x"), None, 403)
    await refused(
        runtime, cases.raise_case(runtime, w.ctx(w.worker_b, on_behalf_of=w.resident), "other", "x"), None, 403
    )
    await refused(
        runtime, cases.raise_case(runtime, w.ctx(w.residents[6], on_behalf_of=w.resident), "other", "x"), None, 403
    )
    by_worker = await cases.raise_case(runtime, w.ctx(w.worker_a, on_behalf_of=w.resident), "other", "电话反映")
    by_clerk = await cases.raise_case(runtime, w.ctx(w.clerk, on_behalf_of=w.elsewhere), "other", "来访反映")
    authorities = [
        next(iter(runtime.store.events.get(UUID(r.result["case_id"])))).authority for r in (by_worker, by_clerk)
    ]
    assert authorities == ["grid_worker", "clerk"]


async def test_many_accepts_at_once_make_exactly_one_owner(runtime, settings):
    w = await world(runtime)
    done = await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "楼道灯坏了")
    case_id = UUID(done.result["case_id"])
    other = CommandRunner(open_event_store(settings))  # a second process
    accepters = [w.clerk, w.worker_a, w.worker_b]

    def attempt(n: int) -> str:
        ctx = w.ctx(accepters[n % 3], T0 + timedelta(minutes=5))
        runner = runtime.commands if n % 2 else other
        try:
            runner.run("case.accept", ctx, case_id, cases.accept_action(ctx, case_id))
        except DomainError as error:
            return error.message
        return f"owner {accepters[n % 3]}"

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(attempt, range(120)))
    owners = [r for r in results if r.startswith("owner")]
    assert len(owners) == 1, results
    told = results.count("Someone accepted this case first.") + results.count("This case is not in your queue.")
    assert told == 119
    assert owners[0] != f"owner {w.worker_b}", "the worker of another grid never takes it"
    assert count_topic(runtime, Case.Accepted) == 1
    assert owners[0] == f"owner {load(runtime, case_id).owner_id}"


async def test_a_whistle_goes_through_the_street_to_a_department_and_its_answer_back_to_the_owner(runtime):
    w = await world(runtime)
    done = await cases.raise_case(runtime, w.ctx(w.resident), "power", "1栋整栋停电")
    case_id = UUID(done.result["case_id"])
    t = T0 + timedelta(minutes=10)
    await cases.accept(runtime, w.ctx(w.worker_a, t), case_id)
    await refused(runtime, whistles.whistle(runtime, w.ctx(w.worker_b, t), case_id), "owner", 403)
    await whistles.whistle(runtime, w.ctx(w.worker_a, t), case_id)  # 供电所, as the matter list names
    case = load(runtime, case_id)
    assert case.whistle.department_id == w.power and case.deadlines[Due.REPORT][1] == t + timedelta(hours=24)
    # the staff of another department (living in another community) cannot touch it; the street re-routes
    await refused(runtime, whistles.report_in(runtime, w.ctx(w.city_staff, t), case_id), "not whistled", 403)
    await refused(runtime, whistles.reroute(runtime, w.ctx(w.clerk, t), case_id, w.city, "城管"), None, 403)
    await whistles.reroute(runtime, w.ctx(w.operator, t + timedelta(minutes=1)), case_id, w.city, "线路属城管路灯")
    await refused(runtime, whistles.report_in(runtime, w.ctx(w.power_staff, t), case_id), "not whistled", 403)
    await whistles.return_whistle(runtime, w.ctx(w.city_staff, t + timedelta(hours=1)), case_id, "非城管职责")
    case = load(runtime, case_id)
    assert case.whistle is None and set(case.deadlines) == {Due.ANSWER}
    t2 = t + timedelta(hours=2)
    await whistles.whistle(runtime, w.ctx(w.worker_a, t2, command_id="again"), case_id)
    await refused(
        runtime, whistles.department_answer(runtime, w.ctx(w.power_staff, t2), case_id, "已修复"), "Report in"
    )
    await whistles.report_in(runtime, w.ctx(w.power_staff, t2 + timedelta(minutes=20)), case_id)
    await refused(runtime, cases.answer(runtime, w.ctx(w.worker_a, t2), case_id, "已修复"), "department", 409)
    await whistles.department_answer(
        runtime, w.ctx(w.power_staff, t2 + timedelta(hours=3)), case_id, "更换了变压器保险"
    )
    await cases.answer(runtime, w.ctx(w.worker_a, t2 + timedelta(hours=4)), case_id, "供电所已恢复供电")
    case = load(runtime, case_id)
    assert case.state == State.ANSWERED and case.whistles == 2
    events = [type(e).__name__ for e in runtime.store.events.get(case_id)]
    assert events == [
        "Raised",
        "Accepted",
        "Whistled",
        "Rerouted",
        "WhistleReturned",
        "Whistled",
        "ReportedIn",
        "DepartmentAnswered",
        "Answered",
    ]
    staff_event = next(e for e in runtime.store.events.get(case_id) if isinstance(e, Case.ReportedIn))
    assert (staff_event.actor_id, staff_event.community_id) == (w.power_staff, w.community_id)


async def test_a_category_solved_in_the_community_is_whistled_with_a_reason_to_a_department_of_the_street(runtime):
    w = await world(runtime)
    done = await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "健身器材坏了")
    case_id = UUID(done.result["case_id"])
    await cases.accept(runtime, w.ctx(w.worker_a), case_id)
    owner = w.ctx(w.worker_a)
    # the default 即办 line names no department: the owner chooses one of the street's, else a clear refusal
    error = await refused(runtime, whistles.whistle(runtime, owner, case_id, "器材属市政"), "choose the department")
    assert error.field == "department_id"
    await refused(runtime, whistles.whistle(runtime, owner, case_id, "", w.city), "Say why")
    await refused(runtime, whistles.whistle(runtime, owner, case_id, "器材属市政", UUID(int=5)), "No such", 404)
    other_street = await street.register_department(runtime, w.ctx(None), "另一街道", "外街城管", "city", ["city"])
    elsewhere = UUID(other_street.result["department_id"])
    await refused(runtime, whistles.whistle(runtime, owner, case_id, "器材属市政", elsewhere), "of the street")
    await refused(runtime, whistles.whistle(runtime, w.ctx(w.worker_b), case_id, "器材属市政", w.city), "owner", 403)
    done = await whistles.whistle(runtime, w.ctx(w.worker_a, command_id="w"), case_id, "器材属市政维护", w.city)
    assert done.result["result"] == str(w.city)
    assert load(runtime, case_id).whistle.department_id == w.city
    whistled = next(e for e in runtime.store.events.get(case_id) if isinstance(e, Case.Whistled))
    assert (whistled.department_id, whistled.reason) == (w.city, "器材属市政维护")

    # once the matter list names a department for the category, a whistle naming none goes to it
    line = await street.register_department(runtime, w.ctx(w.operator), STREET, "物业公司", "property", ["facilities"])
    assert line.result["department_id"]
    done = await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "单元门禁坏了")
    second = UUID(done.result["case_id"])
    await cases.accept(runtime, w.ctx(w.worker_a), second)
    await refused(runtime, whistles.whistle(runtime, w.ctx(w.worker_a), second), "Say why")
    await whistles.whistle(runtime, w.ctx(w.worker_a, command_id="w2"), second, "门禁属物业维保")
    assert str(load(runtime, second).whistle.department_id) == line.result["department_id"]


async def test_one_extension_approved_by_the_clerk_moves_the_answer_deadline(runtime):
    w = await world(runtime)
    done = await cases.raise_case(runtime, w.ctx(w.resident), "neighbours", "楼上漏水")
    case_id = UUID(done.result["case_id"])
    await cases.accept(runtime, w.ctx(w.worker_a), case_id)
    due = load(runtime, case_id).deadlines[Due.ANSWER][1]
    await refused(runtime, cases.request_extension(runtime, w.ctx(w.worker_a), case_id, 16, "等鉴定"), "1 to 15")
    await cases.request_extension(runtime, w.ctx(w.worker_a), case_id, 10, "等房屋鉴定结果")
    await refused(runtime, cases.approve_extension(runtime, w.ctx(w.worker_a), case_id), None, 403)
    await cases.approve_extension(runtime, w.ctx(w.clerk), case_id)
    assert load(runtime, case_id).deadlines[Due.ANSWER][1] == due + timedelta(days=10)
    await refused(
        runtime, cases.request_extension(runtime, w.ctx(w.worker_a, command_id="x"), case_id, 3, "再等"), "once"
    )


async def test_the_street_keeps_its_lists_and_nobody_else_does(runtime):
    w = await world(runtime)
    await refused(
        runtime, street.set_calendar_day(runtime, w.ctx(w.clerk), STREET, T0.date(), False, "停电"), None, 403
    )
    await refused(
        runtime, street.set_calendar_day(runtime, w.ctx(w.operator), "别的街道", T0.date(), False, "x"), None, 403
    )
    await street.set_calendar_day(runtime, w.ctx(w.operator), STREET, T0.date(), False, "街道停电检修")
    done = await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "路灯不亮")
    # Monday is a holiday now: two working hours from Tuesday 08:30
    assert load(runtime, done.result["case_id"]).deadlines[Due.ACCEPT][1] == datetime(2026, 11, 3, 2, 30, tzinfo=UTC)
    await refused(
        runtime, street.register_department(runtime, w.ctx(w.operator), STREET, "供电所", "power", []), "exists"
    )
    await refused(
        runtime, street.appoint_staff(runtime, w.ctx(w.operator), w.power, w.city_staff), "another department"
    )


async def test_a_casework_rule_changed_from_a_later_day_moves_only_the_cases_raised_from_then(runtime):
    """Deadlines are data with effective dates: the rule in force on the day a case is raised fixes its deadlines;
    a change from Wednesday leaves Monday's case as it was."""
    w = await world(runtime)
    wednesday = T0 + timedelta(days=2)
    await community_commands.set_rule(runtime, w.ctx(None), "case_accept_hours", 4, wednesday.date())
    monday = await cases.raise_case(runtime, w.ctx(w.resident), "facilities", "1栋2单元楼道灯坏了一周")
    later = await cases.raise_case(runtime, w.ctx(w.resident, wednesday), "facilities", "1栋3单元门口积水")
    assert load(runtime, monday.result["case_id"]).deadlines[Due.ACCEPT][1] == T0 + timedelta(hours=2)
    # 09:00 + 4 working hours: 12:00 closes the morning's 3, 14:00 opens the afternoon's 1 → 15:00
    assert load(runtime, later.result["case_id"]).deadlines[Due.ACCEPT][1] == wednesday + timedelta(hours=6)
