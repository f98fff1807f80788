"""The admission list (准入清单) and its tasks, on the aggregates alone: the list in force on a day is what a plain
recount of the edits says; no task is ever assigned from an item not in force on its day (or listed for another
department); a removed item stops admitting from its effective day; an approved application admits from its
effective day, not before; a 协助 item without funding is flagged; the committee accepts, then completes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.workload.domain.admission import ASSIST, DUTY, AdmissionList, Edit, Item, in_force
from backend.workload.domain.tasks import (
    NOT_IN_FORCE,
    OTHER_DEPARTMENT,
    UNLISTED,
    Application,
    Proposal,
    Task,
    refusal,
)

HERE = UUID("00000000-0000-4000-8000-000000000001")
UNIT = UUID("00000000-0000-4000-8000-0000000000d1")
OTHER = UUID("00000000-0000-4000-8000-0000000000d2")
DAY0 = date(2027, 1, 4)
STREET = "和平街道"


def on(day: date, who: UUID | None = HERE) -> Ctx:
    return Ctx(HERE, who, datetime.combine(day, time(10), LOCAL_ZONE).astimezone(UTC), command_id=uuid4().hex)


def item(code: str, unit: UUID = UNIT, kind: str = DUTY, funding: str = "区财政") -> Item:
    return Item(code, kind, f"事项{code}", "《城市居民委员会组织法》第三条", unit, funding)


def try_assign(admission: AdmissionList, code: str, day: date, unit: UUID = UNIT) -> Task | None:
    """A task from `code` on `day`, or None when refused."""
    try:
        return Task.assign(on(day), uuid4(), STREET, admission.items_on(day), code, unit, day + timedelta(days=3))
    except DomainError:
        return None


# -- the list in force, against a plain recount ---------------------------------------------------------------------
CODES = ["a", "b", "c"]
edit_steps = st.lists(
    st.tuples(st.sampled_from(["add", "change", "remove"]), st.sampled_from(CODES), st.integers(0, 20)), max_size=25
)


def recount(edits: list[tuple[int, str, Item | None]], day: date) -> dict[str, Item]:
    """For each code, the last edit made among those of the latest effective day on or before `day`."""
    out: dict[str, Item] = {}
    for code in CODES:
        mine = [
            (n, offset, value)
            for n, (offset, c, value) in enumerate(edits)
            if c == code and DAY0 + timedelta(offset) <= day
        ]
        if not mine:
            continue
        latest = max(offset for _, offset, _ in mine)
        value = [v for _, offset, v in mine if offset == latest][-1]
        if value is not None:
            out[code] = value
    return out


@settings(max_examples=200, deadline=None)
@given(edit_steps, st.integers(-2, 25))
def test_the_list_in_force_is_what_a_recount_of_its_edits_says(steps, probe):
    admission = AdmissionList.open(on(DAY0), STREET)
    made: list[tuple[int, str, Item | None]] = []
    for n, (what, code, offset) in enumerate(steps):
        effective = DAY0 + timedelta(offset)
        try:
            if what == "add":
                admission.add(on(DAY0), item(code), "街道办事处〔2027〕1号", effective)
                made.append((offset, code, item(code)))
            elif what == "change":
                changed = Item(code, ASSIST, f"改{n}", "依据", UNIT, "")
                admission.change(on(DAY0), changed, "街道办事处〔2027〕2号", effective)
                made.append((offset, code, changed))
            else:
                admission.remove(on(DAY0), code, "街道办事处〔2027〕3号", effective)
                made.append((offset, code, None))
        except DomainError:
            pass
    day = DAY0 + timedelta(probe)
    assert admission.items_on(day) == recount(made, day)
    edits = [Edit(DAY0 + timedelta(o), c, v, "x") for o, c, v in made]
    assert in_force(edits, day) == admission.items_on(day)


# -- no task is ever assigned from an item not in force on its day --------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(edit_steps, st.lists(st.tuples(st.sampled_from([*CODES, "zz"]), st.integers(0, 25), st.booleans()), max_size=12))
def test_no_task_is_ever_assigned_from_an_item_not_in_force_on_its_day(steps, attempts):
    admission = AdmissionList.open(on(DAY0), STREET)
    for what, code, offset in steps:
        try:
            if what == "add":
                admission.add(
                    on(DAY0), item(code, OTHER if offset % 5 == 0 else UNIT), "依据", DAY0 + timedelta(offset)
                )
            elif what == "remove":
                admission.remove(on(DAY0), code, "依据", DAY0 + timedelta(offset))
        except DomainError:
            pass
    for code, offset, mine in attempts:
        day = DAY0 + timedelta(offset)
        unit = UNIT if mine else OTHER
        task = try_assign(admission, code, day, unit)
        listed = admission.items_on(day).get(code)
        admitted = listed is not None and listed.department_id == unit
        assert (task is not None) is admitted
        if task is not None:
            assert task.item == listed and task.community_id == HERE
        why = refusal(admission.items_on(day), code, unit, known=admission.known(code))
        assert (why == "") is admitted
        if not admitted:
            assert why == (OTHER_DEPARTMENT if listed else NOT_IN_FORCE if admission.known(code) else UNLISTED)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10), st.integers(0, 10), st.integers(0, 25))
def test_a_removed_item_stops_admitting_from_its_effective_day(added, removed_after, probe):
    admission = AdmissionList.open(on(DAY0), STREET)
    admission.add(on(DAY0), item("a"), "依据", DAY0 + timedelta(added))
    removal = DAY0 + timedelta(added + removed_after)
    admission.remove(on(DAY0 + timedelta(added)), "a", "撤销依据", removal)
    day = DAY0 + timedelta(probe)
    assert (try_assign(admission, "a", day) is not None) is (DAY0 + timedelta(added) <= day < removal)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10), st.integers(0, 10), st.integers(0, 25))
def test_an_approved_application_admits_from_its_effective_day_not_before(applied, decided_after, probe):
    applied_on = DAY0 + timedelta(applied)
    decided_on = applied_on + timedelta(days=decided_after)
    effective = decided_on + timedelta(days=3)
    admission = AdmissionList.open(on(DAY0), STREET)
    application = Application.apply_for(
        on(applied_on),
        uuid4(),
        STREET,
        UNIT,
        Proposal(ASSIST, "高龄补贴入户核查", "《老年人权益保障法》", "", effective),
    )
    listed = application.approve(on(decided_on), "new1", "街道准入审核会议", effective)
    admission.add(on(decided_on), listed, "街道准入审核会议", effective)
    day = DAY0 + timedelta(probe)
    assert (try_assign(admission, "new1", day) is not None) is (day >= effective)
    assert listed.unfunded, "a 协助 item without funding is flagged"
    with pytest.raises(DomainError, match="decided"):
        application.reject(on(decided_on), "重复")


def test_edits_take_effect_today_or_later_and_name_their_basis():
    admission = AdmissionList.open(on(DAY0), STREET)
    with pytest.raises(DomainError, match="today or later"):
        admission.add(on(DAY0), item("a"), "依据", DAY0 - timedelta(days=1))
    with pytest.raises(DomainError, match="basis"):
        admission.add(on(DAY0), item("a"), "  ", DAY0)
    admission.add(on(DAY0), item("a", kind=ASSIST, funding=""), "依据", DAY0)
    assert admission.items_on(DAY0)["a"].unfunded
    assert not item("b", kind=ASSIST).unfunded and not item("c", kind=DUTY, funding="").unfunded


def test_the_committee_accepts_then_completes_and_overdue_is_shown():
    admission = AdmissionList.open(on(DAY0), STREET)
    admission.add(on(DAY0), item("a"), "依据", DAY0)
    task = try_assign(admission, "a", DAY0)
    assert task is not None and not task.overdue(DAY0 + timedelta(days=3)) and task.overdue(DAY0 + timedelta(days=4))
    with pytest.raises(DomainError, match="Accept"):
        task.complete(on(DAY0), "已完成")
    task.accept(on(DAY0))
    with pytest.raises(DomainError, match="accepted already"):
        task.accept(on(DAY0))
    task.complete(on(DAY0 + timedelta(days=5)), "已入户核查12户")
    assert task.state == "done" and not task.overdue(DAY0 + timedelta(days=9))
    with pytest.raises(DomainError, match="past"):
        Task.assign(on(DAY0), uuid4(), STREET, admission.items_on(DAY0), "a", UNIT, DAY0 - timedelta(days=1))
