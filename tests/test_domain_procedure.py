"""四议两公开 as DESIGN 2, 4 and 9 state it: six stages in order, none skipped or repeated; ① and ② in one sitting
only where the rulebook allows; quorum and pass rules per body at their boundaries; one member, one vote."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.community.domain.community import Community, community_id_for
from backend.community.domain.rules import BASES, VOTE_RULES, Share, VoteRule
from backend.deliberation.domain.matter import Matter, NoticeTerms, rule_key
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.rules import STAGES, Body, Outcome, Stage, decide
from backend.deliberation.domain.vote import BallotState, Choice, Vote, vote_id
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from projections.deliberation.queries import quorum

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
HERE = community_id_for("here")
CTX = Ctx(HERE, None, NOW)
TERMS = NoticeTerms(period_days=10, answer_days=15)  # the rulebook's defaults: the supervisors review ⑤ and ⑥
CLERK, SUPERVISOR = uuid4(), uuid4()


def reviewed(m: Matter, ctx: Ctx, stage: Stage, text: str) -> None:
    """⑤/⑥ as the rulebook's default has it: drafted by the clerk, approved (so published) by a supervisor."""
    m.draft_notice(replace(ctx, actor_id=CLERK), stage, text, TERMS)
    m.approve_notice(replace(ctx, actor_id=SUPERVISOR), TERMS)


def matter(joint: bool = False) -> Matter:
    return Matter.open(CTX, uuid4(), "加装电梯", "3栋加装电梯的方案", None, joint)


# -- quorum and pass rules, table-driven from the rulebook, at the boundaries ----------------------------------------
def rule(key: str, on: date = date(2026, 11, 1), community: Community | None = None) -> VoteRule:
    """The rule a community's rulebook gives (the law's defaults unless `community` set one)."""
    return (community or Community.found(CTX, "这里", "here")).vote_rule(key, on)


RESIDENTS = VOTE_RULES["residents_meeting"]


@pytest.mark.parametrize(
    ("key", "expected", "present", "yes", "outcome"),
    [
        # 党员大会: more than half present; yes more than half of those expected (应到)
        ("party_meeting", 10, 5, 5, Outcome.NOT_QUORATE),  # exactly half present is not a quorum
        ("party_meeting", 10, 6, 5, Outcome.FAILED),  # exactly half of the expected is not a majority
        ("party_meeting", 10, 6, 6, Outcome.PASSED),
        ("party_meeting", 9, 5, 5, Outcome.PASSED),
        # 居民代表会议: at least two thirds present; yes more than half of those present
        ("representatives", 9, 6, 4, Outcome.PASSED),  # exactly 2/3 present is a quorum
        ("representatives", 9, 5, 5, Outcome.NOT_QUORATE),
        ("representatives", 9, 6, 3, Outcome.FAILED),  # exactly half of those present is not a majority
        ("representatives", 30, 20, 11, Outcome.PASSED),
        # 居民会议: more than half present; yes more than half of those present
        ("residents_meeting", 100, 50, 50, Outcome.NOT_QUORATE),
        ("residents_meeting", 100, 51, 26, Outcome.PASSED),
        ("residents_meeting", 100, 52, 26, Outcome.FAILED),
        ("joint_committees", 7, 4, 4, Outcome.PASSED),
        ("party_committee", 5, 3, 2, Outcome.FAILED),
        ("party_committee", 0, 0, 0, Outcome.NOT_QUORATE),
        # collective assets: at least two thirds of all members present, and yes at least two thirds of all members
        ("collective_asset", 30, 19, 19, Outcome.NOT_QUORATE),
        ("collective_asset", 30, 20, 20, Outcome.PASSED),  # exactly 2/3 present and exactly 2/3 of all voting yes
        ("collective_asset", 30, 30, 19, Outcome.FAILED),  # a majority of those present is not enough
        ("collective_asset", 9, 6, 6, Outcome.PASSED),
    ],
)
def test_quorum_and_pass_rules(key, expected, present, yes, outcome):
    assert decide(rule(key), expected, present, yes) == outcome


@pytest.mark.parametrize(
    ("key", "expected", "needed"),
    [
        ("party_meeting", 10, 6),  # more than half
        ("party_meeting", 9, 5),
        ("representatives", 9, 6),  # at least two thirds
        ("representatives", 10, 7),
        ("residents_meeting", 100, 51),
        ("collective_asset", 30, 20),
        ("party_committee", 1, 1),
        ("party_committee", 0, 0),  # nobody to sit: no quorum possible
    ],
)
def test_the_quorum_shown_live_is_the_fewest_present_the_rule_accepts(key, expected, needed):
    assert quorum(rule(key), expected) == needed


