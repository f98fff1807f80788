"""Ballot papers of a sitting (issue 29, named votes): a paper is entered only if it was issued, counts at most once,
never over the member's online vote; a code resolves to its member, an altered one to nobody; an online ballot and a
finished sitting get no papers."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.community.domain.community import community_id_for
from backend.community.domain.rules import VOTE_RULES
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.papers import BallotPapers, paper_code, shown_code
from backend.deliberation.domain.rules import Body
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
HERE = community_id_for("here")
MEMBERS = [UUID(int=n + 1) for n in range(6)]
OUTSIDER = UUID(int=99)
CLERK = UUID(int=500)


def digest(value: str) -> str:
    return hmac.new(b"deployment secret", value.encode(), hashlib.sha256).hexdigest()


def other_digest(value: str) -> str:
    return hmac.new(b"another deployment", value.encode(), hashlib.sha256).hexdigest()


def ctx(minutes: int = 0, community: UUID = HERE) -> Ctx:
    return Ctx(community, CLERK, NOW + timedelta(minutes=minutes))


def sitting() -> Meeting:
    matter = Matter.open(ctx(), uuid4(), "加装电梯", "3栋加装电梯的方案", None, False)
    body = Body.PARTY_COMMITTEE
    starts = NOW + timedelta(days=30)
    return Meeting.schedule(ctx(), uuid4(), matter, body, "活动室", starts, "同意加装", MEMBERS, 0, VOTE_RULES[body])


def test_papers_are_issued_for_every_member_and_codes_resolve_to_them():
    meeting = sitting()
    papers = BallotPapers.issue(ctx(), meeting)
    assert papers.members == frozenset(MEMBERS)
    for member in MEMBERS:
        code = paper_code(digest, meeting.id, member)
        assert re.fullmatch(r"[A-Z2-7]{10}", code)
        assert papers.member_of(digest, code) == member
        typed = shown_code(code).lower().replace("-", " - ")  # as a clerk might type it
        assert papers.member_of(digest, typed) == member
    assert len({paper_code(digest, meeting.id, m) for m in MEMBERS}) == len(MEMBERS)


def test_codes_depend_on_the_secret_and_the_sitting():
    meeting, other = sitting(), sitting()
    papers = BallotPapers.issue(ctx(), meeting)
    with pytest.raises(DomainError, match="not a paper of this sitting"):
        papers.member_of(digest, paper_code(other_digest, meeting.id, MEMBERS[0]))
    with pytest.raises(DomainError, match="not a paper of this sitting"):
        papers.member_of(digest, paper_code(digest, other.id, MEMBERS[0]))
    with pytest.raises(DomainError, match="not a paper of this sitting"):
        papers.member_of(digest, paper_code(digest, meeting.id, OUTSIDER))


@given(position=st.integers(0, 9), replacement=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
@settings(max_examples=60, deadline=None)
def test_an_altered_code_is_refused(position: int, replacement: str):
    meeting = sitting()
    papers = BallotPapers.issue(ctx(), meeting)
    code = paper_code(digest, meeting.id, MEMBERS[0])
    altered = code[:position] + replacement + code[position + 1 :]
    if altered == code:
        assert papers.member_of(digest, altered) == MEMBERS[0]
    else:
        with pytest.raises(DomainError, match="not a paper of this sitting"):
            papers.member_of(digest, altered)


def test_an_online_ballot_a_finished_sitting_and_another_community_get_no_papers():
    online = sitting()
    online.online_until = NOW + timedelta(days=31)  # as an online ballot of ④ is
    with pytest.raises(DomainError, match="online ballot"):
        BallotPapers.issue(ctx(), online)
    over = sitting()
    over.open_ballot(ctx(1))
    over.close_ballot(ctx(2))
    with pytest.raises(DomainError, match="over"):
        BallotPapers.issue(ctx(3), over)
    with pytest.raises(DomainError, match="No such meeting"):
        BallotPapers.issue(ctx(community=community_id_for("elsewhere")), sitting())


# A clerk's entries at random: a member's paper (issued or not), some of them already voted online.
entries = st.lists(st.tuples(st.sampled_from([*MEMBERS, OUTSIDER]), st.booleans()), max_size=30)


@given(entries=entries, issued=st.integers(1, len(MEMBERS)))
@settings(max_examples=200, deadline=None)
def test_a_paper_counts_at_most_once_and_only_if_issued(entries: list[tuple[UUID, bool]], issued: int):
    meeting = sitting()
    meeting.expected = frozenset(MEMBERS[:issued])  # papers go to the members the sitting has
    papers = BallotPapers.issue(ctx(), meeting)
    online = {member for member, voted in entries if voted}
    accepted: list[UUID] = []
    for minute, (member, _voted) in enumerate(entries):
        try:
            papers.enter(ctx(minute), member, voted_online=member in online)
        except DomainError as error:
            assert member not in papers.members or member in accepted or member in online, error
        else:
            accepted.append(member)
    assert len(accepted) == len(set(accepted)), "a paper entered twice"
    assert set(accepted) <= papers.members, "a paper entered that was not issued"
    assert not set(accepted) & online, "a paper counted over an online vote"
    assert papers.entered == set(accepted)
    expected = {m for m, _ in entries if m in MEMBERS[:issued] and m not in online}
    assert set(accepted) == expected, "an issued paper refused for no reason"
    events = [e for e in papers.collect_events() if isinstance(e, BallotPapers.Entered)]
    assert [e.member_id for e in events] == accepted


def test_a_second_entry_says_already_entered():
    meeting = sitting()
    papers = BallotPapers.issue(ctx(), meeting)
    papers.enter(ctx(), MEMBERS[0], voted_online=False)
    with pytest.raises(DomainError, match="already been entered"):
        papers.enter(ctx(1), MEMBERS[0], voted_online=False)
    with pytest.raises(DomainError, match="voted online"):
        papers.enter(ctx(1), MEMBERS[1], voted_online=True)
