"""The rules of 居务公开 on the pure aggregates: a notice is reviewed by the supervisors, published for its 公示 period
and never edited (a correction is the next version); objections during the period; the finance book whose entries are
corrected by new entries dated the day they are made, reported month by month; and the disclosure schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from uuid import uuid4

import pytest
from eventsourcing.utils import get_topic, resolve_topic
from hypothesis import event, given, settings
from hypothesis import strategies as st

from backend.disclosure.domain.finance import (
    AMOUNT_MAX,
    EARLIEST,
    FINANCE_CATEGORIES,
    FinanceBook,
    month_bounds,
    month_of,
)
from backend.disclosure.domain.notice import CATEGORIES, TEXT_MAX, TITLE_MAX, Notice, Terms
from backend.disclosure.domain.schedule import Due, finance_due, period_of, schedule
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.masking import mask_name
from backend.kernel.zone import LOCAL_ZONE

COMMUNITY = uuid4()
CLERK = uuid4()
SUPERVISOR = uuid4()
RESIDENT = uuid4()
NEIGHBOUR = uuid4()
NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)  # Sunday 1 November 2026, 17:00 in China
TODAY = date(2026, 11, 1)
DAY = timedelta(days=1)
TERMS = Terms(period_days=10, answer_days=15, review_days=5, review_required=True)
UNREVIEWED = replace(TERMS, review_required=False)
TITLE = "2026年10月财务收支公开"
TEXT = "收入：上级拨款 12,000.00 元；支出：办公费 1,500.00 元。"


def at(day: date, hour: int = 12) -> datetime:
    """That day at `hour` o'clock in China."""
    return datetime.combine(day, time(hour), LOCAL_ZONE)


def ctx(now: datetime = NOW, actor=CLERK) -> Ctx:
    return Ctx(COMMUNITY, actor, now)


def draft(title: str = TITLE, text: str = TEXT, category: str = "finance") -> Notice:
    notice = Notice.draft_new(ctx(), uuid4(), category, title, text)
    notice.collect_events()
    return notice


def published(terms: Terms = TERMS, now: datetime = NOW) -> Notice:
    notice = draft()
    notice.submit(ctx(now), terms)
    notice.approve(ctx(now, SUPERVISOR))
    notice.publish(ctx(now), terms)
    notice.collect_events()
    return notice


def refused(action, field: str | None = None, status: int = 400, match: str | None = None) -> DomainError:
    with pytest.raises(DomainError, match=match) as refusal:
        action()
    assert (refusal.value.field, refusal.value.status) == (field, status)
    return refusal.value


# -- notices: the draft and the supervisors' review ----------------------------------------------------------------
def test_the_events_keep_the_topics_the_log_first_stored_them_under():
    """The aggregates moved from backend/disclosure/domain.py into a module each: the events already in a log still
    load, and the new ones are stored under the same names."""
    assert get_topic(Notice.Published) == "backend.disclosure.domain:Notice.Published"
    assert get_topic(FinanceBook.Recorded) == "backend.disclosure.domain:FinanceBook.Recorded"
    assert resolve_topic("backend.disclosure.domain:Notice.Drafted") is Notice.Drafted
    assert resolve_topic("backend.disclosure.domain:FinanceBook") is FinanceBook


def test_a_draft_is_stripped_and_takes_a_title_of_exactly_80_and_a_text_of_exactly_10000_characters():
    notice = Notice.draft_new(ctx(), uuid4(), "affairs", " " + "题" * TITLE_MAX + " ", "字" * TEXT_MAX)
    assert notice.draft == ("题" * TITLE_MAX, "字" * TEXT_MAX)
    assert notice.state == "draft" and notice.versions == [] and notice.current is None
    assert set(CATEGORIES) == {"party", "affairs", "finance"}


@pytest.mark.parametrize(
    ("category", "title", "text", "field"),
    [
        ("sports", TITLE, TEXT, "category"),
        ("", TITLE, TEXT, "category"),
        ("affairs", "", TEXT, "title"),
        ("affairs", "   ", TEXT, "title"),
        ("affairs", "题" * (TITLE_MAX + 1), TEXT, "title"),
        ("affairs", TITLE, "", "text"),
        ("affairs", TITLE, "字" * (TEXT_MAX + 1), "text"),
    ],
)
def test_a_draft_needs_a_known_category_a_title_of_at_most_80_and_a_text_of_at_most_10000(category, title, text, field):
    refused(lambda: Notice.draft_new(ctx(), uuid4(), category, title, text), field)


def test_a_draft_of_an_unknown_kind_or_with_more_than_4_photos_is_refused():
    refused(lambda: Notice.draft_new(ctx(), uuid4(), "affairs", TITLE, TEXT, kind="poster"), "kind")
    refused(lambda: Notice.draft_new(ctx(), uuid4(), "affairs", TITLE, TEXT, photos=["a" * 64] * 5), "photos")
    Notice.draft_new(ctx(), uuid4(), "affairs", TITLE, TEXT, photos=["a" * 64] * 4)


