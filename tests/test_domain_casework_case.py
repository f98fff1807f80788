"""The Case over random command sequences (hypothesis): whatever is tried, by whomever, in whatever order — one
owner at a time (none while queued, exactly one while accepted or answered); every open case has a next deadline
and a closed one none; a rating only by a raiser, once per answer, after the answer and within its window; 不满意
reopens once; every notice once; the events alone rebuild the same case. Plus the single steps' rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from backend.casework.domain.case import Case
from backend.casework.domain.deadlines import Handler, Terms, next_deadline, next_notice_at
from backend.casework.domain.rules import DEFAULT_MATTERS, Due, MatterItem, State, national_days
from backend.casework.domain.worktime import WorkTime
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError

COMMUNITY = uuid4()
GRID, OTHER_GRID = uuid4(), uuid4()
RAISER, NEIGHBOUR, STRANGER = uuid4(), uuid4(), uuid4()
WORKER, OTHER_WORKER, CLERK = uuid4(), uuid4(), uuid4()
DEPARTMENT, OTHER_DEPARTMENT = uuid4(), uuid4()
HANDLERS = {
    WORKER: Handler(WORKER, grids=frozenset({GRID})),
    OTHER_WORKER: Handler(OTHER_WORKER, grids=frozenset({OTHER_GRID})),
    CLERK: Handler(CLERK, clerk=True),
}
TERMS = Terms(WorkTime(national_days()))
START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in China
ITEMS = {item.code: item for item in DEFAULT_MATTERS}
residents = st.sampled_from([RAISER, NEIGHBOUR, STRANGER])
handlers = st.sampled_from(list(HANDLERS))
departments = st.sampled_from([DEPARTMENT, OTHER_DEPARTMENT])
levels = st.sampled_from(["satisfied", "basically_satisfied", "dissatisfied"])


def raised(now: datetime = START, urgent: bool = False, public: bool = True, item: MatterItem | None = None) -> Case:
    return Case.raise_case(
        Ctx(COMMUNITY, RAISER, now),
        uuid4(),
        RAISER,
        "",
        item or ITEMS["facilities"],
        "3栋2单元楼道灯坏了一周",
        "3栋",
        "",
        [],
        urgent,
        public,
        GRID,
        TERMS,
    )


class CaseMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.case = raised(public=True, urgent=True)
        self.events = list(self.case.collect_events())
        self.rated: set[tuple[int, UUID]] = set()

    def ctx(self, actor: UUID | None) -> Ctx:
        return Ctx(COMMUNITY, actor, self.now)

    def attempt(self, change) -> bool:
        before = self.case.version
        try:
            change()
        except DomainError:
            assert self.case.version == before, "a refusal changes nothing"
            return False
        self.events += self.case.collect_events()
        return True

    @rule(minutes=st.one_of(st.integers(min_value=1, max_value=240), st.integers(min_value=1, max_value=60 * 24 * 6)))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    # The owner's, the department's and the raisers' likely steps, so that sequences reach whistles, answers,
    # ratings and closings often (the rules above try anything by anyone).
    @precondition(lambda self: self.case.owner_id is not None)
    @rule()
    def the_owner_answers(self) -> None:
        owner = HANDLERS[self.case.owner_id]
        self.attempt(lambda: self.case.answer(self.ctx(owner.id), owner, "已处理", [], TERMS))

    @precondition(lambda self: self.case.owner_id is not None)
    @rule(department=departments)
    def the_owner_whistles(self, department: UUID) -> None:
        owner = HANDLERS[self.case.owner_id]
        self.attempt(lambda: self.case.whistle_to(self.ctx(owner.id), owner, department, "需要部门", TERMS))

    @precondition(lambda self: self.case.whistle is not None)
    @rule()
    def the_department_reports_in(self) -> None:
        self.attempt(lambda: self.case.report_in(self.ctx(None), self.case.whistle.department_id))

    @precondition(lambda self: self.case.whistle is not None)
    @rule()
    def the_department_answers(self) -> None:
        self.attempt(lambda: self.case.department_answer(self.ctx(None), self.case.whistle.department_id, "已办", []))

    @precondition(lambda self: self.case.state == State.ANSWERED)
    @rule(level=levels, index=st.integers(min_value=0, max_value=5))
    def a_raiser_rates(self, level: str, index: int) -> None:
        resident = self.case.raisers[index % len(self.case.raisers)]
        self.rate(resident, level, True)

    @rule(who=handlers)
    def accept(self, who: UUID) -> None:
        was = (self.case.state, self.case.queue, self.case.grid_id)
        if self.attempt(lambda: self.case.accept(self.ctx(who), HANDLERS[who])):
            assert was[0] == State.QUEUED, "only a queued case is accepted: the first accept wins"
            assert HANDLERS[who].clerk or (was[1] == "grid" and was[2] in HANDLERS[who].grids)

    @rule(who=handlers, to=handlers)
    def hand_over(self, who: UUID, to: UUID) -> None:
        self.attempt(lambda: self.case.hand_over(self.ctx(who), HANDLERS[who], HANDLERS[to], "休假"))

    @rule(still=st.booleans())
    def owner_term_ends(self, still: bool) -> None:
        if self.attempt(lambda: self.case.requeue(self.ctx(None), still, "term_ended")):
            assert not still and self.case.queue == "clerk"

    @rule(who=handlers)
    def downgrade(self, who: UUID) -> None:
        self.attempt(lambda: self.case.downgrade(self.ctx(who), HANDLERS[who], "不危及安全", TERMS))

    @rule(who=handlers)
    def note(self, who: UUID) -> None:
        self.attempt(lambda: self.case.add_note(self.ctx(who), HANDLERS[who], "已联系物业", []))

    @rule(resident=residents)
    def me_too(self, resident: UUID) -> None:
        self.attempt(lambda: self.case.join(self.ctx(resident), resident))

    @rule(who=handlers, department=departments, reason=st.sampled_from(["", "需要供电所"]))
    def whistle(self, who: UUID, department: UUID, reason: str) -> None:
        self.attempt(lambda: self.case.whistle_to(self.ctx(who), HANDLERS[who], department, reason, TERMS))

    @rule(department=departments)
    def reroute(self, department: UUID) -> None:
        self.attempt(lambda: self.case.reroute(self.ctx(None), department, "不属该部门", TERMS))

    @rule(department=departments)
    def report_in(self, department: UUID) -> None:
        self.attempt(lambda: self.case.report_in(self.ctx(None), department))

    @rule(department=departments)
    def return_it(self, department: UUID) -> None:
        self.attempt(lambda: self.case.return_whistle(self.ctx(None), department, "非本部门职责"))

    @rule(department=departments)
    def department_answers(self, department: UUID) -> None:
        self.attempt(lambda: self.case.department_answer(self.ctx(None), department, "已更换灯具", []))

    @rule(who=handlers, days=st.integers(min_value=0, max_value=20))
    def ask_extension(self, who: UUID, days: int) -> None:
        self.attempt(lambda: self.case.request_extension(self.ctx(who), HANDLERS[who], days, "等配件", TERMS))

    @rule(approve=st.booleans())
    def decide_extension(self, approve: bool) -> None:
        answer_due = self.case.deadlines.get(Due.ANSWER, [None, None])[1]
        days = self.case.extension_days
        if approve:
            if self.attempt(lambda: self.case.approve_extension(self.ctx(CLERK), TERMS)):
                assert self.case.deadlines[Due.ANSWER][1] == answer_due + timedelta(days=days)
        else:
            self.attempt(lambda: self.case.decline_extension(self.ctx(CLERK), "不必延期"))

    @rule(who=handlers)
    def answer(self, who: UUID) -> None:
        was = (self.case.state, self.case.owner_id, self.case.whistle)
        if self.attempt(lambda: self.case.answer(self.ctx(who), HANDLERS[who], "灯已修好", [], TERMS)):
            assert was == (State.ACCEPTED, who, None), "only the owner answers, and not while a department has it"

    @rule(resident=residents, level=levels, solved=st.booleans())
    def rate(self, resident: UUID, level: str, solved: bool) -> None:
        was = (self.case.state, list(self.case.raisers), self.case.round, dict(self.case.deadlines))
        outcome: list[str] = []
        if self.attempt(
            lambda: outcome.append(self.case.rate(self.ctx(resident), resident, level, solved, "", "self", TERMS))
        ):
            state, raisers, rnd, deadlines = was
            assert state == State.ANSWERED, "a rating comes after the answer"
            assert resident in raisers, "only a raiser rates"
            assert (rnd, resident) not in self.rated, "once per answer"
            assert self.now <= deadlines[Due.RATING][1], "within the window"
            self.rated.add((rnd, resident))

    @rule()
    def rounds(self) -> None:
        self.attempt(lambda: self.case.keep_deadlines(self.ctx(None)))

    @invariant()
    def one_owner_at_a_time(self) -> None:
        case = self.case
        if case.state == State.QUEUED:
            assert case.owner_id is None and case.queue in ("grid", "clerk")
        elif case.state in (State.ACCEPTED, State.ANSWERED):
            assert case.owner_id is not None and case.queue == ""
        else:
            assert case.owner_id is None

    @invariant()
    def every_open_case_has_a_next_deadline(self) -> None:
        if self.case.open:
            assert next_deadline(self.case.deadlines) is not None
            assert Due.ANSWER in self.case.deadlines or Due.RATING in self.case.deadlines
        else:
            assert self.case.deadlines == {}

    @invariant()
    def reopened_at_most_once(self) -> None:
        reopenings = [e for e in self.events if isinstance(e, Case.Reopened)]
        assert len(reopenings) <= 1

    @invariant()
    def each_notice_once(self) -> None:
        sent = [(e.kind, e.stage, e.due) for e in self.events if isinstance(e, Case.Reminded)]
        assert len(sent) == len(set(sent))

    @invariant()
    def the_events_alone_rebuild_it(self) -> None:
        rebuilt = None
        for event in self.events:
            rebuilt = event.mutate(rebuilt)
        assert rebuilt is not None
        for name in ("state", "owner_id", "queue", "raisers", "deadlines", "round", "ratings", "reminded", "urgent"):
            assert getattr(rebuilt, name) == getattr(self.case, name), name
        last = self.events[-1]
        assert last.notice_at == next_notice_at(self.case.deadlines, self.case.reminded)


CaseMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_case_invariants_over_command_sequences = CaseMachine.TestCase


# -- single steps -------------------------------------------------------------------------------------------------
def at(case: Case, minutes: int, actor: UUID | None = None) -> Ctx:
    return Ctx(COMMUNITY, actor, START + timedelta(minutes=minutes))


def test_a_raised_case_is_due_in_working_time_and_an_urgent_one_on_the_clock():
    case = raised()
    assert case.deadlines[Due.ACCEPT][1] == START + timedelta(hours=2)  # Monday 11:00 in China
    assert case.deadlines[Due.ANSWER][1] == START + timedelta(days=7)  # five working days: the next Monday 09:00
    urgent = raised(urgent=True)
    assert urgent.deadlines[Due.ACCEPT] == [START + timedelta(minutes=22, seconds=30), START + timedelta(minutes=30)]
    evening = raised(now=START + timedelta(hours=9))  # Monday 18:00: counted from Tuesday 08:30
    assert evening.deadlines[Due.ACCEPT][1] == datetime(2026, 11, 3, 2, 30, tzinfo=UTC)


def test_the_first_accept_wins_and_the_second_is_told():
    case = raised()
    case.accept(at(case, 5, WORKER), HANDLERS[WORKER])
    with pytest.raises(DomainError, match="first") as refused:
        case.accept(at(case, 6, CLERK), HANDLERS[CLERK])
    assert refused.value.status == 409 and case.owner_id == WORKER
    with pytest.raises(DomainError, match="not in your queue"):
        raised().accept(at(case, 5, OTHER_WORKER), HANDLERS[OTHER_WORKER])


def test_a_category_solved_in_the_community_is_whistled_only_with_a_reason():
    case = raised()
    case.accept(at(case, 5, WORKER), HANDLERS[WORKER])
    with pytest.raises(DomainError) as refused:
        case.whistle_to(at(case, 6, WORKER), HANDLERS[WORKER], DEPARTMENT, "  ", TERMS)
    assert refused.value.field == "reason"
    case.whistle_to(at(case, 6, WORKER), HANDLERS[WORKER], DEPARTMENT, "需要供电所检修线路", TERMS)
    assert case.deadlines[Due.REPORT][1] == START + timedelta(minutes=6, hours=24)
    whistled = raised(item=ITEMS["power"])
    whistled.accept(at(whistled, 5, WORKER), HANDLERS[WORKER])
    whistled.whistle_to(at(whistled, 6, WORKER), HANDLERS[WORKER], DEPARTMENT, "", TERMS)  # 吹哨 by the list


def test_a_department_returns_only_within_its_time_to_report_in_and_answers_only_after_reporting():
    case = raised(item=ITEMS["power"])
    case.accept(at(case, 5, WORKER), HANDLERS[WORKER])
    case.whistle_to(at(case, 6, WORKER), HANDLERS[WORKER], DEPARTMENT, "", TERMS)
    with pytest.raises(DomainError, match="not whistled to your department"):
        case.report_in(at(case, 7), OTHER_DEPARTMENT)
    with pytest.raises(DomainError, match="Report in"):
        case.department_answer(at(case, 7), DEPARTMENT, "已修复", [])
    with pytest.raises(DomainError, match="passed"):
        case.return_whistle(at(case, 6 + 24 * 60 + 1), DEPARTMENT, "不是我们的")
    case.report_in(at(case, 60), DEPARTMENT)
    case.department_answer(at(case, 120), DEPARTMENT, "已修复线路", [])
    assert case.whistle is None and set(case.deadlines) == {Due.ANSWER}
    case.answer(at(case, 130, WORKER), HANDLERS[WORKER], "供电所已修复", [], TERMS)
    assert case.state == State.ANSWERED


def test_the_unrated_close_at_the_end_of_the_window_and_never_count_as_rated():
    case = raised()
    case.join(at(case, 1, NEIGHBOUR), NEIGHBOUR)
    case.accept(at(case, 5, WORKER), HANDLERS[WORKER])
    case.answer(at(case, 60, WORKER), HANDLERS[WORKER], "已修好", [], TERMS)
    window_end = case.deadlines[Due.RATING][1]
    assert window_end == START + timedelta(minutes=60, days=3)
    assert case.rate(at(case, 70, NEIGHBOUR), NEIGHBOUR, "satisfied", True, "", "self", TERMS) == "rated"
    with pytest.raises(DomainError, match="Nothing is due"):
        case.keep_deadlines(at(case, 71))
    case.collect_events()
    minutes = int((window_end - START).total_seconds() // 60)
    assert case.keep_deadlines(at(case, minutes - 60)) == 1  # the "before" notice to those who have not rated
    case.keep_deadlines(at(case, minutes + 1))
    closed = case.collect_events()[-1]
    assert isinstance(closed, Case.Closed) and closed.unrated == [RAISER] and closed.outcome == "rated"
    with pytest.raises(DomainError, match="answered case"):
        case.rate(at(case, minutes + 2, RAISER), RAISER, "satisfied", True, "", "self", TERMS)


def test_dissatisfied_reopens_once_to_the_clerk_then_closes():
    case = raised()
    case.accept(at(case, 5, WORKER), HANDLERS[WORKER])
    case.answer(at(case, 60, WORKER), HANDLERS[WORKER], "已修好", [], TERMS)
    assert case.rate(at(case, 70, RAISER), RAISER, "dissatisfied", False, "还是不亮", "self", TERMS) == "reopened"
    assert (case.state, case.queue, case.owner_id) == (State.QUEUED, "clerk", None)
    with pytest.raises(DomainError, match="not in your queue"):
        case.accept(at(case, 80, WORKER), HANDLERS[WORKER])
    case.accept(at(case, 80, CLERK), HANDLERS[CLERK])
    case.answer(at(case, 90, CLERK), HANDLERS[CLERK], "换了新灯", [], TERMS)
    assert case.round == 2
    assert case.rate(at(case, 100, RAISER), RAISER, "dissatisfied", False, "", "self", TERMS) == "closed"
    assert case.state == State.CLOSED and case.deadlines == {}


def test_a_merged_duplicate_is_over_and_its_raisers_follow_the_case():
    case, duplicate = raised(), raised()
    duplicate.join(at(duplicate, 1, NEIGHBOUR), NEIGHBOUR)
    case.accept(at(case, 5, WORKER), HANDLERS[WORKER])
    with pytest.raises(DomainError, match="itself"):
        case.merge(at(case, 6, WORKER), HANDLERS[WORKER], case)
    case.merge(at(case, 6, WORKER), HANDLERS[WORKER], duplicate)
    assert duplicate.state == State.MERGED and duplicate.merged_into == case.id and duplicate.deadlines == {}
    assert case.raisers == [RAISER, NEIGHBOUR]


def test_only_a_public_case_is_shared_and_the_downgrade_recomputes_the_acceptance():
    private = raised(public=False)
    with pytest.raises(DomainError, match="public"):
        private.join(at(private, 1, NEIGHBOUR), NEIGHBOUR)
    urgent = raised(urgent=True)
    urgent.downgrade(at(urgent, 10, WORKER), HANDLERS[WORKER], "不危及安全", TERMS)
    assert urgent.deadlines[Due.ACCEPT][1] == START + timedelta(hours=2)
    assert not urgent.urgent


def test_one_extension_of_at_most_the_rulebooks_days():
    case = raised()
    case.accept(at(case, 5, WORKER), HANDLERS[WORKER])
    with pytest.raises(DomainError, match="1 to 15"):
        case.request_extension(at(case, 6, WORKER), HANDLERS[WORKER], 16, "等配件", TERMS)
    due = case.deadlines[Due.ANSWER][1]
    case.request_extension(at(case, 6, WORKER), HANDLERS[WORKER], 10, "等配件", TERMS)
    case.approve_extension(at(case, 7, CLERK), TERMS)
    assert case.deadlines[Due.ANSWER][1] == due + timedelta(days=10)
    with pytest.raises(DomainError, match="once"):
        case.request_extension(at(case, 8, WORKER), HANDLERS[WORKER], 2, "还要等", TERMS)
