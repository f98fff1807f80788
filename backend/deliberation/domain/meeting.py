"""One sitting of a body on a matter's stage(s), or an online ballot of the residents: attendance, the ballot, the
result by the rule its notice fixed, the minutes and their sign-offs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from backend.community.domain.rules import VOTE_RULES, VoteRule
from backend.deliberation.domain.matter import MOTION_MAX, Matter
from backend.deliberation.domain.rules import Body, Outcome, Stage, decide
from backend.deliberation.domain.vote import BallotState, Choice
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics

MINUTES_MAX = 10_000


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


keep_topics("backend.deliberation.procedure", Meeting)