def test_a_submitted_draft_is_in_review_due_after_the_review_days_counted_from_the_day_in_china():
    notice = draft()
    notice.submit(ctx(datetime(2026, 11, 15, 17, tzinfo=UTC)), replace(TERMS, review_days=7))  # 16 Nov in China
    assert notice.state == "in_review" and notice.review_due == date(2026, 11, 23)
    refused(lambda: notice.submit(ctx(), TERMS), status=409, match="Only a draft")


def test_only_a_notice_in_review_is_approved_or_returned():
    notice = draft()
    refused(lambda: notice.approve(ctx(actor=SUPERVISOR)), status=409)
    refused(lambda: notice.return_draft(ctx(actor=SUPERVISOR), "数字有误"), status=409)
    notice.submit(ctx(), TERMS)
    notice.approve(ctx(actor=SUPERVISOR))
    assert notice.state == "approved"
    refused(lambda: notice.approve(ctx(actor=SUPERVISOR)), status=409)
    refused(lambda: notice.return_draft(ctx(actor=SUPERVISOR), "数字有误"), status=409)


def test_nobody_reviews_a_draft_they_wrote_or_submitted():
    """A clerk who is also a supervisor leaves their own draft to another supervisor (as for ⑤/⑥); the writers of a
    correction are its own: the first version's writer may review someone else's correction."""
    other = uuid4()
    notice = draft()  # written by CLERK
    notice.revise(ctx(actor=other), TITLE, TEXT + "。")  # and revised by another
    notice.submit(ctx(), TERMS)
    for writer in (CLERK, other):
        refused(lambda w=writer: notice.approve(ctx(actor=w)), status=403, match="own draft")
        refused(lambda w=writer: notice.return_draft(ctx(actor=w), "数字有误"), status=403, match="own draft")
    notice.approve(ctx(actor=SUPERVISOR))
    notice.publish(ctx(actor=SUPERVISOR), TERMS)
    notice.revise(ctx(actor=other), TITLE, TEXT + "。。", reason="更正金额")
    notice.submit(ctx(actor=other), TERMS)
    notice.approve(ctx(actor=CLERK))  # the correction is `other`'s: the first draft's writer may review it
    assert notice.state == "approved"


def test_a_returned_draft_needs_a_reason_and_goes_back_to_the_clerk_unchanged():
    notice = draft()
    notice.submit(ctx(), TERMS)
    notice.collect_events()
    for reason in ("", "  ", "理" * 501):
        refused(lambda reason=reason: notice.return_draft(ctx(actor=SUPERVISOR), reason), "reason")
    assert notice.state == "in_review" and notice.collect_events() == []
    notice.return_draft(ctx(actor=SUPERVISOR), "办公费缺少凭证")
    assert notice.state == "draft" and notice.draft == (TITLE, TEXT)
    [returned] = notice.collect_events()
    assert isinstance(returned, Notice.Returned) and returned.reason == "办公费缺少凭证"


def test_a_draft_in_review_or_approved_is_not_revised():
    notice = draft()
    notice.submit(ctx(), TERMS)
    refused(lambda: notice.revise(ctx(), TITLE, "改过的正文"), status=409)
    notice.approve(ctx(actor=SUPERVISOR))
    refused(lambda: notice.revise(ctx(), TITLE, "改过的正文"), status=409)
    assert notice.draft == (TITLE, TEXT)


def test_a_revision_of_a_first_draft_needs_no_reason_but_must_change_something():
    notice = draft()
    refused(lambda: notice.revise(ctx(), f" {TITLE} ", TEXT), status=409, match="Nothing changed")
    notice.revise(ctx(), TITLE, "改过的正文")
    assert notice.draft == (TITLE, "改过的正文") and notice.state == "draft"


def test_publishing_needs_the_supervisors_approval_when_the_rulebook_requires_it():
    notice = draft()
    refused(lambda: notice.publish(ctx(), TERMS), status=409, match="approval")
    notice.submit(ctx(), TERMS)
    refused(lambda: notice.publish(ctx(), TERMS), status=409, match="approval")
    notice.approve(ctx(actor=SUPERVISOR))
    notice.collect_events()
    notice.publish(ctx(), TERMS)
    [event_] = notice.collect_events()
    assert isinstance(event_, Notice.Published) and event_.reviewed and event_.version == 1
    assert notice.state == "published" and notice.draft is None


def test_without_required_review_a_draft_is_published_directly_but_not_while_it_is_in_review():
    notice = draft()
    notice.publish(ctx(), UNREVIEWED)
    [event_] = notice.collect_events()
    assert isinstance(event_, Notice.Published) and not event_.reviewed
    assert [v.number for v in notice.versions] == [1]
    other = draft()
    other.submit(ctx(), UNREVIEWED)
    refused(lambda: other.publish(ctx(), UNREVIEWED), status=409, match="wait for their review")


