"""四议两公开: a matter passes six stages in order; stages ①–④ are decided by a sitting of the right body, whose
quorum and pass rule come from the community's rulebook (the law's by default, DESIGN 9); votes are one per member
(DESIGN 4.1). Pure: no I/O, no clock.

After ④ the committee publishes the resolution (⑤) with a 公示 period; residents object within it and the committee
answers each objection; implementation (progress with money spent) cannot go on while an objection is unanswered;
the result notice (⑥) closes the matter, with its own 公示 period and objections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from backend.community.domain import VOTE_RULES, VoteRule
from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text

MOTION_MAX = 2000
REASON_MAX = 500
NOTICE_MAX = 4000
ANSWER_MAX = 2000
PROGRESS_MAX = 2000
PHOTOS_MAX = 4
MINUTES_MAX = 10_000
SPENT_MAX_FEN = 10**11  # 10 亿元: a typo guard, not a policy
VOTE_NAMESPACE = UUID("1c9e7f2a-4b3d-4e5f-8a6b-7c8d9e0f1a2b")


class Stage(StrEnum):
    PARTY_PROPOSAL = "party_proposal"  # ① 党组织提议
    COMMITTEES = "committees"  # ② 两委商议
    PARTY_MEETING = "party_meeting"  # ③ 党员大会审议
    RESOLUTION = "resolution"  # ④ 居民(代表)会议决议
    RESOLUTION_NOTICE = "resolution_notice"  # ⑤ 决议公开
    RESULT_NOTICE = "result_notice"  # ⑥ 实施结果公开


STAGES = tuple(Stage)
STAGE_LABELS = {
    Stage.PARTY_PROPOSAL: N_("① Party organisation proposes"),
    Stage.COMMITTEES: N_("② The two committees discuss"),
    Stage.PARTY_MEETING: N_("③ Party members' meeting reviews"),
    Stage.RESOLUTION: N_("④ Residents' (representatives') meeting resolves"),
    Stage.RESOLUTION_NOTICE: N_("⑤ Resolution made public"),
    Stage.RESULT_NOTICE: N_("⑥ Implementation result made public"),
}


class Body(StrEnum):
    PARTY_COMMITTEE = "party_committee"  # 党组织 (支部委员会)
    JOINT_COMMITTEES = "joint_committees"  # 两委联席会议
    PARTY_MEETING = "party_meeting"  # 党员大会
    RESIDENTS_MEETING = "residents_meeting"  # 居民会议
    REPRESENTATIVES = "representatives"  # 居民代表会议


STAGE_BODIES: dict[Stage, frozenset[Body]] = {
    Stage.PARTY_PROPOSAL: frozenset({Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES}),
    Stage.COMMITTEES: frozenset({Body.JOINT_COMMITTEES}),
    Stage.PARTY_MEETING: frozenset({Body.PARTY_MEETING}),
    Stage.RESOLUTION: frozenset({Body.RESIDENTS_MEETING, Body.REPRESENTATIVES}),
}
# Who sits in each body (the roles of backend.kernel.authz), fixed from the roles at notice time.
BODY_ROLES: dict[Body, frozenset[str]] = {
    Body.PARTY_COMMITTEE: frozenset({"party_committee"}),
    Body.JOINT_COMMITTEES: frozenset({"party_committee", "committee_member"}),
    Body.PARTY_MEETING: frozenset({"party_member"}),
    Body.RESIDENTS_MEETING: frozenset({"resident"}),
    Body.REPRESENTATIVES: frozenset({"representative"}),
}


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_QUORATE = "not_quorate"


def decide(rule: VoteRule, expected: int, present: int, yes: int) -> Outcome:
    """The result of a sitting by its rule. Closing without quorum is allowed; it is never "passed"."""
    if expected <= 0 or not rule.quorum.reached(present, expected):
        return Outcome.NOT_QUORATE
    return (
        Outcome.PASSED
        if rule.passing.reached(yes, expected if rule.base == "expected" else present)
        else Outcome.FAILED
    )


def rule_key(matter: Matter, body: Body) -> str:
    """Which rulebook entry decides a sitting of `body` on the matter now: a collective-asset matter's resolution
    (④) has its own, whichever body sits."""
    if matter.collective_asset and Stage.RESOLUTION in matter.stages_for(body):
        return "collective_asset"
    return body.value


@dataclass(frozen=True)
class NoticeTerms:
    """From the rulebook when the notice is published: days on the board (公示) and days to answer an objection."""

    period_days: int
    answer_days: int


@dataclass(frozen=True)
class Notice:
    published_on: date
    objections_until: date
    answer_days: int


@dataclass
class Objection:
    stage: Stage
    resident_id: UUID
    answer_due: date
    answered: bool = False


class Matter(LinliAggregate):
    """A matter on its way through the six stages. `done` lists the stages completed in this round, always a prefix
    of STAGES; a stage that fails sends the matter back for revision (a new round from ①) or closes it."""

    class Opened(LinliAggregate.Created):
        title: str
        description: str
        proposal_id: UUID | None
        joint_first_stages: bool  # ① and ② may be one sitting (一肩挑), by the community's rulebook
        collective_asset: bool  # 集体资产: the resolution (④) needs the collective-asset rule

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["collective_asset"] = False

    class StagesPassed(LinliAggregate.Event):
        stages: list[str]
        meeting_id: UUID | None

        def apply(self, matter: Matter) -> None:
            matter.done.extend(Stage(s) for s in self.stages)
            matter.sitting = None

    class SentBack(LinliAggregate.Event):
        stage: str
        reasons: str

        def apply(self, matter: Matter) -> None:
            matter.state = "revising"
            matter.sitting = None

    class SittingCalled(LinliAggregate.Event):
        """The sitting that will decide the next stage: one at a time, so no stage is decided twice."""

        meeting_id: UUID

        def apply(self, matter: Matter) -> None:
            matter.sitting = self.meeting_id

    class Resubmitted(LinliAggregate.Event):
        description: str

        def apply(self, matter: Matter) -> None:
            matter.state = "open"
            matter.round += 1
            matter.done = []
            matter.description = self.description

    class Rejected(LinliAggregate.Event):
        stage: str
        reasons: str

        def apply(self, matter: Matter) -> None:
            matter.state = "rejected"

    class NoticePublished(LinliAggregate.Event):
        """⑤ or ⑥: the notice text goes on the board; objections are taken until `objections_until` (inclusive)."""

        stage: str
        text: str
        published_on: date
        objections_until: date
        answer_days: int

        def apply(self, matter: Matter) -> None:
            stage = Stage(self.stage)
            matter.done.append(stage)
            matter.notices[stage] = Notice(self.published_on, self.objections_until, self.answer_days)
            if stage == Stage.RESULT_NOTICE:
                matter.state = "completed"

    class ObjectionRaised(LinliAggregate.Event):
        number: int  # 1, 2, … within the matter
        stage: str
        resident_id: UUID
        reason: str
        answer_due: date

        def apply(self, matter: Matter) -> None:
            matter.objections[self.number] = Objection(Stage(self.stage), self.resident_id, self.answer_due)

    class ObjectionAnswered(LinliAggregate.Event):
        number: int
        answer: str

        def apply(self, matter: Matter) -> None:
            matter.objections[self.number].answered = True

    class ProgressPosted(LinliAggregate.Event):
        done_on: date
        text: str
        spent_fen: int
        photos: list[str]  # sha256 of each stored photo

        def apply(self, matter: Matter) -> None:
            matter.progress += 1
            matter.spent_fen += self.spent_fen

    def __init__(
        self, title: str, description: str, proposal_id: UUID | None, joint_first_stages: bool, collective_asset: bool
    ) -> None:
        self.collective_asset = collective_asset
        self.title = title
        self.description = description
        self.proposal_id = proposal_id
        self.joint_first_stages = joint_first_stages
        self.state = "open"  # open | revising | rejected | completed
        self.round = 1
        self.done: list[Stage] = []
        self.notices: dict[Stage, Notice] = {}
        self.objections: dict[int, Objection] = {}
        self.progress = 0
        self.spent_fen = 0
        self.sitting: UUID | None = None  # called and not yet decided

    @classmethod
    def open(
        cls,
        ctx: Ctx,
        matter_id: UUID,
        title: str,
        description: str,
        proposal_id: UUID | None,
        joint_first_stages: bool,
        collective_asset: bool = False,
    ) -> Matter:
        return cls.start(
            cls.Opened,
            ctx,
            matter_id,
            title=check_text(title, 60, "title", "Please give the matter a title of at most 60 characters."),
            description=check_text(description, MOTION_MAX, "description", "Please describe the matter."),
            proposal_id=proposal_id,
            joint_first_stages=joint_first_stages,
            collective_asset=collective_asset,
        )

    @property
    def next_stage(self) -> Stage | None:
        return STAGES[len(self.done)] if len(self.done) < len(STAGES) else None

    def _open_for(self, ctx: Ctx, stage: Stage) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("No such matter.", status=404)
        if self.state != "open":
            raise DomainError("This matter is not in progress.", status=409)
        if stage != self.next_stage:
            raise DomainError("Stages are taken in order; this is not the next one.", status=409)

    def stages_for(self, body: Body) -> list[Stage]:
        """What one sitting of `body` decides now: the next stage, and ② with ① when one sitting may hold both."""
        stage = self.next_stage
        if stage is None or body not in STAGE_BODIES.get(stage, frozenset()):
            raise DomainError("This body does not decide the next stage of this matter.", "body", status=409)
        if stage == Stage.PARTY_PROPOSAL and body == Body.JOINT_COMMITTEES:
            if not self.joint_first_stages:
                raise DomainError("The rulebook does not allow ① and ② in one sitting here.", "body", status=409)
            return [Stage.PARTY_PROPOSAL, Stage.COMMITTEES]
        return [stage]

    def record(self, ctx: Ctx, body: Body, outcome: Outcome, meeting_id: UUID, reasons: str = "") -> None:
        """A sitting's result. Passed: its stages are done. Otherwise the matter goes back for revision."""
        stages = self.stages_for(body)
        self._open_for(ctx, stages[0])
        if outcome == Outcome.PASSED:
            self.emit(self.StagesPassed, ctx, stages=[s.value for s in stages], meeting_id=meeting_id)
        else:
            reasons = reasons.strip() or ("not quorate" if outcome == Outcome.NOT_QUORATE else "not passed")
            self.emit(self.SentBack, ctx, stage=stages[-1].value, reasons=reasons[:REASON_MAX])

    @property
    def unanswered(self) -> list[int]:
        return [n for n, o in self.objections.items() if not o.answered]

    def publish(self, ctx: Ctx, stage: Stage, text: str, terms: NoticeTerms) -> None:
        """⑤ after the resolution; ⑥ once implementation has been reported and every objection answered."""
        if stage not in (Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE):
            raise DomainError("Only ⑤ and ⑥ are published.", status=409)
        self._open_for(ctx, stage)
        if stage == Stage.RESULT_NOTICE:
            if self.unanswered:
                raise DomainError("Answer the open objections first.", status=409)
            if not self.progress:
                raise DomainError("Report the implementation before publishing its result.", status=409)
        self.emit(
            self.NoticePublished,
            ctx,
            stage=stage.value,
            text=check_text(text, NOTICE_MAX, "text", "Please write the notice (at most 4000 characters)."),
            published_on=ctx.today,
            objections_until=ctx.today + timedelta(days=terms.period_days - 1),
            answer_days=terms.answer_days,
        )

    def raise_objection(self, ctx: Ctx, stage: Stage, reason: str) -> int:
        """A verified resident objects (异议) to a published notice during its 公示 period; once per notice."""
        if ctx.community_id != self.community_id:
            raise DomainError("No such matter.", status=404)
        notice = self.notices.get(stage)
        if notice is None:
            raise DomainError("This notice has not been published.", status=404)
        if ctx.actor_id is None or ctx.today > notice.objections_until:
            raise DomainError("The 公示 period of this notice is over; objections are closed.", status=409)
        if any(o.stage == stage and o.resident_id == ctx.actor_id for o in self.objections.values()):
            raise DomainError("You have already objected to this notice.", status=409)
        number = len(self.objections) + 1
        self.emit(
            self.ObjectionRaised,
            ctx,
            number=number,
            stage=stage.value,
            resident_id=ctx.actor_id,
            reason=check_text(reason, REASON_MAX, "reason", "Please give your reason (at most 500 characters)."),
            answer_due=ctx.today + timedelta(days=notice.answer_days),
        )
        return number

    def answer(self, ctx: Ctx, number: int, answer: str) -> None:
        """The committee's answer, published under the notice. A late answer is still taken (and shown late)."""
        if ctx.community_id != self.community_id:
            raise DomainError("No such matter.", status=404)
        objection = self.objections.get(number)
        if objection is None:
            raise DomainError("No such objection.", status=404)
        if objection.answered:
            raise DomainError("This objection has already been answered.", status=409)
        self.emit(
            self.ObjectionAnswered,
            ctx,
            number=number,
            answer=check_text(answer, ANSWER_MAX, "answer", "Please write the answer (at most 2000 characters)."),
        )

    def post_progress(self, ctx: Ctx, on: date, text: str, spent_fen: int, photos: list[str]) -> None:
        """Implementation, between ⑤ and ⑥; never while an objection is unanswered."""
        self._open_for(ctx, Stage.RESULT_NOTICE)
        if self.unanswered:
            raise DomainError("Implementation waits until every objection is answered.", status=409)
        published = self.notices[Stage.RESOLUTION_NOTICE].published_on
        if on > ctx.today or on < published:
            raise DomainError("The date must lie between the resolution notice and today.", "on")
        if not 0 <= spent_fen <= SPENT_MAX_FEN:
            raise DomainError("Please give the money spent in yuan (0 or more).", "spent")
        if len(photos) > PHOTOS_MAX:
            raise DomainError("At most 4 photos per update.", "photos")
        text = check_text(text, PROGRESS_MAX, "text", "Please describe the progress (at most 2000 characters).")
        self.emit(self.ProgressPosted, ctx, done_on=on, text=text, spent_fen=spent_fen, photos=list(photos))

    def resubmit(self, ctx: Ctx, description: str) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("No such matter.", status=404)
        if self.state != "revising":
            raise DomainError("Only a matter sent back for revision can be resubmitted.", status=409)
        self.emit(
            self.Resubmitted,
            ctx,
            description=check_text(description, MOTION_MAX, "description", "Please describe the matter."),
        )

    def reject(self, ctx: Ctx, reasons: str) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("No such matter.", status=404)
        if self.state not in ("open", "revising"):
            raise DomainError("This matter is not in progress.", status=409)
        stage = self.next_stage or STAGES[-1]
        self.emit(
            self.Rejected,
            ctx,
            stage=stage.value,
            reasons=check_text(reasons, REASON_MAX, "reasons", "Please give the reasons."),
        )