def test_a_community_sets_its_own_rule_from_a_day_on_and_earlier_days_keep_the_old_one():
    place = Community.found(CTX, "这里", "here")
    place.set_vote_rule(CTX, "representatives", ">=4/5", ">1/2", "present", date(2026, 12, 1), "本社区议事规则第5条")
    assert rule("representatives", date(2026, 11, 30), place) == VOTE_RULES["representatives"]
    december = rule("representatives", date(2026, 12, 1), place)
    assert december.text == "present >=4/5 of expected; yes >1/2 of present"
    assert december.source == "本社区议事规则第5条"
    assert decide(december, 10, 7, 7) == Outcome.NOT_QUORATE  # 7 of 10 is no longer enough
    assert decide(december, 10, 8, 5) == Outcome.PASSED
    place.set_vote_rule(CTX, "representatives", ">2/3", ">1/2", "present", date(2026, 12, 1))  # same day: later wins
    assert rule("representatives", date(2027, 1, 1), place).quorum == Share(Fraction(2, 3), True)
    assert rule("party_meeting", date(2027, 1, 1), place) == VOTE_RULES["party_meeting"], "other bodies unchanged"


@pytest.mark.parametrize(
    ("key", "quorum_text", "passing", "base", "field"),
    [
        ("nobody", ">1/2", ">1/2", "present", "body"),
        ("representatives", "2/3", ">1/2", "present", "quorum"),
        ("representatives", ">=0/3", ">1/2", "present", "quorum"),
        ("representatives", ">=4/3", ">1/2", "present", "quorum"),
        ("representatives", ">=2/0", ">1/2", "present", "quorum"),
        ("representatives", ">1/2", "most", "present", "pass"),
        ("representatives", ">1/2", ">1/2", "everyone", "base"),
    ],
)
def test_a_nonsensical_vote_rule_is_refused_naming_the_field(key, quorum_text, passing, base, field):
    place = Community.found(CTX, "这里", "here")
    with pytest.raises(DomainError) as refused:
        place.set_vote_rule(CTX, key, quorum_text, passing, base, date(2026, 12, 1))
    assert refused.value.field == field
    assert place.vote_rules == []


@given(st.integers(1, 999), st.integers(1, 999), st.booleans(), st.integers(0, 2000), st.integers(0, 2000))
def test_a_share_compares_exactly_and_reads_back_from_its_text(a, b, strict, count, of):
    numerator, denominator = min(a, b), max(a, b)
    share = Share(Fraction(numerator, denominator), strict)
    assert Share.parse(share.text, "quorum") == share
    exact = Fraction(count) > share.fraction * of if strict else Fraction(count) >= share.fraction * of
    assert share.reached(count, of) == exact


@given(st.sampled_from(sorted(VOTE_RULES)), st.booleans(), st.sampled_from(BASES))
def test_a_vote_rule_reads_back_from_the_text_the_log_keeps(key, swap, base):
    default = VOTE_RULES[key]
    made = VoteRule(default.passing if swap else default.quorum, default.quorum, base, default.source)
    assert VoteRule.parse(made.text, made.source) == made


@given(st.sampled_from(sorted(VOTE_RULES)), st.integers(0, 300), st.data())
def test_quorum_does_not_depend_on_the_votes_and_more_yes_votes_never_undo_a_pass(key, expected, data):
    body = VOTE_RULES[key]
    present = data.draw(st.integers(0, expected))
    yes = data.draw(st.integers(0, present))
    outcome = decide(body, expected, present, yes)
    quorate = decide(body, expected, present, 0) != Outcome.NOT_QUORATE
    assert (outcome != Outcome.NOT_QUORATE) == quorate, "closing without quorum is never passed (nor failed)"
    if outcome == Outcome.PASSED:
        assert all(decide(body, expected, present, more) == Outcome.PASSED for more in range(yes, present + 1))


