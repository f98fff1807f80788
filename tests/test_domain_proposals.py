"""The rules of proposals and co-signs, on the pure aggregate (DESIGN 4; issue: co-sign once, the threshold
transition exactly once, never on one's own proposal)."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.community.domain.community import Community
from backend.deliberation.domain.proposal import Proposal, ProposalState
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from tests.conftest import NOW

COMMUNITY = uuid4()
OTHER_COMMUNITY = uuid4()
AUTHOR = uuid4()
RESIDENTS = [uuid4() for _ in range(12)]


def ctx(actor=AUTHOR, community=COMMUNITY, on_behalf_of=None):
    return Ctx(community, actor, NOW, on_behalf_of=on_behalf_of)


def proposal(threshold=3):
    p = Proposal.submit(ctx(), uuid4(), "楼道灯坏了", "三栋二单元", "facilities", [], threshold)
    p.collect_events()
    return p


@settings(max_examples=200, deadline=None)
@given(
    threshold=st.integers(min_value=1, max_value=8),
    attempts=st.lists(st.sampled_from([AUTHOR, *RESIDENTS]), max_size=40),
)
def test_cosigns_are_distinct_non_authors_and_the_agenda_is_reached_exactly_once(threshold, attempts):
    p = proposal(threshold)
    expected: list = []
    agenda_at_count = None
    for resident in attempts:
        before = len(p.collect_events())
        assert before == 0
        if resident == AUTHOR or resident in expected:
            with pytest.raises(DomainError):
                p.cosign(ctx(resident), resident)
            assert p.collect_events() == [], "a refused co-sign writes nothing"
            continue
        p.cosign(ctx(resident), resident)
        expected.append(resident)
        events = p.collect_events()
        assert isinstance(events[0], Proposal.CoSigned) and events[0].count == len(expected)
        reached = [e for e in events if isinstance(e, Proposal.ReachedAgenda)]
        if reached:
            assert agenda_at_count is None, "the agenda is reached only once"
            agenda_at_count = len(expected)
    assert p.cosigners == set(expected)
    if len(expected) >= threshold:
        assert agenda_at_count == threshold
        assert p.state is ProposalState.ON_AGENDA
    else:
        assert agenda_at_count is None
        assert p.state is ProposalState.COLLECTING


def test_own_proposal_cannot_be_cosigned():
    p = proposal()
    with pytest.raises(DomainError, match="own proposal"):
        p.cosign(ctx(AUTHOR), AUTHOR)


def test_cosigning_twice_is_refused():
    p = proposal()
    p.cosign(ctx(RESIDENTS[0]), RESIDENTS[0])
    with pytest.raises(DomainError, match="already co-signed"):
        p.cosign(ctx(RESIDENTS[0]), RESIDENTS[0])


def test_another_community_cannot_see_the_proposal():
    p = proposal()
    with pytest.raises(DomainError) as refused:
        p.cosign(ctx(RESIDENTS[0], community=OTHER_COMMUNITY), RESIDENTS[0])
    assert refused.value.status == 404


def test_withdrawal_rules():
    p = proposal()
    with pytest.raises(DomainError, match="Only the author"):
        p.withdraw(ctx(RESIDENTS[0]), "")
    p.withdraw(ctx(), "物业已修好")
    assert p.state is ProposalState.WITHDRAWN
    with pytest.raises(DomainError, match="withdrawn"):
        p.cosign(ctx(RESIDENTS[1]), RESIDENTS[1])
    with pytest.raises(DomainError, match="Only a proposal still collecting"):
        p.withdraw(ctx(), "")


@pytest.mark.parametrize(
    ("title", "description", "category", "field"),
    [
        ("", "x", "other", "title"),
        ("   ", "x", "other", "title"),
        ("题" * 61, "x", "other", "title"),
        ("ok", "", "other", "description"),
        ("ok", "述" * 2001, "other", "description"),
        ("ok", "x", "nonsense", "category"),
    ],
)
def test_bad_text_is_refused_with_the_field_named(title, description, category, field):
    with pytest.raises(DomainError) as refused:
        Proposal.submit(ctx(), uuid4(), title, description, category, [], 3)
    assert refused.value.field == field


def test_text_at_the_limits_is_accepted():
    p = Proposal.submit(ctx(), uuid4(), "题" * 60, "述" * 2000, "other", [], 3)
    assert len(p.title) == 60


def test_every_event_says_who_for_whom_where_and_under_which_command():
    clerk = uuid4()
    p = Proposal.submit(ctx(), uuid4(), "t", "d", "other", [], 1)
    p.cosign(ctx(clerk, on_behalf_of=RESIDENTS[0]), RESIDENTS[0])
    for event in p.collect_events():
        assert event.community_id == COMMUNITY
        assert event.actor_id in (AUTHOR, clerk)
        assert event.command_id
        assert event.timestamp == NOW
    assert p.cosigners == {RESIDENTS[0]}


def test_rulebook_value_in_force_by_effective_date():
    community = Community.found(ctx(), "幸福里", "xfl")
    day = date(2026, 3, 1)
    assert community.rule("cosign_threshold", day) == 10, "the default applies before any setting"
    community.set_rule(ctx(), "cosign_threshold", 5, day)
    community.set_rule(ctx(), "cosign_threshold", 20, day + timedelta(days=30))
    assert community.rule("cosign_threshold", day - timedelta(days=1)) == 10
    assert community.rule("cosign_threshold", day) == 5
    assert community.rule("cosign_threshold", day + timedelta(days=29)) == 5
    assert community.rule("cosign_threshold", day + timedelta(days=30)) == 20
    with pytest.raises(DomainError):
        community.set_rule(ctx(), "cosign_threshold", 0, day)
    with pytest.raises(DomainError):
        community.set_rule(ctx(), "no_such_rule", 1, day)