def test_the_published_version_is_dated_the_day_in_china_and_stays_up_for_the_period_days():
    notice = published(replace(TERMS, period_days=7), datetime(2026, 11, 15, 17, tzinfo=UTC))  # 16 Nov in China
    [version] = notice.versions
    assert (version.number, version.title, version.text) == (1, TITLE, TEXT)
    assert version.published_on == date(2026, 11, 16) and version.until == date(2026, 11, 23)
    assert notice.current == version


def test_a_published_notice_has_nothing_new_to_publish():
    notice = published()
    refused(lambda: notice.publish(ctx(), TERMS), status=409, match="nothing new")
    refused(lambda: notice.submit(ctx(), TERMS), status=409)


def test_a_published_notice_is_never_edited_a_correction_is_the_next_version_with_its_reason():
    notice = published()
    first = replace(notice.versions[0])
    refused(lambda: notice.revise(ctx(), TITLE, "更正后的正文"), "reason")
    later = ctx(NOW + 3 * DAY)
    notice.revise(later, TITLE, "更正后的正文", "办公费应为 1,250.00 元")
    assert notice.state == "draft" and notice.correction_reason == "办公费应为 1,250.00 元"
    assert notice.versions == [first] and notice.current == first, "the published version stays up, unchanged"
    refused(lambda: notice.publish(later, TERMS), status=409, match="approval")
    notice.submit(later, TERMS)
    notice.approve(ctx(NOW + 3 * DAY, SUPERVISOR))
    assert notice.versions == [first]
    notice.publish(later, TERMS)
    assert notice.versions[0] == first
    assert [(v.number, v.text) for v in notice.versions] == [(1, TEXT), (2, "更正后的正文")]
    assert notice.current.published_on == TODAY + 3 * DAY and notice.current.until == TODAY + 13 * DAY
    assert notice.correction_reason == "" and notice.state == "published"


# -- objections ----------------------------------------------------------------------------------------------------
def test_an_objection_is_raised_only_on_a_published_notice():
    notice = draft()
    refused(lambda: notice.raise_objection(ctx(actor=RESIDENT), RESIDENT, "数字不对"), status=404)
    notice.submit(ctx(), TERMS)
    notice.approve(ctx(actor=SUPERVISOR))
    refused(lambda: notice.raise_objection(ctx(actor=RESIDENT), RESIDENT, "数字不对"), status=404)
    notice.publish(ctx(), TERMS)
    assert notice.raise_objection(ctx(actor=RESIDENT), RESIDENT, "数字不对") == 1


def test_an_objection_needs_a_reason_of_at_most_500_characters():
    notice = published()
    for reason in ("", " ", "理" * 501):
        refused(lambda reason=reason: notice.raise_objection(ctx(actor=RESIDENT), RESIDENT, reason), "reason")
    assert notice.objections == {} and notice.collect_events() == []


def test_objections_are_open_until_the_last_day_of_the_period_inclusive_in_china():
    notice = published()
    until = notice.current.until
    assert until == TODAY + 10 * DAY
    last_evening = datetime.combine(until, time(15, 59), UTC)  # 23:59 on the last day in China
    assert notice.raise_objection(ctx(last_evening, RESIDENT), RESIDENT, "数字不对") == 1
    after_midnight = datetime.combine(until, time(16), UTC)  # already the day after in China
    refused(lambda: notice.raise_objection(ctx(after_midnight, NEIGHBOUR), NEIGHBOUR, "数字不对"), status=409)
    refused(lambda: notice.raise_objection(ctx(at(until + DAY), NEIGHBOUR), NEIGHBOUR, "数字不对"), status=409)


def test_a_resident_has_one_open_objection_at_a_time():
    notice = published()
    assert notice.raise_objection(ctx(actor=RESIDENT), RESIDENT, "办公费太高") == 1
    refused(lambda: notice.raise_objection(ctx(actor=RESIDENT), RESIDENT, "还有活动费"), status=409)
    assert notice.raise_objection(ctx(actor=NEIGHBOUR), NEIGHBOUR, "缺少凭证") == 2
    notice.answer(ctx(), 1, "办公费含打印机维修 800 元，凭证已上墙。")
    assert notice.raise_objection(ctx(actor=RESIDENT), RESIDENT, "还有活动费") == 3
    assert {n: o.resident_id for n, o in notice.objections.items()} == {1: RESIDENT, 2: NEIGHBOUR, 3: RESIDENT}


def test_an_objection_is_answered_within_the_answer_days_of_the_rulebook_when_it_was_published():
    notice = published(replace(TERMS, answer_days=7))
    raised_on = TODAY + 4 * DAY
    number = notice.raise_objection(ctx(at(raised_on), RESIDENT), RESIDENT, "数字不对")
    assert notice.objections[number].answer_due == raised_on + 7 * DAY
    [raised] = notice.collect_events()
    assert isinstance(raised, Notice.ObjectionRaised) and raised.answer_due == date(2026, 11, 12)


