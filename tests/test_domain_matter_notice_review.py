"""⑤ and ⑥ through the supervisors' review (居务监督委员会, issue 29), as every other notice of the board: drafted by
the committee, approved or returned (with a reason) by a supervisor who did not draft it, published only on approval
while the rulebook's `disclosure_review_required` is 1; the 公示 period and the objection deadline start at
publication. Logs written before the review (NoticePublished without a draft) still replay."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.community.domain.community import community_id_for
from backend.deliberation.domain.matter import Matter, NoticeTerms
from backend.deliberation.domain.rules import Body, Outcome, Stage
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError

HERE = community_id_for("here")
START = date(2026, 11, 2)
REVIEWED = NoticeTerms(period_days=10, answer_days=15, review_days=5, review_required=True)
DIRECT = replace(REVIEWED, review_required=False)
CLERK, SUPERVISOR, OTHER_SUPERVISOR = uuid4(), uuid4(), uuid4()
NOTICES = (Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE)


def on(day: date, actor: UUID | None = CLERK) -> Ctx:
    """A context at 10:00 China time on `day`."""
    return Ctx(HERE, actor, datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC))


def resolved() -> Matter:
    """A matter whose resolution (④) has passed: ⑤ is next."""
    m = Matter.open(on(START), uuid4(), "加装电梯", "3栋加装电梯的方案", None, False)
    for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING, Body.REPRESENTATIVES):
        m.record(on(START), body, Outcome.PASSED, uuid4())
    return m


def published_events(m: Matter) -> list[Matter.NoticePublished]:
    return [e for e in m.pending_events if isinstance(e, Matter.NoticePublished)]


def test_a_draft_is_published_on_approval_with_its_period_from_that_day():
    m = resolved()
    with pytest.raises(DomainError, match="supervisors' approval"):
        m.publish(on(START), Stage.RESOLUTION_NOTICE, "决议", REVIEWED)
    m.draft_notice(on(START), Stage.RESOLUTION_NOTICE, "决议：加装电梯", REVIEWED)
    assert Stage.RESOLUTION_NOTICE not in m.done and not m.notices, "a draft is not on the board"
    with pytest.raises(DomainError, match="with the supervisors"):
        m.draft_notice(on(START), Stage.RESOLUTION_NOTICE, "另一稿", REVIEWED)
    with pytest.raises(DomainError, match="with the supervisors"):
        m.publish(on(START), Stage.RESOLUTION_NOTICE, "直接公开", DIRECT)
    approved = START + timedelta(days=4)
    m.approve_notice(on(approved, SUPERVISOR), REVIEWED)
    notice = m.notices[Stage.RESOLUTION_NOTICE]
    assert notice.published_on == approved
    assert notice.objections_until == approved + timedelta(days=9), "10 days on the board from the approval"
    assert m.done[-1] == Stage.RESOLUTION_NOTICE and m.draft is None
    [event] = published_events(m)
    assert event.text == "决议：加装电梯" and event.actor_id == SUPERVISOR
    # objections run from the publication, not from the drafting
    late = approved + timedelta(days=9)
    assert m.raise_objection(on(late, uuid4()), Stage.RESOLUTION_NOTICE, "费用分摊不公平") == 1
    assert m.objections[1].answer_due == late + timedelta(days=15)


def test_a_returned_draft_is_revised_and_sent_again():
    m = resolved()
    m.draft_notice(on(START), Stage.RESOLUTION_NOTICE, "决议", REVIEWED)
    with pytest.raises(DomainError, match="object to"):
        m.return_notice(on(START, SUPERVISOR), " ")
    m.return_notice(on(START, SUPERVISOR), "未写明表决结果")
    assert m.draft is not None and m.draft.state == "returned" and m.draft.reason == "未写明表决结果"
    with pytest.raises(DomainError, match="in review"):
        m.approve_notice(on(START, SUPERVISOR), REVIEWED)
    with pytest.raises(DomainError, match="Revise"):
        m.draft_notice(on(START), Stage.RESOLUTION_NOTICE, "决议", REVIEWED)
    m.draft_notice(on(START + timedelta(days=1)), Stage.RESOLUTION_NOTICE, "决议（赞成 7 票）", REVIEWED)
    m.approve_notice(on(START + timedelta(days=2), SUPERVISOR), REVIEWED)
    assert published_events(m)[0].text == "决议（赞成 7 票）"


def test_nobody_reviews_their_own_draft():
    m = resolved()
    both = uuid4()  # a committee member who is also a supervisor
    m.draft_notice(on(START, both), Stage.RESOLUTION_NOTICE, "决议", REVIEWED)
    for review in (lambda: m.approve_notice(on(START, both), REVIEWED), lambda: m.return_notice(on(START, both), "x")):
        with pytest.raises(DomainError) as refused:
            review()
        assert refused.value.status == 403
    m.approve_notice(on(START, OTHER_SUPERVISOR), REVIEWED)
    assert Stage.RESOLUTION_NOTICE in m.done


def test_an_earlier_writer_of_a_revised_draft_does_not_review_it():
    """Drafted by A (also a supervisor), returned, revised and resent by B: A wrote part of it and leaves it to
    another supervisor, as for the board's notices."""
    m = resolved()
    a, b = uuid4(), uuid4()
    m.draft_notice(on(START, a), Stage.RESOLUTION_NOTICE, "决议", REVIEWED)
    m.return_notice(on(START, SUPERVISOR), "未写明表决结果")
    m.draft_notice(on(START, b), Stage.RESOLUTION_NOTICE, "决议（赞成 7 票）", REVIEWED)
    for writer in (a, b):
        with pytest.raises(DomainError) as refused:
            m.approve_notice(on(START, writer), REVIEWED)
        assert refused.value.status == 403
    m.approve_notice(on(START, SUPERVISOR), REVIEWED)
    assert Stage.RESOLUTION_NOTICE in m.done


