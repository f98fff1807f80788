"""A matter (事项) on its way through the six stages of 四议两公开 (see rules): decided stage by stage by the sittings
that record their results on it, then published (⑤, ⑥) with a 公示 period for objections, and implemented in
between. Like every notice of the board, ⑤ and ⑥ are drafted by the committee and reviewed by the supervisory
committee (居务监督委员会) before they are published, while the rulebook requires it (`disclosure_review_required`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from backend.deliberation.domain.rules import STAGE_BODIES, STAGES, Body, Outcome, Stage
from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics

MOTION_MAX = 2000
REASON_MAX = 500
NOTICE_MAX = 4000
ANSWER_MAX = 2000
PROGRESS_MAX = 2000
NOTICE_TEXT = N_("Please write the notice (at most 4000 characters).")
OWN_DRAFT = N_("Nobody reviews their own draft: another supervisor does.")
PHOTOS_MAX = 4
SPENT_MAX_FEN = 10**11  # 10 亿元: a typo guard, not a policy


def rule_key(matter: Matter, body: Body) -> str:
    """Which rulebook entry decides a sitting of `body` on the matter now: a collective-asset matter's resolution
    (④) has its own, whichever body sits."""
    if matter.collective_asset and Stage.RESOLUTION in matter.stages_for(body):
        return "collective_asset"
    return body.value


@dataclass(frozen=True)
class NoticeTerms:
    """From the rulebook of the day: days on the board (公示) and days to answer an objection (both taken when the
    notice is published), days the supervisors have to review a draft, and whether they must (the default: the
    rulebook's own default is 1, and a caller that forgets to ask must not publish unreviewed)."""

    period_days: int
    answer_days: int
    review_days: int = 5
    review_required: bool = True


@dataclass(frozen=True)
class NoticeDraft:
    """⑤ or ⑥ as drafted: with the supervisors (in_review) or returned to the committee with their reason."""

    stage: Stage
    text: str
    drafted_by: frozenset[UUID]  # everyone who drafted or revised this notice since the last publication
    state: str  # in_review | returned
    reason: str = ""


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
            matter.draft = None  # a draft of ⑤/⑥ goes with the matter: nothing is left to review

    class NoticeDrafted(LinliAggregate.Event):
        """⑤ or ⑥ drafted (or revised after a return) and sent to the supervisors, to review by `review_due`."""

        stage: str
        text: str
        review_due: date

        def apply(self, matter: Matter) -> None:
            # A draft revised after a return keeps its earlier writers: none of them reviews it (as for the board's
            # notices, backend.disclosure.domain.notice.written_by).
            before = matter.draft
            earlier = before.drafted_by if before and before.stage == Stage(self.stage) else frozenset()
            writers = earlier | ({self.actor_id} if self.actor_id else set())
            matter.draft = NoticeDraft(Stage(self.stage), self.text, frozenset(writers), "in_review")

    class NoticeReturned(LinliAggregate.Event):
        """The supervisors object to the draft, with their reason: back to the committee to revise."""

        stage: str
        reason: str

        def apply(self, matter: Matter) -> None:
            if matter.draft is not None:
                matter.draft = replace(matter.draft, state="returned", reason=self.reason)

    class NoticePublished(LinliAggregate.Event):
        """⑤ or ⑥: the notice text goes on the board; objections are taken until `objections_until` (inclusive).
        Emitted by the supervisors' approval of the draft, or directly where the rulebook requires no review (and
        so in logs written before the review existed)."""

        stage: str
        text: str
        published_on: date
        objections_until: date
        answer_days: int

        def apply(self, matter: Matter) -> None:
            stage = Stage(self.stage)
            matter.done.append(stage)
            matter.notices[stage] = Notice(self.published_on, self.objections_until, self.answer_days)
            matter.draft = None
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
        self.draft: NoticeDraft | None = None  # ⑤ or ⑥ drafted and not yet published

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

    def _publishable(self, ctx: Ctx, stage: Stage) -> None:
        """⑤ after the resolution; ⑥ once implementation has been reported and every objection answered."""
        if stage not in (Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE):
            raise DomainError("Only ⑤ and ⑥ are published.", status=409)
        self._open_for(ctx, stage)
        if stage == Stage.RESULT_NOTICE:
            if self.unanswered:
                raise DomainError("Answer the open objections first.", status=409)
            if not self.progress:
                raise DomainError("Report the implementation before publishing its result.", status=409)

    def _in_review(self) -> NoticeDraft | None:
        return self.draft if self.draft is not None and self.draft.state == "in_review" else None

    def publish(self, ctx: Ctx, stage: Stage, text: str, terms: NoticeTerms) -> None:
        """Straight onto the board: only where the rulebook does not require the supervisors' review."""
        self._publishable(ctx, stage)
        if terms.review_required:
            raise DomainError("The rulebook requires the supervisors' approval before publishing.", status=409)
        if self._in_review():
            raise DomainError("The draft is with the supervisors: wait for their review.", status=409)
        self._published(ctx, stage, check_text(text, NOTICE_MAX, "text", NOTICE_TEXT), terms)

    def draft_notice(self, ctx: Ctx, stage: Stage, text: str, terms: NoticeTerms) -> None:
        """The committee drafts ⑤ or ⑥ (or revises a returned draft) and sends it to the supervisors."""
        self._publishable(ctx, stage)
        if self._in_review():
            raise DomainError("The draft is with the supervisors: wait for their review.", status=409)
        text = check_text(text, NOTICE_MAX, "text", NOTICE_TEXT)
        if self.draft is not None and self.draft.stage == stage and self.draft.text == text:
            raise DomainError("Revise the returned draft before sending it again.", "text", status=409)
        review_due = ctx.today + timedelta(days=terms.review_days)
        self.emit(self.NoticeDrafted, ctx, stage=stage.value, text=text, review_due=review_due)

    def approve_notice(self, ctx: Ctx, terms: NoticeTerms) -> None:
        """A supervisor approves the draft in review: it is published now, its 公示 period and objection deadline
        counted from today (not from the drafting). Nobody approves their own draft."""
        draft = self._in_review()
        if ctx.community_id != self.community_id:
            raise DomainError("No such matter.", status=404)
        if draft is None:
            raise DomainError("Only a notice in review is approved.", status=409)
        if ctx.actor_id is not None and ctx.actor_id in draft.drafted_by:
            raise DomainError(OWN_DRAFT, status=403)
        self._publishable(ctx, draft.stage)
        self._published(ctx, draft.stage, draft.text, terms)

    def return_notice(self, ctx: Ctx, reason: str) -> None:
        """A supervisor returns the draft in review to the committee, with what they object to."""
        draft = self._in_review()
        if ctx.community_id != self.community_id:
            raise DomainError("No such matter.", status=404)
        if draft is None:
            raise DomainError("Only a notice in review is returned.", status=409)
        if ctx.actor_id is not None and ctx.actor_id in draft.drafted_by:
            raise DomainError(OWN_DRAFT, status=403)
        reason = check_text(
            reason, REASON_MAX, "reason", "Say what the supervisors object to (at most 500 characters)."
        )
        self.emit(self.NoticeReturned, ctx, stage=draft.stage.value, reason=reason)

    def _published(self, ctx: Ctx, stage: Stage, text: str, terms: NoticeTerms) -> None:
        self.emit(
            self.NoticePublished,
            ctx,
            stage=stage.value,
            text=text,
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


keep_topics("backend.deliberation.procedure", Matter)
