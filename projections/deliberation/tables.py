"""The tables of the deliberation's views: proposals with their co-signs and history; matters with their timeline,
notices, objections and progress; meetings and their votes (class and table names are those of the migrations'
baseline)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class ProposalView(Table, tablename="proposal"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    author_id = UUID()
    title = Varchar(length=60)
    description = Text()
    category = Varchar(length=30)
    photos = JSON()
    state = Varchar(length=20, index=True)
    cosigns = Integer(default=0)
    threshold = Integer()
    submitted_at = Timestamptz()
    agenda_at = Timestamptz(null=True, default=None)
    updated_position = BigInt()
    # the committee's answer (issue 22): due by answer_due unless it reached the agenda first
    answer_due = Date(null=True, default=None)
    answer_kind = Varchar(length=10, default="")  # "" (none yet) | matter | answered | merged | case
    answer_text = Text(default="")
    answer_target = UUID(null=True, default=None)  # the matter, the proposal merged into, the case
    answered_at = Timestamptz(null=True, default=None)


class ProposalCoSign(Table, tablename="proposal_cosign"):
    """Co-signers of a proposal; also the co-sign entries of its history (not repeated in proposal_history)."""

    proposal_id = UUID(index=True)
    position = BigInt(default=0)
    resident_id = UUID()
    actor_id = UUID(null=True)
    on_behalf_of = UUID(null=True)
    at = Timestamptz()


class ProposalHistory(Table, tablename="proposal_history"):
    proposal_id = UUID(index=True)
    position = BigInt()
    kind = Varchar(length=20)
    resident_id = UUID(null=True)
    actor_id = UUID(null=True)
    on_behalf_of = UUID(null=True)
    at = Timestamptz()
    detail = Text(default="")


# -- the procedure: matters, meetings, votes ---------------------------------------------------------------
class MatterView(Table, tablename="matter"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    proposal_id = UUID(null=True, default=None)
    title = Varchar(length=60)
    description = Text()
    state = Varchar(length=12)
    done = JSON()  # the stages completed in this round, in order
    round = Integer(default=1)
    opened_at = Timestamptz()
    updated_position = BigInt()
    collective_asset = Boolean(default=False)  # 集体资产: ④ by the collective-asset rule


class MatterTimeline(Table, tablename="matter_timeline"):
    matter_id = UUID(index=True)
    position = BigInt()
    kind = Varchar(length=20)  # opened | passed | sent_back | resubmitted | rejected | scheduled | result
    detail = Text(default="")
    actor_id = UUID(null=True)
    on_behalf_of = UUID(null=True)
    at = Timestamptz()


class MeetingView(Table, tablename="meeting"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    matter_id = UUID(index=True)
    body = Varchar(length=20)
    stages = JSON()
    place = Varchar(length=60)
    starts_at = Timestamptz()
    motion = Text()
    expected = JSON()  # 应到: member ids fixed at notice time
    present = JSON()  # checked in
    ballot = Varchar(length=10)  # not_open | open | closed
    outcome = Varchar(length=12, default="")
    yes = Integer(default=0)
    no = Integer(default=0)
    abstain = Integer(default=0)
    present_count = Integer(default=0)
    rule = Varchar(length=120, default="")
    attendees = JSON(default=[])  # 实到 as recorded with the result
    minutes = Text(default="")
    signed = JSON(default=[])  # [[resident id, ISO time], …] in the order they signed
    position = BigInt(default=0)  # of the sitting's latest event: its record cites the chain link there
    online_until = Timestamptz(null=True, default=None)  # an online ballot of the residents: open until then
    per_household = Boolean(default=False)  # expected are households, one vote each


class MeetingVote(Table, tablename="meeting_vote"):
    """A member's current vote (the live tally); the recorded result is the one on the meeting."""

    id = UUID(primary_key=True)  # the vote aggregate: uuid5(ballot, member)
    meeting_id = UUID(index=True)
    resident_id = UUID()
    choice = Varchar(length=8)
    paper = Boolean(default=False)
    counts = Boolean(default=True)
    entered_by = UUID(null=True)
    household_id = UUID(null=True, default=None)  # on a ballot by household: whose one vote this is


class MatterNotice(Table, tablename="matter_notice"):
    """⑤ and ⑥ as published: the text never changes; objections are taken until `objections_until`."""

    matter_id = UUID(index=True)
    stage = Varchar(length=20)
    text = Text()
    published_on = Date()
    objections_until = Date()
    answer_days = Integer()
    actor_id = UUID(null=True)
    position = BigInt()


class MatterNoticeDraft(Table, tablename="matter_notice_draft"):
    """⑤ or ⑥ drafted and not yet published, one per matter: with the supervisors (the /review queue) or returned
    to the committee with their reason. Gone once published (then it is a MatterNotice) or the matter is rejected."""

    matter_id = UUID(primary_key=True)
    community_id = UUID(index=True)
    stage = Varchar(length=20)
    text = Text()
    state = Varchar(length=10)  # in_review | returned
    review_due = Date()
    reason = Text(default="")  # the supervisors' reason for returning it
    drafted_by = UUID(null=True, default=None)
    drafted_at = Timestamptz()


class MatterObjection(Table, tablename="matter_objection"):
    matter_id = UUID(index=True)
    number = Integer()
    stage = Varchar(length=20)
    resident_id = UUID()
    reason = Text()
    raised_at = Timestamptz()
    answer_due = Date()
    answer = Text(default="")
    answered_at = Timestamptz(null=True, default=None)
    answered_by = UUID(null=True, default=None)


class MatterProgress(Table, tablename="matter_progress"):
    matter_id = UUID(index=True)
    done_on = Date()
    text = Text()
    spent_fen = BigInt()
    photos = JSON()
    actor_id = UUID(null=True)
    position = BigInt()


class FloorView(Table, tablename="meeting_floor"):
    """A sitting's speaker list (发言): one row per request for the floor, waiting (ordered by `place`), speaking,
    spoke (the minutes' list of speakers) or withdrawn (deleted)."""

    id = UUID(primary_key=True)
    floor_id = UUID(index=True)  # the sitting's list: backend.deliberation.domain.floor.floor_id(meeting)
    resident_id = UUID()
    state = Varchar(length=10)  # waiting | speaking | spoke
    place = BigInt()  # the queue's order: the chair's order, else the order of asking
    asked_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    seconds = Integer(default=0)
    ended_at = Timestamptz(null=True, default=None)
