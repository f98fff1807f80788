"""The speaker list of a sitting (发言, issue 29): only checked-in members ask, each waits once; the chair orders,
gives the floor and ends turns; at most one member speaks; every turn given ends up in the minutes' list, in order;
an online ballot and a finished sitting have no floor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.community.domain.community import community_id_for
from backend.community.domain.rules import VOTE_RULES
from backend.deliberation.domain.floor import Floor
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.rules import Body
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
HERE = community_id_for("here")
MEMBERS = [UUID(int=n + 1) for n in range(5)]
OUTSIDER = UUID(int=99)


def ctx(minutes: int = 0, actor: UUID | None = None) -> Ctx:
    return Ctx(HERE, actor, NOW + timedelta(minutes=minutes))


def sitting(present: list[UUID] = MEMBERS) -> Meeting:
    matter = Matter.open(ctx(), uuid4(), "加装电梯", "3栋加装电梯的方案", None, False)
    body = Body.PARTY_COMMITTEE
    starts = NOW + timedelta(days=30)
    meeting = Meeting.schedule(ctx(), uuid4(), matter, body, "活动室", starts, "同意加装", MEMBERS, 0, VOTE_RULES[body])
    for member in present:
        meeting.check_in(ctx(), member)
    return meeting


def test_only_checked_in_members_ask_once():
    meeting = sitting(present=MEMBERS[:2])
    floor = Floor.open(ctx(), meeting)
    floor.ask(ctx(), meeting, MEMBERS[0])
    with pytest.raises(DomainError, match="already"):
        floor.ask(ctx(), meeting, MEMBERS[0])
    with pytest.raises(DomainError, match="Check in first"):
        floor.ask(ctx(), meeting, MEMBERS[3])
    with pytest.raises(DomainError, match="Only members"):
        floor.ask(ctx(), meeting, OUTSIDER)
    assert floor.queue == [MEMBERS[0]]


def test_an_online_ballot_and_a_finished_sitting_have_no_floor():
    online = sitting()
    online.online_until = NOW + timedelta(days=31)  # as an online ballot of ④ is (scheduling one needs ①-③ done)
    floor = Floor.open(ctx(), online)
    with pytest.raises(DomainError, match="online ballot"):
        floor.ask(ctx(), online, MEMBERS[0])
    meeting = sitting()
    floor = Floor.open(ctx(), meeting)
    floor.ask(ctx(), meeting, MEMBERS[0])
    floor.start_turn(ctx(1), meeting, None, 180)
    meeting.open_ballot(ctx(5))
    meeting.close_ballot(ctx(6))
    with pytest.raises(DomainError, match="over"):
        floor.ask(ctx(7), meeting, MEMBERS[1])
    floor.end_turn(ctx(8))  # a turn running when the ballot closed still ends, into the minutes
    assert floor.speakers() == [MEMBERS[0]]


def test_giving_the_floor_ends_the_running_turn_and_keeps_its_time():
    meeting = sitting()
    floor = Floor.open(ctx(), meeting)
    for member in MEMBERS[:3]:
        floor.ask(ctx(), meeting, member)
    floor.move_up(ctx(1), meeting, MEMBERS[2])
    assert floor.queue == [MEMBERS[0], MEMBERS[2], MEMBERS[1]]
    floor.start_turn(ctx(2), meeting, None, 180)
    assert floor.speaking is not None and floor.speaking.seconds == 180
    assert floor.speaking.started_at == NOW + timedelta(minutes=2)
    floor.start_turn(ctx(4), meeting, MEMBERS[1], 120)  # the chair takes MEMBERS[1] before MEMBERS[2]
    assert floor.speakers() == [MEMBERS[0]] and floor.spoken[0].ended_at == NOW + timedelta(minutes=4)
    assert floor.queue == [MEMBERS[2]]


STEP = st.tuples(
    st.sampled_from(["ask", "withdraw", "up", "start", "start_next", "end"]), st.sampled_from([*MEMBERS, OUTSIDER])
)


@settings(max_examples=200, deadline=None)
@given(st.lists(STEP, max_size=40))
def test_any_sequence_keeps_the_list_sound(steps):
    """Whatever members and the chair do, in any order: nobody waits twice, the speaker does not wait, at most one
    speaks, and the minutes list exactly the turns given, in the order given."""
    meeting = sitting(present=MEMBERS[:4])
    floor = Floor.open(ctx(), meeting)
    given_turns: list[UUID] = []
    for minute, (kind, who) in enumerate(steps):
        at = ctx(minute)
        try:
            if kind == "ask":
                floor.ask(at, meeting, who)
            elif kind == "withdraw":
                floor.withdraw(at, who)
            elif kind == "up":
                floor.move_up(at, meeting, who)
            elif kind in ("start", "start_next"):
                given_turns.append(floor.start_turn(at, meeting, who if kind == "start" else None, 60))
            else:
                floor.end_turn(at)
        except DomainError:
            pass
        assert len(floor.queue) == len(set(floor.queue))
        assert set(floor.queue) <= set(MEMBERS[:4])
        assert floor.speaking is None or floor.speaking.resident_id not in floor.queue
        speaking = [floor.speaking.resident_id] if floor.speaking else []
        assert floor.speakers() + speaking == given_turns
        assert all(t.ended_at is not None and t.ended_at >= t.started_at for t in floor.spoken)
    # and the aggregate replays from its events to the same state
    replayed = None
    for event in floor.collect_events():
        replayed = event.mutate(replayed)
    assert replayed is not None and replayed.queue == floor.queue and replayed.speakers() == floor.speakers()