def test_an_objection_is_answered_once_with_an_answer():
    notice = published()
    number = notice.raise_objection(ctx(actor=RESIDENT), RESIDENT, "数字不对")
    refused(lambda: notice.answer(ctx(), number + 1, "答复"), status=404)
    refused(lambda: notice.answer(ctx(), number, "  "), "answer")
    assert not notice.objections[number].answered
    notice.answer(ctx(), number, "已核对，数字无误。")
    assert notice.objections[number].answered
    refused(lambda: notice.answer(ctx(), number, "再答一次"), status=409, match="answered already")


# -- notices, at random: a published version is never changed ------------------------------------------------------
NOTICE_STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "revise",
                "revise_without_reason",
                "submit",
                "submit",
                "approve",
                "approve",
                "return",
                "publish",
                "publish",
            ]
        ),
        st.booleans(),  # does the rulebook of the day require the review?
        st.integers(0, 2),  # which text
        st.integers(0, 3),  # days passing before the step
    ),
    min_size=10,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(steps=NOTICE_STEPS)
def test_whatever_the_clerk_and_supervisors_do_a_published_version_never_changes(steps):
    """Revise, submit, approve, return and publish in any order: each is refused or allowed as the state says, a
    refusal changes nothing, publishing needs approval when the rulebook requires it, versions are numbered 1..n and
    an earlier version's title and text stay as they were published."""
    notice = draft()
    today = TODAY
    seen: list[tuple[int, str, str, date, date]] = []
    for kind, required, which, days in steps:
        today += days * DAY
        now = ctx(at(today))
        terms = replace(TERMS, review_required=required)
        state, pending = notice.state, notice.draft
        title, text = f"{TITLE}（{which}）", f"{TEXT} 第{which}稿"
        if kind.startswith("revise"):
            needs_reason = bool(seen)
            allowed = state not in ("in_review", "approved") and not (kind == "revise_without_reason" and needs_reason)
            allowed = allowed and not (pending == (title, text) and not seen)
        elif kind == "submit":
            allowed = state == "draft"
        elif kind in ("approve", "return"):
            allowed = state == "in_review"
        else:
            allowed = pending is not None and state != "published" and (state == "approved" or not required)
            allowed = allowed and state != "in_review"
        try:
            if kind == "revise":
                notice.revise(now, title, text, "更正")
            elif kind == "revise_without_reason":
                notice.revise(now, title, text)
            elif kind == "submit":
                notice.submit(now, terms)
            elif kind == "approve":
                notice.approve(ctx(at(today), SUPERVISOR))
            elif kind == "return":
                notice.return_draft(ctx(at(today), SUPERVISOR), "请补充凭证")
            else:
                notice.publish(now, terms)
        except DomainError:
            assert not allowed, f"{kind} refused in state {state}"
            assert (notice.state, notice.draft) == (state, pending) and notice.collect_events() == []
            continue
        assert allowed, f"{kind} allowed in state {state}"
        [happened] = notice.collect_events()
        if kind == "publish":
            event(f"published version {len(seen) + 1}, reviewed={state == 'approved'}")
            assert isinstance(happened, Notice.Published) and happened.reviewed == (state == "approved")
            assert state == "approved" or not required, "never published without approval when it is required"
            seen.append((len(seen) + 1, *pending, today, today + 10 * DAY))
        assert [(v.number, v.title, v.text, v.published_on, v.until) for v in notice.versions] == seen
        assert notice.current == (notice.versions[-1] if seen else None)


# -- the finance book: recording ----------------------------------------------------------------------------------
def book(now: datetime = NOW) -> FinanceBook:
    b = FinanceBook.open(ctx(now))
    b.collect_events()
    return b


def expense(b: FinanceBook, on: date, amount: int, now: datetime = NOW, category: str = "office") -> int:
    return b.record(ctx(now), "expense", on, amount, category, "晨光文具店", person=False)


def income(b: FinanceBook, on: date, amount: int, now: datetime = NOW, category: str = "allocation") -> int:
    return b.record(ctx(now), "income", on, amount, category, "街道办事处", person=False)


@pytest.mark.parametrize(
    ("kind", "on", "amount", "category", "field"),
    [
        ("gift", TODAY, 100, "office", "kind"),
        ("expense", TODAY, 100, "allocation", "category"),  # an income category
        ("income", TODAY, 100, "office", "category"),
        ("expense", TODAY, 100, "party", "category"),
        ("expense", TODAY, 0, "office", "amount"),
        ("expense", TODAY, -100, "office", "amount"),
        ("expense", TODAY, 12.5, "office", "amount"),
        ("expense", TODAY, 100.0, "office", "amount"),
        ("expense", TODAY, True, "office", "amount"),
        ("expense", TODAY, "100", "office", "amount"),
        ("expense", TODAY, AMOUNT_MAX + 1, "office", "amount"),
        ("expense", TODAY + DAY, 100, "office", "on"),
        ("expense", EARLIEST - DAY, 100, "office", "on"),
    ],
)
def test_an_entry_of_an_unknown_kind_or_category_a_bad_amount_or_date_is_refused(kind, on, amount, category, field):
    b = book()
    refused(lambda: b.record(ctx(), kind, on, amount, category, "街道办事处", person=False), field)
    assert b.entries == [] and b.collect_events() == []