# -- the stages ---------------------------------------------------------------------------------------------------
def test_the_six_stages_in_order():
    m = matter()
    for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING, Body.REPRESENTATIVES):
        m.record(CTX, body, Outcome.PASSED, uuid4())
    reviewed(m, CTX, Stage.RESOLUTION_NOTICE, "决议：加装电梯")
    m.post_progress(CTX, CTX.today, "施工完成", 1_200_000, [])
    reviewed(m, CTX, Stage.RESULT_NOTICE, "电梯已投入使用")
    assert m.done == list(STAGES) and m.next_stage is None and m.state == "completed"


def test_one_and_two_in_one_sitting_only_where_the_rulebook_allows():
    with pytest.raises(DomainError):
        matter(joint=False).record(CTX, Body.JOINT_COMMITTEES, Outcome.PASSED, uuid4())
    m = matter(joint=True)
    m.record(CTX, Body.JOINT_COMMITTEES, Outcome.PASSED, uuid4())
    assert m.done == [Stage.PARTY_PROPOSAL, Stage.COMMITTEES]


def test_a_failed_stage_sends_the_matter_back_and_a_resubmission_starts_again():
    m = matter()
    m.record(CTX, Body.PARTY_COMMITTEE, Outcome.PASSED, uuid4())
    m.record(CTX, Body.JOINT_COMMITTEES, Outcome.NOT_QUORATE, uuid4())
    assert m.state == "revising"
    with pytest.raises(DomainError):
        m.record(CTX, Body.JOINT_COMMITTEES, Outcome.PASSED, uuid4())
    m.resubmit(CTX, "修改后的方案")
    assert m.state == "open" and m.done == [] and m.round == 2


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.sampled_from(list(Body)), st.sampled_from(list(Outcome))),
        st.tuples(st.just("publish"), st.sampled_from([Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE]), st.none()),
        st.tuples(st.just("progress"), st.none(), st.none()),
        st.tuples(st.just("object"), st.sampled_from([Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE]), st.none()),
        st.tuples(st.just("answer"), st.integers(1, 3), st.none()),
        st.tuples(st.just("resubmit"), st.none(), st.none()),
        st.tuples(st.just("reject"), st.none(), st.none()),
    ),
    max_size=40,
)


@given(ACTIONS, st.booleans())
def test_no_stage_is_skipped_or_repeated_whatever_is_tried(actions, joint):
    m = matter(joint)
    for kind, what, outcome in actions:
        before = list(m.done)
        try:
            if kind == "record":
                m.record(CTX, what, outcome, uuid4())
            elif kind == "publish":
                reviewed(m, CTX, what, "公告")
            elif kind == "progress":
                m.post_progress(CTX, CTX.today, "进展", 100, [])
            elif kind == "object":
                m.raise_objection(replace(CTX, actor_id=uuid4()), what, "有异议")
            elif kind == "answer":
                m.answer(CTX, what, "答复")
            elif kind == "resubmit":
                m.resubmit(CTX, "再议")
            else:
                m.reject(CTX, "不予采纳")
        except DomainError:
            assert m.done == before, "a refused command changes nothing"
        assert m.done == list(STAGES[: len(m.done)]), "completed stages are always the first ones, in order"
        if Stage.RESULT_NOTICE in m.done:
            assert m.progress > 0, "a result is published only after implementation was reported"
        if m.state == "rejected":
            break
    replayed = None
    for event in m.collect_events():
        replayed = event.mutate(replayed)
    assert replayed.done == m.done and replayed.state == m.state


def resolved() -> Matter:
    """A matter whose resolution (④) has passed."""
    m = matter()
    for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING, Body.REPRESENTATIVES):
        m.record(CTX, body, Outcome.PASSED, uuid4())
    return m


def on(day: date, actor=None) -> Ctx:
    """A context at 10:00 China time on `day`."""
    return Ctx(HERE, actor, datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC))


def test_the_resolution_notice_stays_on_the_board_for_the_period_and_takes_objections_until_its_last_day():
    m = resolved()
    published = date(2026, 11, 2)
    reviewed(m, on(published), Stage.RESOLUTION_NOTICE, "决议：加装电梯")
    notice = m.notices[Stage.RESOLUTION_NOTICE]
    assert notice.objections_until == published + timedelta(days=9), "10 days on the board, the first included"
    resident = uuid4()
    last_day = on(published + timedelta(days=9), resident)
    assert m.raise_objection(last_day, Stage.RESOLUTION_NOTICE, "费用分摊不公平") == 1
    assert m.objections[1].answer_due == last_day.today + timedelta(days=15)
    with pytest.raises(DomainError, match="already objected"):
        m.raise_objection(last_day, Stage.RESOLUTION_NOTICE, "再说一次")
    with pytest.raises(DomainError, match="over"):
        m.raise_objection(on(published + timedelta(days=10), uuid4()), Stage.RESOLUTION_NOTICE, "太晚了")
    with pytest.raises(DomainError, match="not been published"):
        m.raise_objection(last_day, Stage.RESULT_NOTICE, "还没有公告")


