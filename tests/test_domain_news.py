"""The rules of 社区动态 on the pure aggregates: an item is posted with a category and the project's text limits, its
last day not in the past; an edit is the next version (never in place) and must change something; a withdrawn item
says why and changes no more; it is listed until withdrawn or past its last day. A reading is one per resident and
subject, only of an important item that stands. Hypothesis runs sequences of the clerk's steps against a model."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.news.domain.item import CATEGORIES, TEXT_MAX, TITLE_MAX, Draft, NewsItem, expired
from backend.news.domain.reading import Reading, reading_id

COMMUNITY = uuid4()
CLERK = uuid4()
TODAY = date(2026, 12, 7)
DRAFT = Draft("outage", "12月9日停水通知", "因管道维修，9日8:00–18:00停水。")


def on(day: date, actor=CLERK) -> Ctx:
    return Ctx(COMMUNITY, actor, datetime.combine(day, time(10), LOCAL_ZONE).astimezone(UTC))


def posted(draft: Draft = DRAFT, day: date = TODAY) -> NewsItem:
    item = NewsItem.post(on(day), uuid4(), draft)
    item.collect_events()
    return item


def test_a_post_names_its_actor_and_keeps_every_field():
    item = NewsItem.post(on(TODAY), uuid4(), replace(DRAFT, pinned=True, important=True, until=TODAY))
    (event,) = item.collect_events()
    assert isinstance(event, NewsItem.Posted)
    assert event.actor_id == CLERK and event.community_id == COMMUNITY
    assert (event.pinned, event.important, event.until, event.category) == (True, True, TODAY, "outage")
    assert item.edition == 1 and item.listed(TODAY)


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (replace(DRAFT, category="gossip"), "category"),
        (replace(DRAFT, title=""), "title"),
        (replace(DRAFT, title="标" * (TITLE_MAX + 1)), "title"),
        (replace(DRAFT, text="字" * (TEXT_MAX + 1)), "text"),
        (replace(DRAFT, photo="../../etc/passwd"), "photo"),
        (replace(DRAFT, until=TODAY - timedelta(days=1)), "until"),
    ],
)
def test_a_post_is_refused_with_its_field(draft, field):
    with pytest.raises(DomainError) as refused:
        NewsItem.post(on(TODAY), uuid4(), draft)
    assert refused.value.field == field


def test_the_limits_themselves_are_allowed_and_crlf_counts_once():
    item = posted(replace(DRAFT, title="标" * TITLE_MAX, text="一\r\n" + "字" * (TEXT_MAX - 2)))
    assert len(item.draft.text) == TEXT_MAX


def test_an_edit_is_the_next_version_and_a_withdrawn_item_changes_no_more():
    item = posted()
    with pytest.raises(DomainError, match="Nothing changed"):
        item.edit(on(TODAY), DRAFT)
    item.edit(on(TODAY), replace(DRAFT, text="改为9日8:00–12:00停水。"))
    (edited,) = item.collect_events()
    assert isinstance(edited, NewsItem.Edited) and edited.version == 2 and edited.actor_id == CLERK
    with pytest.raises(DomainError) as refused:
        item.withdraw(on(TODAY), " ")
    assert refused.value.field == "reason"
    item.withdraw(on(TODAY), "维修取消")
    assert not item.listed(TODAY)
    for step in (lambda: item.edit(on(TODAY), DRAFT), lambda: item.withdraw(on(TODAY), "again")):
        with pytest.raises(DomainError) as refused:
            step()
        assert refused.value.status == 409


def test_an_expired_item_may_be_corrected_but_its_day_not_moved_into_the_past():
    item = posted(replace(DRAFT, until=TODAY))
    later = TODAY + timedelta(days=3)
    assert expired(item.draft.until, later) and not item.listed(later)
    item.edit(on(later), replace(item.draft, text="更正错字。"))  # the same past day: allowed
    with pytest.raises(DomainError) as refused:
        item.edit(on(later), replace(item.draft, until=later - timedelta(days=1)))
    assert refused.value.field == "until"
    item.edit(on(later), replace(item.draft, until=None))
    assert item.listed(later)


def test_a_reading_is_once_per_resident_of_an_important_standing_item():
    resident = uuid4()
    plain = posted()
    with pytest.raises(DomainError, match="Only important"):
        plain.check_readable()
    important = posted(replace(DRAFT, important=True))
    important.check_readable()
    reading = Reading.record(on(TODAY, resident), "news", important.id, resident, already=False)
    (event,) = reading.collect_events()
    assert event.actor_id == resident and reading.id == reading_id(important.id, resident)
    with pytest.raises(DomainError) as refused:
        Reading.record(on(TODAY, resident), "news", important.id, resident, already=True)
    assert refused.value.status == 409
    important.withdraw(on(TODAY), "发错了")
    with pytest.raises(DomainError, match="withdrawn"):
        important.check_readable()


# -- sequences of the clerk's steps against a model -------------------------------------------------------------------
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["edit", "withdraw", "read"]),
        st.integers(min_value=0, max_value=6),  # days after the post
        st.sampled_from(sorted(CATEGORIES)),
        st.booleans(),  # important
        st.one_of(st.none(), st.integers(min_value=-2, max_value=5)),  # last day, relative to the step's day
        st.integers(min_value=0, max_value=3),  # which resident reads
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(STEPS, st.text(st.characters(categories=("Lo", "Nd")), min_size=1, max_size=8))
def test_versions_count_edits_withdrawal_is_final_and_readings_are_once_each(steps, title):
    residents = [uuid4() for _ in range(4)]
    item = posted(replace(DRAFT, title=title.strip()))
    version, withdrawn, read = 1, False, set()
    for number, (step, day_offset, category, important, until, who) in enumerate(steps):
        day = TODAY + timedelta(days=day_offset)
        try:
            if step == "edit":
                last = None if until is None else day + timedelta(days=until)
                item.edit(on(day), Draft(category, f"{title.strip()}{number}", "正文", "", False, important, last))
                version += 1
                assert item.draft.until is None or item.draft.until >= day, "a changed last day is never past"
            elif step == "withdraw":
                item.withdraw(on(day), "原因")
                withdrawn = True
            else:
                item.check_readable()
                Reading.record(on(day, residents[who]), "news", item.id, residents[who], residents[who] in read)
                read.add(residents[who])
        except DomainError as refused:
            if step == "edit":
                assert withdrawn or refused.field == "until"
            elif step == "withdraw":
                assert withdrawn
            else:
                assert withdrawn or not item.draft.important or residents[who] in read
        events = item.collect_events()
        assert all(e.actor_id == CLERK and e.community_id == COMMUNITY for e in events)
        assert item.edition == version and item.withdrawn == withdrawn
        assert item.listed(day) == (not withdrawn and not expired(item.draft.until, day))
    assert len({reading_id(item.id, r) for r in read}) == len(read)