def test_an_entry_takes_amounts_up_to_the_maximum_and_dates_from_2000_to_today_in_china():
    b = book()
    assert income(b, TODAY, AMOUNT_MAX) == 1
    assert expense(b, EARLIEST, 1) == 2
    late_evening = datetime(2026, 11, 15, 17, tzinfo=UTC)  # already 16 November in China
    assert expense(b, date(2026, 11, 16), 1, late_evening) == 3
    assert [(e.number, e.kind, e.on, e.amount_fen, e.corrects) for e in b.entries] == [
        (1, "income", TODAY, AMOUNT_MAX, 0),
        (2, "expense", EARLIEST, 1, 0),
        (3, "expense", date(2026, 11, 16), 1, 0),
    ]


def test_the_books_are_closed_up_to_the_last_month_reported():
    b = book()
    expense(b, date(2026, 10, 8), 1500)
    b.report(ctx(), "2026-10", uuid4())
    refused(lambda: expense(b, date(2026, 10, 31), 100), "on", match="books are closed")
    refused(lambda: expense(b, date(2026, 10, 1), 100), "on")
    refused(lambda: expense(b, date(2026, 9, 30), 100), "on")  # even a month left unreported before it
    expense(b, date(2026, 11, 1), 100)


def test_a_persons_name_is_recorded_masked_and_an_organisations_as_it_is():
    b = book()
    b.record(ctx(), "expense", TODAY, 20000, "subsidies", " 张三明 ", person=True)
    b.record(ctx(), "expense", TODAY, 30000, "subsidies", "李四", person=True)
    b.record(ctx(), "income", TODAY, 50000, "donation", "晨光文具店", person=False)
    recorded = b.collect_events()
    assert [e.counterparty for e in recorded] == [mask_name("张三明"), mask_name("李四"), "晨光文具店"]
    assert [e.counterparty for e in recorded[:2]] == ["张*明", "李*"]
    refused(lambda: b.record(ctx(), "expense", TODAY, 100, "office", "  ", person=False), "counterparty")
    refused(lambda: b.record(ctx(), "expense", TODAY, 100, "office", "店" * 61, person=False), "counterparty")


# -- the finance book: corrections ---------------------------------------------------------------------------------
def test_a_correction_is_a_new_entry_for_the_difference_dated_the_day_it_is_made():
    b = book()
    original = expense(b, date(2026, 10, 8), 1500)
    b.collect_events()
    later = ctx(at(TODAY + 2 * DAY))
    number = b.correct(later, original, 1250, "发票金额为 12.50 元")
    assert number == 2
    [recorded] = b.collect_events()
    assert (recorded.number, recorded.kind, recorded.category, recorded.on) == (2, "expense", "office", TODAY + 2 * DAY)
    assert (recorded.amount_fen, recorded.corrects, recorded.reason) == (-250, original, "发票金额为 12.50 元")
    assert b.entries[0].amount_fen == 1500, "the original entry is never edited"
    assert b.amount_of(original) == 1250
    b.correct(later, original, 2000, "又查到一张发票")
    assert [e.amount_fen for e in b.entries] == [1500, -250, 750] and b.amount_of(original) == 2000
    b.correct(later, original, 0, "重复记账")
    assert b.amount_of(original) == 0


def test_a_correction_to_the_same_amount_of_an_unknown_entry_or_of_a_correction_is_refused():
    b = book()
    original = expense(b, date(2026, 10, 8), 1500)
    correction = b.correct(ctx(), original, 1250, "发票金额有误")
    b.collect_events()
    refused(lambda: b.correct(ctx(), original, 1250, "再改一次"), "amount", match="already recorded")
    refused(lambda: b.correct(ctx(), 99, 1000, "发票金额有误"), status=404)
    refused(lambda: b.correct(ctx(), correction, 1000, "改更正"), status=404)
    refused(lambda: b.correct(ctx(), original, -1, "发票金额有误"), "amount")
    refused(lambda: b.correct(ctx(), original, 12.5, "发票金额有误"), "amount")
    refused(lambda: b.correct(ctx(), original, AMOUNT_MAX + 1, "发票金额有误"), "amount")
    refused(lambda: b.correct(ctx(), original, 1000, " "), "reason")
    assert b.collect_events() == [] and b.amount_of(original) == 1250


# -- the finance book: monthly reports and the balance -------------------------------------------------------------
def test_a_month_is_reported_once_it_is_over_in_china():
    b = book(at(date(2026, 10, 1)))
    expense(b, date(2026, 10, 8), 1500, at(date(2026, 10, 8)))
    refused(lambda: b.report(ctx(at(date(2026, 10, 31), 23)), "2026-10", uuid4()), "month", match="once it is over")
    refused(lambda: b.report(ctx(datetime(2026, 10, 31, 15, 59, tzinfo=UTC)), "2026-10", uuid4()), "month")
    b.report(ctx(datetime(2026, 10, 31, 16, tzinfo=UTC)), "2026-10", uuid4())  # midnight in China
    assert list(b.reported) == ["2026-10"]