def test_implementation_waits_while_an_objection_is_unanswered_and_the_result_needs_implementation():
    m = resolved()
    reviewed(m, CTX, Stage.RESOLUTION_NOTICE, "决议")
    with pytest.raises(DomainError, match="Report the implementation"):
        reviewed(m, CTX, Stage.RESULT_NOTICE, "结果")
    m.raise_objection(replace(CTX, actor_id=uuid4()), Stage.RESOLUTION_NOTICE, "费用不清楚")
    with pytest.raises(DomainError, match="every objection is answered"):
        m.post_progress(CTX, CTX.today, "开工", 0, [])
    m.answer(CTX, 1, "费用明细见附件")
    with pytest.raises(DomainError, match="already been answered"):
        m.answer(CTX, 1, "再答一次")
    m.post_progress(CTX, CTX.today, "开工", 50_000, ["a" * 64 + ".jpg"])
    m.post_progress(CTX, CTX.today, "完工", 70_000, [])
    assert m.spent_fen == 120_000
    reviewed(m, CTX, Stage.RESULT_NOTICE, "结果")
    assert m.state == "completed"
    m.raise_objection(replace(CTX, actor_id=uuid4()), Stage.RESULT_NOTICE, "质量有问题")
    m.answer(CTX, 2, "已安排返修")
    with pytest.raises(DomainError, match="not in progress"):
        m.post_progress(CTX, CTX.today, "又一次", 0, [])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"on": NOW.date() + timedelta(days=1)}, "between"),
        ({"on": NOW.date() - timedelta(days=1)}, "between"),
        ({"spent_fen": -1}, "money"),
        ({"text": " "}, "describe"),
        ({"text": "长" * 2001}, "describe"),
        ({"photos": ["p.jpg"] * 5}, "photos"),
    ],
)
def test_bad_progress_reports_are_refused_and_change_nothing(change, message):
    m = resolved()
    reviewed(m, CTX, Stage.RESOLUTION_NOTICE, "决议")
    args = {"on": CTX.today, "text": "开工", "spent_fen": 0, "photos": [], **change}
    with pytest.raises(DomainError, match=message):
        m.post_progress(CTX, **args)
    assert m.progress == 0 and m.spent_fen == 0


def test_a_matter_of_another_community_is_not_found():
    with pytest.raises(DomainError) as refused:
        matter().record(Ctx(community_id_for("b"), None, NOW), Body.PARTY_COMMITTEE, Outcome.PASSED, uuid4())
    assert refused.value.status == 404


# -- votes ------------------------------------------------------------------------------------------------------------
def test_one_member_one_vote_changeable_until_close_and_paper_ballots_confirmed_by_a_second_clerk():
    ballot_id, member, outsider, clerk, second_clerk = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    open_ballot = BallotState(ballot_id, True, frozenset({member}))
    closed = BallotState(ballot_id, False, frozenset({member}))
    vote = Vote.cast(Ctx(HERE, member, NOW), open_ballot, member, "yes")
    assert vote.id == vote_id(ballot_id, member) and vote.counts
    vote.change(Ctx(HERE, member, NOW), open_ballot, "no")
    assert vote.choice == "no"
    with pytest.raises(DomainError):
        vote.change(Ctx(HERE, member, NOW), closed, "yes")
    with pytest.raises(DomainError):
        Vote.cast(Ctx(HERE, outsider, NOW), open_ballot, outsider, "yes")
    with pytest.raises(DomainError):
        Vote.cast(Ctx(HERE, member, NOW), closed, member, "yes")
    with pytest.raises(DomainError):
        Vote.cast(Ctx(HERE, member, NOW), open_ballot, member, "maybe")

    paper = Vote.cast(Ctx(HERE, clerk, NOW), BallotState(uuid4(), True, frozenset({member})), member, "yes", paper=True)
    assert not paper.counts
    with pytest.raises(DomainError):
        paper.confirm(Ctx(HERE, clerk, NOW))  # not by the clerk who entered it
    paper.confirm(Ctx(HERE, second_clerk, NOW))
    assert paper.counts
    with pytest.raises(DomainError):
        paper.change(Ctx(HERE, member, NOW), open_ballot, "no")