def test_without_review_in_the_rulebook_the_committee_publishes_directly():
    m = resolved()
    m.publish(on(START), Stage.RESOLUTION_NOTICE, "决议", DIRECT)
    assert m.notices[Stage.RESOLUTION_NOTICE].published_on == START


def test_the_result_draft_is_not_approved_while_an_objection_waits():
    m = resolved()
    m.draft_notice(on(START), Stage.RESOLUTION_NOTICE, "决议", REVIEWED)
    m.approve_notice(on(START, SUPERVISOR), REVIEWED)
    m.post_progress(on(START), START, "完工", 100, [])
    m.draft_notice(on(START), Stage.RESULT_NOTICE, "结果", REVIEWED)
    m.raise_objection(on(START + timedelta(days=1), uuid4()), Stage.RESOLUTION_NOTICE, "费用不清楚")
    with pytest.raises(DomainError, match="objections"):
        m.approve_notice(on(START + timedelta(days=1), SUPERVISOR), REVIEWED)
    m.answer(on(START + timedelta(days=1)), 1, "明细已公开")
    m.approve_notice(on(START + timedelta(days=2), SUPERVISOR), REVIEWED)
    assert m.state == "completed"


def test_a_rejected_matter_leaves_no_draft_to_review():
    m = Matter.open(on(START), uuid4(), "加装电梯", "方案", None, False)
    m.record(on(START), Body.PARTY_COMMITTEE, Outcome.FAILED, uuid4())
    m.reject(on(START), "不予采纳")
    with pytest.raises(DomainError):
        m.approve_notice(on(START, SUPERVISOR), REVIEWED)


def test_a_log_written_before_the_review_still_replays():
    """Old logs: ⑤ published directly (no draft); the aggregate replays them, and ⑥ then goes through review."""
    m = resolved()
    m.publish(on(START), Stage.RESOLUTION_NOTICE, "决议", DIRECT)  # as the code before the review wrote it
    replayed = None
    for event in m.collect_events():
        replayed = event.mutate(replayed)
    assert replayed is not None and replayed.draft is None and Stage.RESOLUTION_NOTICE in replayed.done
    replayed.post_progress(on(START), START, "完工", 100, [])
    replayed.draft_notice(on(START), Stage.RESULT_NOTICE, "结果", REVIEWED)
    replayed.approve_notice(on(START, SUPERVISOR), REVIEWED)
    assert replayed.state == "completed"


COMMANDS = st.lists(
    st.tuples(
        st.sampled_from(["publish", "draft", "approve", "return", "progress", "object", "answer", "reject"]),
        st.sampled_from(NOTICES),
        st.sampled_from([CLERK, SUPERVISOR, OTHER_SUPERVISOR]),
        st.integers(0, 3),  # days since the previous command
        st.sampled_from(["公告", "修改后的公告", " "]),
    ),
    max_size=30,
)


@settings(max_examples=300)
@given(COMMANDS)
def test_no_sequence_of_commands_publishes_without_an_approval_while_review_is_required(commands):
    m = resolved()
    day = START
    for kind, stage, actor, wait, text in commands:
        day += timedelta(days=wait)
        ctx = on(day, actor)
        try:
            if kind == "publish":
                m.publish(ctx, stage, text, REVIEWED)
            elif kind == "draft":
                m.draft_notice(ctx, stage, text, REVIEWED)
            elif kind == "approve":
                m.approve_notice(ctx, REVIEWED)
            elif kind == "return":
                m.return_notice(ctx, text)
            elif kind == "progress":
                m.post_progress(ctx, day, "进展", 100, [])
            elif kind == "object":
                m.raise_objection(on(day, uuid4()), stage, "有异议")
            elif kind == "answer":
                m.answer(ctx, 1 + wait % 2, "答复")
            else:
                m.reject(ctx, "不予采纳")
        except DomainError:
            pass
    # Every publication answers a draft in review, approved by someone other than its drafter, on the day of the
    # approval, with the drafted text; and its 公示 period runs from that day.
    in_review: tuple[str, str, UUID | None] | None = None
    events = m.collect_events()
    for event in events:
        if isinstance(event, Matter.NoticeDrafted):
            in_review = (event.stage, event.text, event.actor_id)
        elif isinstance(event, Matter.NoticeReturned):
            in_review = None
        elif isinstance(event, Matter.NoticePublished):
            assert in_review is not None, "published without a draft in review"
            stage, text, drafter = in_review
            assert (event.stage, event.text) == (stage, text)
            assert event.actor_id is not None and event.actor_id != drafter, "approved by its own drafter"
            assert event.published_on == event.timestamp.date()
            assert event.objections_until == event.published_on + timedelta(days=REVIEWED.period_days - 1)
            in_review = None
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed is not None and replayed.done == m.done and replayed.draft == m.draft