def test_a_month_is_reported_only_once():
    b = book()
    notice_id = uuid4()
    b.report(ctx(), "2026-10", notice_id)
    refused(lambda: b.report(ctx(), "2026-10", uuid4()), status=409)
    assert b.reported == {"2026-10": notice_id}


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "october", "2026"])
def test_a_report_needs_a_month_as_year_and_month(month):
    refused(lambda: book().report(ctx(), month, uuid4()), "month")


def test_the_report_gives_the_months_figures_with_corrections_in_the_month_they_were_made():
    b = book(at(date(2026, 9, 1)))
    september, october, november = (at(date(2026, m, 28)) for m in (9, 10, 11))
    income(b, date(2026, 9, 5), 1_000_000, september)
    wrong = expense(b, date(2026, 9, 10), 50_000, september)
    income(b, date(2026, 10, 3), 200_000, october, "donation")
    expense(b, date(2026, 10, 12), 30_000, october, "activities")
    b.correct(ctx(october), wrong, 45_000, "发票金额有误")  # 28 October: -5,000 in October's office costs
    expense(b, date(2026, 10, 25), 20_000, october)
    b.report(ctx(october), "2026-09", uuid4())
    totals = b.report(ctx(november), "2026-10", uuid4())
    assert totals.month == "2026-10"
    assert totals.income == {"donation": 200_000}
    assert totals.expense == {"activities": 30_000, "office": -5_000 + 20_000}
    assert (totals.total_income, totals.total_expense) == (200_000, 45_000)
    assert (totals.opening, totals.closing) == (950_000, 1_105_000)
    assert totals.entries == [3, 4, 5, 6]
    september_totals = b.totals("2026-09")
    assert september_totals.expense == {"office": 50_000}, "the correction counts in October, not September"
    assert september_totals.closing == totals.opening
    assert b.balance() == totals.closing == 1_000_000 + 200_000 - 45_000 - 30_000 - 20_000


def test_once_a_month_is_reported_its_balances_no_longer_change():
    b = book()
    income(b, date(2026, 10, 5), 100_000)
    reported = b.report(ctx(), "2026-10", uuid4())  # September was never reported
    assert (reported.opening, reported.closing) == (0, 100_000)
    refused(lambda: expense(b, date(2026, 9, 20), 30_000), "on")  # the books up to a reported month are closed
    october = b.totals("2026-10")
    assert (october.opening, october.closing) == (reported.opening, reported.closing)


def test_the_balance_carries_over_from_month_to_month_and_an_empty_month_keeps_it():
    b = book()
    income(b, date(2026, 7, 1), 500_000)
    expense(b, date(2026, 7, 31), 100_000)
    expense(b, date(2026, 9, 1), 50_000)
    months = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    totals = [b.totals(m) for m in months]
    assert [(t.opening, t.closing) for t in totals] == [
        (0, 0),
        (0, 400_000),
        (400_000, 400_000),
        (400_000, 350_000),
        (350_000, 350_000),
    ]
    assert all(t.closing == following.opening for t, following in pairwise(totals))
    assert b.balance(date(2026, 8, 1)) == 400_000 and b.balance() == 350_000


# -- the finance book, at random: the figures are the plain sums of the entries -------------------------------------
ALL_CATEGORIES = [(kind, category) for kind, categories in FINANCE_CATEGORIES.items() for category in categories]
START = date(2026, 7, 20)
FINANCE_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["record", "record", "record", "correct", "correct", "advance", "advance", "report"]),
        st.integers(0, 45),  # days back for an entry, days forward for the clock, which entry or month
        st.sampled_from(ALL_CATEGORIES),
        st.integers(0, 100_000),  # the amount (or the right amount)
    ),
    min_size=10,
    max_size=60,
)


def months_between(first: date, last: date) -> list[str]:
    found, day = [], first.replace(day=1)
    while day <= last:
        found.append(month_of(day))
        day = (day + timedelta(days=32)).replace(day=1)
    return found


def plain_sums(lines: list[tuple[int, str, str, date, int, int]], month: str) -> tuple[dict, dict]:
    first, last = month_bounds(month)
    sums: dict[str, dict[str, int]] = {"income": {}, "expense": {}}
    for _, kind, category, on, amount, _ in lines:
        if first <= on <= last:
            sums[kind][category] = sums[kind].get(category, 0) + amount
    return sums["income"], sums["expense"]