class Choice(StrEnum):
    YES = "yes"  # 赞成
    NO = "no"  # 反对
    ABSTAIN = "abstain"  # 弃权


CHOICES = frozenset(c.value for c in Choice)


def vote_id(ballot_id: UUID, resident_id: UUID) -> UUID:
    """One resident, one vote (DESIGN 4.1): a second first vote collides on the store's unique key."""
    return uuid5(VOTE_NAMESPACE, f"{ballot_id}|{resident_id}")


@dataclass(frozen=True)
class BallotState:
    """What a vote command needs to know of its ballot, read from the meeting at the time of the vote. Members are
    residents, or households when each household has one vote; an online ballot also closes at `closes_at`."""

    ballot_id: UUID
    is_open: bool
    members: frozenset[UUID]
    closes_at: datetime | None = None
    per_household: bool = False

    def open_at(self, now: datetime) -> bool:
        return self.is_open and (self.closes_at is None or now < self.closes_at)


def check_choice(choice: str) -> Choice:
    if choice not in CHOICES:
        raise DomainError("Please choose 赞成, 反对 or 弃权.", "choice")
    return Choice(choice)


class Vote(LinliAggregate):
    """A member's vote on a ballot: changed (the next version) until the ballot closes. A paper vote is entered by
    a clerk for the member and counts only once a second clerk confirms it. Whether a vote counts is decided by its
    place in the log against the ballot's close event, not by any clock."""

    class Cast(LinliAggregate.Created):
        ballot_id: UUID
        resident_id: UUID
        household_id: UUID | None  # the household whose one vote this is, on a ballot by household
        choice: str
        paper: bool

        def apply(self, vote: LinliAggregate) -> None:
            super().apply(vote)
            vote.entered_by = self.actor_id  # type: ignore[attr-defined]

    class Changed(LinliAggregate.Event):
        choice: str

        def apply(self, vote: Vote) -> None:
            vote.choice = Choice(self.choice)

    class Confirmed(LinliAggregate.Event):
        def apply(self, vote: Vote) -> None:
            vote.confirmed_by = self.actor_id

    def __init__(self, ballot_id: UUID, resident_id: UUID, household_id: UUID | None, choice: str, paper: bool) -> None:
        self.ballot_id = ballot_id
        self.resident_id = resident_id
        self.household_id = household_id
        self.choice = Choice(choice)
        self.paper = paper
        self.entered_by: UUID | None = None
        self.confirmed_by: UUID | None = None

    @property
    def counts(self) -> bool:
        return not self.paper or self.confirmed_by is not None

    @classmethod
    def cast(
        cls,
        ctx: Ctx,
        ballot: BallotState,
        resident_id: UUID,
        choice: str,
        paper: bool = False,
        household_id: UUID | None = None,
    ) -> Vote:
        check_choice(choice)
        if not ballot.open_at(ctx.now):
            raise DomainError("Voting has closed.", status=409)
        key = household_id if ballot.per_household else resident_id
        if key is None or key not in ballot.members:
            raise DomainError("Only members of this body vote on this ballot.", status=403)
        if paper and (ctx.actor_id is None or ctx.actor_id == resident_id):
            raise DomainError("A paper ballot is entered by a clerk for the member.", status=403)
        return cls.start(
            cls.Cast,
            ctx,
            vote_id(ballot.ballot_id, key),
            ballot_id=ballot.ballot_id,
            resident_id=resident_id,
            household_id=household_id if ballot.per_household else None,
            choice=choice,
            paper=paper,
        )

    def change(self, ctx: Ctx, ballot: BallotState, choice: str) -> None:
        check_choice(choice)
        if not ballot.open_at(ctx.now):
            raise DomainError("Voting has closed.", status=409)
        if self.household_id is not None and ctx.actor_id != self.resident_id:
            raise DomainError("Your household has already voted; one vote per household.", status=409)
        if self.paper:
            raise DomainError("This member voted on paper; the paper ballot stands.", status=409)
        if ctx.actor_id != self.resident_id:
            raise DomainError("Only the member changes their own vote.", status=403)
        if Choice(choice) != self.choice:
            self.emit(self.Changed, ctx, choice=choice)

    def confirm(self, ctx: Ctx) -> None:
        if not self.paper:
            raise DomainError("Only paper ballots are confirmed.", status=409)
        if self.confirmed_by is not None:
            raise DomainError("This paper ballot is already confirmed.", status=409)
        if ctx.actor_id is None or ctx.actor_id == self.entered_by:
            raise DomainError("A second clerk confirms a paper ballot.", status=403)
        self.emit(self.Confirmed, ctx)