# -- the meeting record -----------------------------------------------------------------------------------------------
def test_minutes_follow_the_result_and_only_attendees_sign_them_once_after_which_they_are_fixed():
    m = matter()
    members = [uuid4() for _ in range(3)]
    later = NOW + timedelta(days=1)
    rule = VOTE_RULES["party_committee"]
    sitting = Meeting.schedule(CTX, uuid4(), m, Body.PARTY_COMMITTEE, "活动室", later, "同意", members, 0, rule)
    sitting.check_in(CTX, members[0])
    sitting.open_ballot(CTX)
    with pytest.raises(DomainError, match="result"):
        sitting.write_minutes(CTX, "会议记录")
    sitting.close_ballot(CTX)
    sitting.record_result(CTX, {members[1]: Choice.YES, members[0]: Choice.YES})
    assert sitting.attendees == {members[0], members[1]}, "a member who checked in or voted attended"
    with pytest.raises(DomainError, match="no minutes"):
        sitting.sign_off(Ctx(HERE, members[0], NOW))
    sitting.write_minutes(CTX, "第一稿")
    sitting.write_minutes(CTX, "定稿：同意修路")
    with pytest.raises(DomainError, match="attended"):
        sitting.sign_off(Ctx(HERE, members[2], NOW))  # expected, but absent
    with pytest.raises(DomainError, match="each for themselves"):
        sitting.sign_off(Ctx(HERE, members[0], NOW, on_behalf_of=members[1]))
    sitting.sign_off(Ctx(HERE, members[0], NOW))
    with pytest.raises(DomainError, match="already signed"):
        sitting.sign_off(Ctx(HERE, members[0], NOW))
    with pytest.raises(DomainError, match="not changed"):
        sitting.write_minutes(CTX, "改一下")
    assert sitting.minutes == "定稿：同意修路" and sitting.signed == {members[0]}


# -- online ballots of the residents ----------------------------------------------------------------------------------
def at_resolution() -> Matter:
    m = matter()
    for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING):
        m.record(CTX, body, Outcome.PASSED, uuid4())
    return m


def test_an_online_ballot_opens_and_closes_with_its_voting_period_and_refuses_votes_outside_it():
    opens, closes = NOW + timedelta(days=10), NOW + timedelta(days=17)
    residents = [uuid4() for _ in range(5)]
    ballot = Meeting.schedule(
        CTX, uuid4(), at_resolution(), Body.RESIDENTS_MEETING, "网上", opens, "同意", residents, 10, RESIDENTS, closes
    )
    with pytest.raises(DomainError, match="opens at"):
        ballot.open_ballot(Ctx(HERE, None, opens - timedelta(minutes=1)))
    ballot.open_ballot(Ctx(HERE, None, opens))
    with pytest.raises(DomainError, match="no check-in"):
        ballot.check_in(CTX, residents[0])
    state = ballot.ballot_state
    votes = {r: Vote.cast(Ctx(HERE, r, opens), state, r, "yes") for r in residents[:3]}
    with pytest.raises(DomainError, match="closed"):
        Vote.cast(Ctx(HERE, residents[3], closes), state, residents[3], "yes")  # the period is over
    with pytest.raises(DomainError, match="closed"):
        votes[residents[0]].change(Ctx(HERE, residents[0], closes), state, "no")
    with pytest.raises(DomainError, match="stays open"):
        ballot.close_ballot(Ctx(HERE, None, closes - timedelta(seconds=1)))
    ballot.close_ballot(Ctx(HERE, None, closes))
    assert ballot.record_result(CTX, {r: Choice.YES for r in votes}) == Outcome.PASSED  # 3 of 5 took part