@settings(max_examples=150, deadline=None)
@given(steps=FINANCE_STEPS)
def test_whatever_is_recorded_and_corrected_the_figures_are_the_plain_sums_of_the_entries(steps):
    """Entries, corrections and reports over a few months, the clock moving on: a refusal changes nothing; each
    month's figures are the sums of the entries dated in it (a correction on the day it was made); an entry's amount
    is its original plus its corrections; the balance is income less expense and carries over from month to month;
    a reported month's income and expense never change."""
    today = START
    b = book(at(today))
    lines: list[tuple[int, str, str, date, int, int]] = []  # number, kind, category, on, amount, corrects
    right: dict[int, int] = {}  # each original's right amount
    reported: dict[str, object] = {}
    for step, n, (kind, category), amount in steps:
        now = ctx(at(today))
        entries_before = list(b.entries)
        if step == "record":
            on = today - n * DAY
            allowed = amount > 0 and not (reported and on <= month_bounds(max(reported))[1])
            try:
                number = b.record(now, kind, on, amount, category, "某某", person=n % 2 == 0)
            except DomainError:
                assert not allowed
            else:
                assert allowed and number == len(lines) + 1
                lines.append((number, kind, category, on, amount, 0))
                right[number] = amount
        elif step == "correct":
            target = n % (len(lines) + 1) + 1  # an original, a correction, or one that does not exist
            allowed = target in right and right[target] != amount
            try:
                number = b.correct(now, target, amount, "更正")
            except DomainError:
                assert not allowed
            else:
                assert allowed and number == len(lines) + 1
                _, kind_, category_, *_ = lines[target - 1]
                lines.append((number, kind_, category_, today, amount - right[target], target))
                right[target] = amount
        elif step == "advance":
            today += (n % 20) * DAY
        else:
            month = month_of(today - n * DAY)
            allowed = month_bounds(month)[1] < today and month not in reported
            try:
                totals = b.report(now, month, uuid4())
            except DomainError:
                assert not allowed
            else:
                assert allowed
                event("a month reported")
                assert (totals.income, totals.expense) == plain_sums(lines, month)
                reported[month] = totals
        events = b.collect_events()
        if len(events) == 0:
            assert b.entries == entries_before and list(b.reported) == list(reported), "a refusal changes nothing"
        else:
            assert len(events) == 1
    assert [(e.number, e.kind, e.category, e.on, e.amount_fen, e.corrects) for e in b.entries] == lines
    event(f"{len(lines)} entries, {sum(1 for line in lines if line[5])} corrections")
    months = months_between(START - 45 * DAY, today)
    totals = [b.totals(m) for m in months]
    for t in totals:
        assert (t.income, t.expense) == plain_sums(lines, t.month)
        first, last = month_bounds(t.month)
        assert t.entries == [line[0] for line in lines if first <= line[3] <= last]
        assert t.closing == t.opening + t.total_income - t.total_expense
    assert totals[0].opening == 0 and totals[-1].closing == b.balance()
    assert all(t.closing == following.opening for t, following in pairwise(totals))
    for number, amount in right.items():
        assert b.amount_of(number) == amount == sum(line[4] for line in lines if number in (line[0], line[5]))
    signed = [line[4] if line[1] == "income" else -line[4] for line in lines]
    assert b.balance() == sum(signed)
    for month, figures in reported.items():
        now = b.totals(month)
        assert (now.income, now.expense, now.entries) == (figures.income, figures.expense, figures.entries), (
            "a reported month's income and expense never change"
        )


# -- the disclosure schedule ---------------------------------------------------------------------------------------
def test_a_months_finance_report_is_due_on_the_report_day_of_the_next_month_and_overdue_from_the_day_after():
    assert finance_due("2026-10", 15) == date(2026, 11, 15)
    due = Due("finance", "2026-10", finance_due("2026-10", 15))
    assert not due.overdue(date(2026, 11, 15))
    assert due.overdue(date(2026, 11, 16))
    assert not due.overdue(ctx(datetime(2026, 11, 15, 15, 59, tzinfo=UTC)).today)  # 23:59 on the 15th in China
    on_the_16th_in_china = ctx(datetime(2026, 11, 15, 17, tzinfo=UTC)).today  # still the 15th in UTC
    assert on_the_16th_in_china == date(2026, 11, 16) and due.overdue(on_the_16th_in_china)
    assert not replace(due, done_on=date(2026, 11, 15)).overdue(date(2026, 12, 1))


@pytest.mark.parametrize(
    ("month", "report_day", "due"),
    [
        ("2026-01", 31, date(2026, 2, 28)),  # capped to February's length
        ("2028-01", 31, date(2028, 2, 29)),  # a leap year
        ("2026-01", 28, date(2026, 2, 28)),
        ("2026-02", 31, date(2026, 3, 31)),
        ("2026-03", 31, date(2026, 4, 30)),
        ("2026-12", 15, date(2027, 1, 15)),  # into the next year
        ("2026-10", 1, date(2026, 11, 1)),
    ],
)
def test_a_report_day_past_the_end_of_the_next_month_is_its_last_day(month, report_day, due):
    assert finance_due(month, report_day) == due