class Meeting(LinliAggregate):
    """One sitting of a body on one matter's stage(s): 应到 fixed from the roles at notice time, 实到 from check-ins
    (a member who votes is present), one ballot on the motion, and the result by the body's rule."""

    class Scheduled(LinliAggregate.Created):
        matter_id: UUID
        body: str
        stages: list[str]
        place: str
        starts_at: datetime
        motion: str
        expected: list[UUID]  # residents, or households on a ballot by household
        online_until: datetime | None  # an online ballot: open from starts_at until then
        per_household: bool
        rule: str  # the quorum and pass rule (VoteRule.text) from the rulebook, fixed by the notice
        rule_source: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            default = VOTE_RULES[state["body"]]
            state["rule"], state["rule_source"] = default.text, default.source

    class CheckedIn(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, meeting: Meeting) -> None:
            meeting.present.add(self.resident_id)

    class BallotOpened(LinliAggregate.Event):
        def apply(self, meeting: Meeting) -> None:
            meeting.ballot = "open"

    class BallotClosed(LinliAggregate.Event):
        def apply(self, meeting: Meeting) -> None:
            meeting.ballot = "closed"

    class ResultRecorded(LinliAggregate.Event):
        outcome: str
        expected_count: int
        present_count: int
        yes: int
        no: int
        abstain: int
        rule: str
        attendees: list[UUID]  # 实到: checked in, or voted (a member who votes is present)

        def apply(self, meeting: Meeting) -> None:
            meeting.outcome = Outcome(self.outcome)
            meeting.attendees = frozenset(self.attendees)

    class MinutesWritten(LinliAggregate.Event):
        text: str

        def apply(self, meeting: Meeting) -> None:
            meeting.minutes = self.text

    class SignedOff(LinliAggregate.Event):
        """An attendee confirms the minutes and the result as the record of the sitting (电子签名)."""

        resident_id: UUID

        def apply(self, meeting: Meeting) -> None:
            meeting.signed.add(self.resident_id)

    def __init__(
        self,
        matter_id: UUID,
        body: str,
        stages: list[str],
        place: str,
        starts_at: datetime,
        motion: str,
        expected: list[UUID],
        online_until: datetime | None,
        per_household: bool,
        rule: str,
        rule_source: str,
    ) -> None:
        self.rule = VoteRule.parse(rule, rule_source)
        self.online_until = online_until
        self.per_household = per_household
        self.matter_id = matter_id
        self.body = Body(body)
        self.stages = [Stage(s) for s in stages]
        self.place = place
        self.starts_at = starts_at
        self.motion = motion
        self.expected = frozenset(expected)
        self.present: set[UUID] = set()
        self.ballot = "not_open"  # not_open | open | closed
        self.outcome: Outcome | None = None
        self.attendees: frozenset[UUID] = frozenset()
        self.minutes = ""
        self.signed: set[UUID] = set()

    @classmethod
    def schedule(
        cls,
        ctx: Ctx,
        meeting_id: UUID,
        matter: Matter,
        body: Body,
        place: str,
        starts_at: datetime,
        motion: str,
        expected: list[UUID],
        notice_days: int,
        rule: VoteRule,
        online_until: datetime | None = None,
        per_household: bool = False,
    ) -> Meeting:
        """A sitting; or, for a residents' meeting, an online ballot of all verified residents (or households). The
        matter records it as its pending sitting (save both)."""
        if matter.community_id != ctx.community_id:
            raise DomainError("No such matter.", status=404)
        if matter.state != "open":
            raise DomainError("This matter is not in progress.", status=409)
        stages = matter.stages_for(body)
        if starts_at < ctx.now + timedelta(days=notice_days):
            raise DomainError("Too late: this body needs more days' notice (see the rulebook).", "starts_at")
        if not expected:
            raise DomainError("This body has no members yet.", "body", status=409)
        if online_until is not None:
            if body != Body.RESIDENTS_MEETING:
                raise DomainError("Only a residents' meeting is held as an online ballot.", "mode")
            if online_until <= starts_at:
                raise DomainError("The ballot must close after it opens.", "online_until")
        elif per_household:
            raise DomainError("Voting by household is for online ballots.", "mode")
        if matter.sitting is not None:
            raise DomainError(
                "A sitting for this matter is already called: hold it and close its ballot first.", status=409
            )
        matter.emit(Matter.SittingCalled, ctx, meeting_id=meeting_id)
        return cls.start(
            cls.Scheduled,
            ctx,
            meeting_id,
            matter_id=matter.id,
            body=body.value,
            stages=[s.value for s in stages],
            place=check_text(place, 60, "place", "Please give the place (at most 60 characters)."),
            starts_at=starts_at,
            motion=check_text(motion, MOTION_MAX, "motion", "Please write the motion (at most 2000 characters)."),
            expected=sorted(set(expected), key=str),
            online_until=online_until,
            per_household=per_household,
            rule=rule.text,
            rule_source=rule.source,
        )

    @property
    def ballot_state(self) -> BallotState:
        return BallotState(self.id, self.ballot == "open", self.expected, self.online_until, self.per_household)

    def _same_community(self, ctx: Ctx) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("No such meeting.", status=404)

    def check_in(self, ctx: Ctx, resident_id: UUID) -> None:
        self._same_community(ctx)
        if self.online_until is not None:
            raise DomainError("An online ballot has no check-in: voting is taking part.", status=409)
        if resident_id not in self.expected:
            raise DomainError("Only members of this body check in.", status=403)
        if self.ballot == "closed":
            raise DomainError("This meeting is over.", status=409)
        if resident_id not in self.present:
            self.emit(self.CheckedIn, ctx, resident_id=resident_id)

    def open_ballot(self, ctx: Ctx) -> None:
        self._same_community(ctx)
        if self.ballot != "not_open":
            raise DomainError("The ballot has already been opened.", status=409)
        if self.online_until is not None and ctx.now < self.starts_at:
            raise DomainError("An online ballot opens at the time given in the notice.", status=409)
        self.emit(self.BallotOpened, ctx)

    def close_ballot(self, ctx: Ctx) -> None:
        self._same_community(ctx)
        if self.ballot != "open":
            raise DomainError("Only an open ballot can be closed.", status=409)
        if self.online_until is not None and ctx.now < self.online_until:
            raise DomainError("An online ballot stays open until the end of its voting period.", status=409)
        self.emit(self.BallotClosed, ctx)

    def record_result(self, ctx: Ctx, votes: dict[UUID, Choice]) -> Outcome:
        """The result from the votes that counted (cast before the close in the log); voters are present."""
        self._same_community(ctx)
        if self.ballot != "closed":
            raise DomainError("Close the ballot first.", status=409)
        if self.outcome is not None:
            raise DomainError("The result has already been recorded.", status=409)
        counted = {r: c for r, c in votes.items() if r in self.expected}
        attendees = self.present | set(counted)
        present = len(attendees)
        yes = sum(1 for c in counted.values() if c == Choice.YES)
        outcome = decide(self.rule, len(self.expected), present, yes)
        self.emit(
            self.ResultRecorded,
            ctx,
            outcome=outcome.value,
            expected_count=len(self.expected),
            present_count=present,
            yes=yes,
            no=sum(1 for c in counted.values() if c == Choice.NO),
            abstain=sum(1 for c in counted.values() if c == Choice.ABSTAIN),
            rule=f"{self.rule.source}: {self.rule.text}",
            attendees=sorted(attendees, key=str),
        )
        return outcome

    def write_minutes(self, ctx: Ctx, text: str) -> None:
        """The clerk's minutes (会议记录) after the result; fixed once an attendee has signed them."""
        self._same_community(ctx)
        if self.outcome is None:
            raise DomainError("Record the result before the minutes.", status=409)
        if self.signed:
            raise DomainError("Signed minutes are not changed.", status=409)
        text = check_text(text, MINUTES_MAX, "minutes", "Please write the minutes (at most 10000 characters).")
        if text != self.minutes:
            self.emit(self.MinutesWritten, ctx, text=text)

    def sign_off(self, ctx: Ctx) -> None:
        self._same_community(ctx)
        if not self.minutes:
            raise DomainError("There are no minutes to sign yet.", status=409)
        if ctx.actor_id not in self.attendees or ctx.on_behalf_of is not None:
            raise DomainError("Only those who attended sign the minutes, each for themselves.", status=403)
        if ctx.actor_id in self.signed:
            raise DomainError("You have already signed these minutes.", status=409)
        self.emit(self.SignedOff, ctx, resident_id=ctx.actor_id)
