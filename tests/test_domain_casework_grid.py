"""The grid plan over random sequences (hypothesis): a building is in at most one grid and moves only explicitly, a
grid has at most one worker, the events alone rebuild the plan. The matter list: lines take effect on their day,
a community's narrowing never widens the street's, nor a grid's the community's, whatever the street (or the
community) does later. The street's calendar over the national one."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from backend.casework.domain.calendar import WorkCalendar, calendar_days
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.matters import (
    CommunityMatters,
    MatterList,
    Narrowing,
    community_items,
    narrowings_on,
    street_items,
)
from backend.casework.domain.rules import ANSWER_DAYS, DEFAULT_MATTERS, IMMEDIATE, WHISTLE, MatterItem
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError

COMMUNITY = uuid4()
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 2)
BUILDINGS = ["1栋", "2栋", "3栋", "4栋", "一组"]
PEOPLE = [uuid4() for _ in range(3)]


def ctx() -> Ctx:
    return Ctx(COMMUNITY, None, NOW)


class PlanMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.plan = GridPlan.open(ctx())
        self.events = list(self.plan.collect_events())

    def attempt(self, change) -> bool:
        before = self.plan.version
        try:
            change()
        except DomainError:
            assert self.plan.version == before
            return False
        self.events += self.plan.collect_events()
        return True

    def grid(self, index: int):
        grids = list(self.plan.grids)
        return grids[index % len(grids)] if grids else uuid4()

    @rule(name=st.sampled_from(["第一网格", "第二网格", "第三网格", " 第一网格 "]))
    def draw(self, name: str) -> None:
        self.attempt(lambda: self.plan.draw(ctx(), name))

    @rule(index=st.integers(0, 3), building=st.sampled_from(BUILDINGS))
    def add(self, index: int, building: str) -> None:
        held = self.plan.building_grid.get(building)
        if self.attempt(lambda: self.plan.add_building(ctx(), self.grid(index), building)):
            assert held is None, "a building held by a grid is moved, never added again"

    @rule(index=st.integers(0, 3), building=st.sampled_from(BUILDINGS))
    def move(self, index: int, building: str) -> None:
        self.attempt(lambda: self.plan.move_building(ctx(), building, self.grid(index)))

    @rule(building=st.sampled_from(BUILDINGS))
    def remove(self, building: str) -> None:
        self.attempt(lambda: self.plan.remove_building(ctx(), building))

    @rule(index=st.integers(0, 3), person=st.sampled_from(PEOPLE), holds=st.booleans())
    def assign_worker(self, index: int, person, holds: bool) -> None:
        if self.attempt(lambda: self.plan.assign_worker(ctx(), self.grid(index), person, holds)):
            assert holds

    @rule(index=st.integers(0, 3))
    def unassign_worker(self, index: int) -> None:
        self.attempt(lambda: self.plan.unassign_worker(ctx(), self.grid(index), "任期届满"))

    @rule(building=st.sampled_from(BUILDINGS), person=st.sampled_from(PEOPLE), holds=st.booleans())
    def assign_head(self, building: str, person, holds: bool) -> None:
        in_grid = building in self.plan.building_grid
        if self.attempt(lambda: self.plan.assign_head(ctx(), building, person, holds)):
            assert holds and in_grid

    @invariant()
    def every_building_in_at_most_one_grid(self) -> None:
        for building in BUILDINGS:
            holding = [g for g, grid in self.plan.grids.items() if building in grid.buildings]
            assert len(holding) <= 1
            assert self.plan.building_grid.get(building) == (holding[0] if holding else None)

    @invariant()
    def the_events_alone_rebuild_it(self) -> None:
        rebuilt = None
        for event in self.events:
            rebuilt = event.mutate(rebuilt)
        assert rebuilt.grids == self.plan.grids and rebuilt.heads == self.plan.heads


PlanMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
test_grid_plan_invariants = PlanMachine.TestCase


def test_routing_by_place_before_building_and_the_worker_of_several_grids():
    plan = GridPlan.open(ctx())
    one, two = plan.draw(ctx(), "第一网格"), plan.draw(ctx(), "第二网格")
    plan.add_building(ctx(), one, "1栋")
    plan.add_building(ctx(), two, "2栋")
    plan.set_place(ctx(), "北门", two)
    plan.set_place(ctx(), "广场", None)
    plan.assign_worker(ctx(), one, PEOPLE[0], True)
    plan.assign_worker(ctx(), two, PEOPLE[0], True)
    assert plan.grid_of("1栋") == one and plan.grid_of("1栋", "北门") == two and plan.grid_of("1栋", "广场") is None
    assert plan.grids_of(PEOPLE[0]) == {one, two} and plan.serves(PEOPLE[0], "2栋")
    with pytest.raises(DomainError, match="move it from there"):
        plan.add_building(ctx(), two, "1栋")
    with pytest.raises(DomainError, match="grid worker role"):
        plan.assign_worker(ctx(), one, PEOPLE[1], False)


# -- the matter list ------------------------------------------------------------------------------------------------
def test_a_street_line_takes_effect_on_its_day_and_the_defaults_stand_until_then():
    street = MatterList.open(ctx(), "和平街道")
    department = uuid4()
    line = MatterItem("property", "物业服务", WHISTLE, 15, department)
    street.set_item(ctx(), line, TODAY + timedelta(days=3))
    assert street.items_on(TODAY)["property"].answer_days == 5
    assert street.items_on(TODAY + timedelta(days=3))["property"] == line
    street.drop_item(ctx(), "market", TODAY + timedelta(days=1))
    assert "market" in street.items_on(TODAY) and "market" not in street.items_on(TODAY + timedelta(days=1))
    with pytest.raises(DomainError, match="today or later"):
        street.set_item(ctx(), line, TODAY - timedelta(days=1))
    with pytest.raises(DomainError, match="1, 5 or 15"):
        street.set_item(ctx(), MatterItem("x_y", "某事", IMMEDIATE, 3), TODAY)


def test_a_community_narrows_but_never_widens():
    street = street_items(None, TODAY)
    mine = CommunityMatters.open(ctx())
    with pytest.raises(DomainError, match="never lengthen"):
        mine.narrow(ctx(), street, "policy", Narrowing(answer_days=5), TODAY)  # the street says 1
    with pytest.raises(DomainError, match="never the other way"):
        mine.narrow(ctx(), street, "environment", Narrowing(handling=WHISTLE), TODAY)
    mine.narrow(ctx(), street, "safety", Narrowing(handling=IMMEDIATE), TODAY)
    mine.narrow(ctx(), street, "other", Narrowing(dropped=True), TODAY)
    items = community_items(None, mine, TODAY)
    assert items["safety"].handling == IMMEDIATE and "other" not in items
    mine.lift(ctx(), "other", TODAY + timedelta(days=1))
    assert "other" in community_items(None, mine, TODAY + timedelta(days=1))


def test_a_community_narrows_further_for_a_grid_never_wider_than_itself():
    street, north, south = street_items(None, TODAY), uuid4(), uuid4()
    mine = CommunityMatters.open(ctx())
    mine.narrow(ctx(), street, "property", Narrowing(answer_days=1), TODAY)  # the community: 1 day (the street 5)
    mine.narrow(ctx(), street, "other", Narrowing(dropped=True), TODAY)
    with pytest.raises(DomainError, match="never lengthen"):
        mine.narrow(ctx(), street, "property", Narrowing(answer_days=5), TODAY, north)
    with pytest.raises(DomainError, match="no grid of it can"):
        mine.narrow(ctx(), street, "other", Narrowing(handling=IMMEDIATE), TODAY, north)
    mine.narrow(ctx(), street, "market", Narrowing(dropped=True), TODAY, north)
    mine.narrow(ctx(), street, "power", Narrowing(handling=IMMEDIATE), TODAY, north)
    items, theirs = community_items(None, mine, TODAY, north), community_items(None, mine, TODAY, south)
    assert "market" not in items and "market" in theirs and "market" in community_items(None, mine, TODAY)
    assert items["power"].handling == IMMEDIATE and theirs["power"].handling == WHISTLE
    assert narrowings_on(mine, TODAY, north) == {
        "market": Narrowing(dropped=True),
        "power": Narrowing(handling=IMMEDIATE),
    }
    assert narrowings_on(mine, TODAY) == {"property": Narrowing(answer_days=1), "other": Narrowing(dropped=True)}
    with pytest.raises(DomainError, match="for this grid"):
        mine.lift(ctx(), "market", TODAY, south)
    mine.lift(ctx(), "market", TODAY + timedelta(days=2), north)
    assert "market" in community_items(None, mine, TODAY + timedelta(days=2), north)
    rebuilt = None
    for event in mine.collect_events():  # the events alone rebuild it
        rebuilt = event.mutate(rebuilt)
    assert rebuilt.grid_lines == mine.grid_lines and rebuilt.lines == mine.lines


lines = st.builds(
    MatterItem,
    st.sampled_from([item.code for item in DEFAULT_MATTERS]),
    st.just("某类"),
    st.sampled_from([IMMEDIATE, WHISTLE]),
    st.sampled_from(ANSWER_DAYS),
)
narrowings = st.builds(Narrowing, st.booleans(), st.sampled_from((0, *ANSWER_DAYS)), st.sampled_from(("", IMMEDIATE)))


GRIDS = [uuid4(), uuid4()]


def assert_never_wider(narrow: dict[str, MatterItem], wide: dict[str, MatterItem]) -> None:
    assert set(narrow) <= set(wide)
    for code, item in narrow.items():
        assert item.answer_days <= wide[code].answer_days
        assert item.handling == IMMEDIATE or wide[code].handling == WHISTLE
        assert item.department_id == wide[code].department_id


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(lines, st.integers(0, 5)), max_size=8),
    st.lists(
        st.tuples(
            st.sampled_from([None, *GRIDS]),  # the whole community, or one of its grids
            st.sampled_from([i.code for i in DEFAULT_MATTERS]),
            st.one_of(st.none(), narrowings),  # None: the narrowing lifted
            st.integers(0, 5),
        ),
        max_size=12,
    ),
    st.integers(0, 6),
)
def test_whatever_the_street_does_later_the_community_is_never_wider(street_lines, narrowed, offset):
    """… and whatever the community does later, none of its grids is wider than it."""
    street = MatterList.open(ctx(), "和平街道")
    for line, days in street_lines:
        street.set_item(ctx(), line, TODAY + timedelta(days=days))
    mine = CommunityMatters.open(ctx())
    for grid_id, code, narrowing, days in narrowed:
        since = TODAY + timedelta(days=days)
        with contextlib.suppress(DomainError):
            if narrowing is None:
                mine.lift(ctx(), code, since, grid_id)
            else:
                mine.narrow(ctx(), street_items(street, since), code, narrowing, since, grid_id)
    day = TODAY + timedelta(days=offset)
    theirs, ours = street_items(street, day), community_items(street, mine, day)
    assert_never_wider(ours, theirs)
    for grid_id in GRIDS:
        assert_never_wider(community_items(street, mine, day, grid_id), ours)


# -- the street's calendar ------------------------------------------------------------------------------------------
def test_the_street_calendar_starts_from_the_national_one():
    calendar = WorkCalendar.open(ctx(), "和平街道")
    assert calendar_days(None)[date(2026, 10, 1)] is False
    calendar.set_day(ctx(), date(2027, 1, 1), False, "元旦")
    calendar.set_day(ctx(), date(2026, 10, 1), True, "街道值班")
    assert calendar.days[date(2027, 1, 1)] is False and calendar.days[date(2026, 10, 1)] is True
    with pytest.raises(DomainError, match="says so already"):
        calendar.set_day(ctx(), date(2026, 11, 7), False, "周六")  # a Saturday is off anyway
    calendar.clear_day(ctx(), date(2026, 10, 1))
    assert calendar.days[date(2026, 10, 1)] is False