@pytest.mark.parametrize(
    ("day", "months", "name", "first", "last"),
    [
        (date(2026, 1, 1), 3, "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), 3, "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), 3, "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 9, 30), 3, "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), 3, "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        (date(2026, 2, 14), 1, "2026-2/12", date(2026, 2, 1), date(2026, 2, 28)),
        (date(2028, 2, 29), 1, "2028-2/12", date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 12, 1), 1, "2026-12/12", date(2026, 12, 1), date(2026, 12, 31)),
        (date(2026, 2, 28), 2, "2026-1/6", date(2026, 1, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), 2, "2026-2/6", date(2026, 3, 1), date(2026, 4, 30)),
        (date(2026, 12, 31), 2, "2026-6/6", date(2026, 11, 1), date(2026, 12, 31)),
    ],
)
def test_a_day_falls_in_one_general_disclosure_period_counted_from_january(day, months, name, first, last):
    assert period_of(day, months) == (name, first, last)


def dues(today: date, since: date = date(2026, 7, 1), **kwargs) -> list[Due]:
    arguments = {
        "report_day": 15,
        "general_months": 3,
        "major_days": 10,
        "finance_published": {},
        "general_published": [],
        "resolutions": [],
    }
    return schedule(today, since, **{**arguments, **kwargs})


def test_a_quarters_general_disclosure_is_overdue_the_day_after_its_last_day_not_on_it():
    on_the_last_day = [d for d in dues(date(2026, 9, 30)) if d.kind == "general"]
    assert not any(d.overdue(date(2026, 9, 30)) for d in on_the_last_day)
    [q3] = [d for d in dues(date(2026, 10, 1)) if d.kind == "general"]
    assert (q3.subject, q3.due, q3.done_on) == ("2026-Q3", date(2026, 9, 30), None)
    assert q3.overdue(date(2026, 10, 1)) and not q3.overdue(date(2026, 9, 30))


def test_one_notice_of_affairs_in_the_quarter_is_the_quarters_general_disclosure_the_first_one_counts():
    [q3] = [
        d
        for d in dues(date(2026, 10, 5), general_published=[date(2026, 9, 30), date(2026, 8, 3), date(2026, 10, 2)])
        if d.kind == "general" and d.subject == "2026-Q3"
    ]
    assert q3.done_on == date(2026, 8, 3) and not q3.late and not q3.overdue(date(2026, 10, 5))


def test_a_major_matter_resolved_on_a_day_is_due_ten_days_later():
    resolved = date(2026, 11, 2)
    [major] = dues(date(2026, 11, 13), resolutions=[("加装电梯", resolved, None)], since=date(2026, 11, 1))
    assert (major.kind, major.subject, major.due) == ("major", "加装电梯", date(2026, 11, 12))
    assert not major.overdue(date(2026, 11, 12)) and major.overdue(date(2026, 11, 13))
    [done] = dues(date(2026, 11, 20), resolutions=[("加装电梯", resolved, date(2026, 11, 12))], since=resolved)
    assert not done.late and not done.overdue(date(2026, 11, 20))
    [late] = dues(date(2026, 11, 20), resolutions=[("加装电梯", resolved, date(2026, 11, 13))], since=resolved)
    assert late.late and not late.overdue(date(2026, 11, 20))


def test_the_schedule_lists_what_fell_due_or_was_done_and_marks_what_was_done_late():
    found = dues(
        date(2026, 11, 20),
        since=date(2026, 9, 10),
        finance_published={"2026-09": date(2026, 10, 15), "2026-11": date(2026, 11, 19)},
        general_published=[date(2026, 11, 3)],
    )
    listed = {(d.kind, d.subject): (d.due, d.done_on) for d in found}
    assert listed == {
        ("finance", "2026-09"): (date(2026, 10, 15), date(2026, 10, 15)),  # on time
        ("finance", "2026-10"): (date(2026, 11, 15), None),  # overdue
        ("finance", "2026-11"): (date(2026, 12, 15), date(2026, 11, 19)),  # done early; not due yet
        ("general", "2026-Q3"): (date(2026, 9, 30), None),  # the board's first quarter, begun on 10 September
        ("general", "2026-Q4"): (date(2026, 12, 31), date(2026, 11, 3)),
    }
    overdue = {(d.kind, d.subject) for d in found if d.overdue(date(2026, 11, 20))}
    assert overdue == {("finance", "2026-10"), ("general", "2026-Q3")}
    assert not any(d.late for d in found)
    late = dues(date(2026, 11, 20), since=date(2026, 10, 1), finance_published={"2026-10": date(2026, 11, 16)})
    [october] = [d for d in late if d.kind == "finance"]
    assert october.late and not october.overdue(date(2026, 11, 20))


def test_the_finance_report_of_a_month_is_not_listed_before_it_falls_due():
    found = dues(date(2026, 11, 15), since=date(2026, 10, 1))
    assert [d for d in found if d.kind == "finance"] == [], "October's report is due on 15 November, not overdue yet"
    [october] = [d for d in dues(date(2026, 11, 16), since=date(2026, 10, 1)) if d.kind == "finance"]
    assert october.subject == "2026-10" and october.overdue(date(2026, 11, 16))


def test_a_major_matter_not_yet_due_and_not_yet_disclosed_is_not_listed():
    found = dues(date(2026, 11, 5), since=date(2026, 11, 1), resolutions=[("加装电梯", date(2026, 11, 2), None)])
    assert found == []
