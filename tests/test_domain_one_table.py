"""一表通's pure parts: periods are [start, end) and tile the year; a rate is pooled from counts (— when nothing to
count), never an average of rates; and the submission (报送) aggregate: checked only, numbered without gaps, never
from an older position, never the same figures twice. Hypothesis runs sequences of submissions against a model."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.workload.domain.one_table import BY_KEY, FIGURES, counts_needed, period, period_of, pooled, value
from backend.workload.domain.submission import OneTableSubmission, submission_id

COMMUNITY, CLERK = uuid4(), uuid4()
HEAD = "ab" * 32


def on(day: date) -> Ctx:
    return Ctx(COMMUNITY, CLERK, datetime.combine(day, time(10), LOCAL_ZONE).astimezone(UTC))


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.sampled_from(["month", "quarter", "year"]))
def test_a_day_is_in_its_period_and_periods_tile_time(day, kind):
    p = period_of(kind, day)
    assert p.start <= day < p.end and period(p.name) == p
    if p.end.year <= 2100:
        following = period_of(kind, p.end)
        assert following.start == p.end  # no gap, no overlap
    assert len(p.months) == {"month": 1, "quarter": 3, "year": 12}[kind]


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "26-11", "2026-11-01", "", "1999", "2026-q4 ; drop"])
def test_anything_else_is_no_period(bad):
    with pytest.raises(ValueError):
        period(bad)


def test_a_pooled_rate_is_not_an_average_of_rates_and_nothing_to_count_is_none():
    completion = BY_KEY["case_completion"]
    october = {"case_answer_in_time": 1, "case_answer_due": 1}  # 100 %
    november = {"case_answer_in_time": 10, "case_answer_due": 100}  # 10 %
    assert value(completion, pooled([october, november])) == 10.9  # 11 / 101, not (100 + 10) / 2
    assert value(completion, {}) is None and value(BY_KEY["cases"], {}) == 0
    assert value(BY_KEY["volunteer_hours"], {"volunteer_hours": 90}) == 1.5  # kept in minutes
    assert set(counts_needed()) >= {f.key for f in FIGURES if f.kind == "count"}


def test_a_submission_must_be_checked_and_of_a_begun_period_at_a_real_position():
    today = date(2026, 11, 20)
    record = OneTableSubmission.open(on(today), "2026-11")
    assert record.id == submission_id(COMMUNITY, "2026-11")
    with pytest.raises(DomainError, match="Check the figures"):
        record.submit(on(today), 5, HEAD, {"cases": 1}, checked=False)
    with pytest.raises(DomainError, match="no position"):
        record.submit(on(today), 0, HEAD, {"cases": 1}, checked=True)
    with pytest.raises(DomainError, match="no position"):
        record.submit(on(today), 5, "xyz", {"cases": 1}, checked=True)
    with pytest.raises(DomainError, match="whole numbers"):
        record.submit(on(today), 5, HEAD, {"cases": -1}, checked=True)
    early = OneTableSubmission.open(on(today), "2026-12")
    with pytest.raises(DomainError, match="not begun"):
        early.submit(on(today), 5, HEAD, {"cases": 1}, checked=True)
    with pytest.raises(DomainError, match="period"):
        OneTableSubmission.open(on(today), "2026-Q9")


SUBMITS = st.lists(st.tuples(st.integers(1, 50), st.integers(0, 3)), min_size=1, max_size=15)


@given(SUBMITS)
def test_submissions_are_numbered_without_gaps_and_never_go_back_or_repeat(steps):
    day = date(2026, 11, 20)
    record = OneTableSubmission.open(on(day), "2026-Q4")
    model: list[tuple[int, dict[str, int]]] = []
    for position, cases in steps:
        counts = {"cases": cases}
        refused = bool(model) and (position < model[-1][0] or counts == model[-1][1])
        try:
            record.submit(on(day + timedelta(minutes=len(model))), position, HEAD, counts, checked=True)
        except DomainError:
            assert refused
            continue
        assert not refused
        model.append((position, counts))
        assert record.number == len(model) and record.counts == counts and record.position == position
    events = record.collect_events()
    submitted = [e for e in events if isinstance(e, OneTableSubmission.Submitted)]
    assert [e.number for e in submitted] == list(range(1, len(model) + 1))
    assert [(e.position, e.counts) for e in submitted] == model