def test_on_a_ballot_by_household_each_household_has_one_vote():
    opens, closes = NOW + timedelta(days=10), NOW + timedelta(days=17)
    home, other = uuid4(), uuid4()
    ballot = Meeting.schedule(
        CTX,
        uuid4(),
        at_resolution(),
        Body.RESIDENTS_MEETING,
        "网上",
        opens,
        "同意",
        [home, other],
        10,
        RESIDENTS,
        closes,
        True,
    )
    ballot.open_ballot(Ctx(HERE, None, opens))
    state = ballot.ballot_state
    wife, husband = uuid4(), uuid4()
    vote = Vote.cast(Ctx(HERE, wife, opens), state, wife, "yes", household_id=home)
    assert vote.id == vote_id(ballot.id, home), "the household's vote: a second first vote collides in the store"
    with pytest.raises(DomainError, match="one vote per household"):
        vote.change(Ctx(HERE, husband, opens), state, "no")
    with pytest.raises(DomainError, match="Only members"):
        Vote.cast(Ctx(HERE, husband, opens), state, husband, "yes", household_id=uuid4())


@pytest.mark.parametrize(
    ("body", "until", "per_household", "message"),
    [
        (Body.REPRESENTATIVES, NOW + timedelta(days=20), False, "Only a residents' meeting"),
        (Body.RESIDENTS_MEETING, NOW + timedelta(days=10), False, "close after it opens"),
        (Body.RESIDENTS_MEETING, None, True, "by household is for online"),
    ],
)
def test_online_ballots_are_for_residents_meetings_and_close_after_they_open(body, until, per_household, message):
    with pytest.raises(DomainError, match=message):
        Meeting.schedule(
            CTX,
            uuid4(),
            at_resolution(),
            body,
            "网上",
            NOW + timedelta(days=10),
            "同意",
            [uuid4()],
            0,
            VOTE_RULES[body.value],
            until,
            per_household,
        )


def test_the_resolution_of_a_collective_asset_matter_is_decided_by_the_collective_asset_rule():
    ordinary, assets = matter(), Matter.open(CTX, uuid4(), "出租集体厂房", "出租三号厂房五年", None, False, True)
    assert rule_key(assets, Body.PARTY_COMMITTEE) == "party_committee", "①–③ keep their bodies' rules"
    for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING):
        ordinary.record(CTX, body, Outcome.PASSED, uuid4())
        assets.record(CTX, body, Outcome.PASSED, uuid4())
    assert rule_key(ordinary, Body.REPRESENTATIVES) == "representatives"
    assert rule_key(assets, Body.REPRESENTATIVES) == "collective_asset"
    assert rule_key(assets, Body.RESIDENTS_MEETING) == "collective_asset"
    members = [uuid4() for _ in range(10)]
    later = NOW + timedelta(days=1)
    outcomes = []
    for m in (ordinary, assets):
        sitting = Meeting.schedule(
            CTX,
            uuid4(),
            m,
            Body.REPRESENTATIVES,
            "会议室",
            later,
            "同意",
            members,
            0,
            rule(rule_key(m, Body.REPRESENTATIVES)),
        )
        sitting.open_ballot(CTX)
        sitting.close_ballot(CTX)
        votes = {r: Choice.YES if n < 6 else Choice.NO for n, r in enumerate(members[:8])}  # 8 present, 6 yes
        outcomes.append(sitting.record_result(CTX, votes))
    assert outcomes == [Outcome.PASSED, Outcome.FAILED]  # 6 of 10 is a majority of those present, not 2/3 of all


def test_events_stored_before_vote_rules_were_kept_read_with_the_defaults():
    """An old log: Matter.Opened without collective_asset, Meeting.Scheduled without its rule (upcast v1 → v2)."""
    from eventsourcing.persistence import JSONTranscoder, Mapper

    from backend.kernel.store import LinliApp

    app = LinliApp(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    m = matter()
    sitting = Meeting.schedule(
        CTX,
        uuid4(),
        m,
        Body.PARTY_COMMITTEE,
        "活动室",
        NOW + timedelta(days=1),
        "同意",
        [uuid4()],
        0,
        rule("party_committee"),
    )
    mapper: Mapper = app.mapper
    assert isinstance(mapper.transcoder, JSONTranscoder)
    for event, dropped in (
        (m.pending_events[0], ("collective_asset",)),
        (sitting.pending_events[0], ("rule", "rule_source")),
    ):
        stored = mapper.to_stored_event(event)
        state = mapper.transcoder.decode(stored.state)
        for name in (*dropped, "class_version"):
            state.pop(name, None)
        old = replace(stored, state=mapper.transcoder.encode(state))
        read = mapper.to_domain_event(old)
        if isinstance(read, Matter.Opened):
            assert read.collective_asset is False
        else:
            assert VoteRule.parse(read.rule, read.rule_source) == VOTE_RULES["party_committee"]
