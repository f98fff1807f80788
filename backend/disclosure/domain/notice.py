"""公示: a notice for the public board, reviewed by the supervisory committee (居务监督委员会) before it is published,
corrected only by new versions, open to objections (质询) during its 公示 period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics

TITLE_MAX = 80
TEXT_MAX = 10_000
REASON_MAX = 500
PHOTOS_MAX = 4
CATEGORIES = {"party": N_("Party affairs"), "affairs": N_("Residents' affairs"), "finance": N_("Finance")}
KINDS = ("notice", "finance_report", "honours", "service_rates", "resolution", "result")
# The module the aggregates lived in before the domain was split by aggregate: their events keep its topics.
TOPICS_MODULE = "backend.disclosure.domain"


@dataclass(frozen=True)
class Terms:
    """The rulebook of the day for a notice: its 公示 period, the objection answer time, the supervisor's review."""

    period_days: int = 10
    answer_days: int = 15
    review_days: int = 5
    review_required: bool = True


@dataclass
class Objection:
    resident_id: UUID
    answer_due: date
    answered: bool = False


@dataclass
class Version:
    number: int
    title: str
    text: str
    published_on: date
    until: date


class Notice(LinliAggregate):
    """公示: a draft reviewed by the supervisors, then published for its 公示 period; never edited once published (a
    correction is the next version, reviewed and published in its turn); objections during the period."""

    class Drafted(LinliAggregate.Created):
        category: str
        kind: str
        title: str
        text: str
        photos: list[str]  # sha256 of each stored photo
        sources: list[int]  # positions in the log of the events this notice is derived from
        period: str  # what it covers, e.g. "2026-10" for a month's finance report

        def apply(self, notice: Notice) -> None:  # type: ignore[override]
            super().apply(notice)
            notice.written_by = {self.actor_id} - {None}

    class Revised(LinliAggregate.Event):
        title: str
        text: str
        reason: str  # for a correction of a published notice: why

        def apply(self, notice: Notice) -> None:
            notice.draft = (self.title, self.text)
            notice.correction_reason = self.reason
            notice.state = "draft"
            notice.written_by |= {self.actor_id} - {None}

    class Submitted(LinliAggregate.Event):
        review_due: date

        def apply(self, notice: Notice) -> None:
            notice.state = "in_review"
            notice.review_due = self.review_due
            notice.written_by |= {self.actor_id} - {None}

    class Approved(LinliAggregate.Event):
        def apply(self, notice: Notice) -> None:
            notice.state = "approved"

    class Returned(LinliAggregate.Event):
        """The supervisors object to the draft (with a reason): back to the clerk."""

        reason: str

        def apply(self, notice: Notice) -> None:
            notice.state = "draft"

    class Published(LinliAggregate.Event):
        version: int
        title: str
        text: str
        published_on: date  # the day in China
        until: date  # last day of the 公示 period
        answer_days: int
        reviewed: bool

        def apply(self, notice: Notice) -> None:
            notice.versions.append(Version(self.version, self.title, self.text, self.published_on, self.until))
            notice.state = "published"
            notice.draft = None
            notice.correction_reason = ""
            notice.written_by = set()  # a correction is the next draft, with its own writers
            notice.answer_days = self.answer_days

    class ObjectionRaised(LinliAggregate.Event):
        number: int
        resident_id: UUID
        reason: str
        answer_due: date

        def apply(self, notice: Notice) -> None:
            notice.objections[self.number] = Objection(self.resident_id, self.answer_due)

    class ObjectionAnswered(LinliAggregate.Event):
        number: int
        answer: str

        def apply(self, notice: Notice) -> None:
            notice.objections[self.number].answered = True

    def __init__(
        self, category: str, kind: str, title: str, text: str, photos: list[str], sources: list[int], period: str
    ) -> None:
        self.category = category
        self.kind = kind
        self.photos = list(photos)
        self.sources = list(sources)
        self.period = period
        self.state = "draft"  # draft | in_review | approved | published (a correction: draft again, v1 stays up)
        self.draft: tuple[str, str] | None = (title, text)
        self.correction_reason = ""
        self.review_due: date | None = None
        self.versions: list[Version] = []
        self.objections: dict[int, Objection] = {}
        self.answer_days = 15
        self.written_by: set[UUID] = set()  # who wrote or submitted the draft now in hand: never its reviewer

    @classmethod
    def draft_new(
        cls,
        ctx: Ctx,
        notice_id: UUID,
        category: str,
        title: str,
        text: str,
        kind: str = "notice",
        photos: list[str] | None = None,
        sources: list[int] | None = None,
        period: str = "",
    ) -> Notice:
        if category not in CATEGORIES:
            raise DomainError("Choose a category: party affairs, residents' affairs or finance.", "category")
        if kind not in KINDS:
            raise DomainError("Unknown kind of notice.", "kind")
        if len(photos or []) > PHOTOS_MAX:
            raise DomainError("At most 4 photos.", "photos")
        title, text = _checked(title, text)
        return cls.start(
            cls.Drafted,
            ctx,
            notice_id,
            category=category,
            kind=kind,
            title=title,
            text=text,
            photos=list(photos or []),
            sources=list(sources or []),
            period=period,
        )

    @property
    def current(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    def revise(self, ctx: Ctx, title: str, text: str, reason: str = "") -> None:
        """Change the draft; once published, this drafts a correction (the next version), which needs a reason."""
        if self.state in ("in_review", "approved"):
            raise DomainError("The draft is with the supervisors: wait for their review.", status=409)
        title, text = _checked(title, text)
        reason = check_text(
            reason, REASON_MAX, "reason", "Say what the correction corrects.", required=bool(self.versions)
        )
        if self.draft == (title, text) and not self.versions:
            raise DomainError("Nothing changed.", status=409)
        self.emit(self.Revised, ctx, title=title, text=text, reason=reason)

    def submit(self, ctx: Ctx, terms: Terms) -> None:
        if self.state != "draft" or self.draft is None:
            raise DomainError("Only a draft goes to the supervisors.", status=409)
        self.emit(self.Submitted, ctx, review_due=ctx.today + timedelta(days=terms.review_days))

    def _check_reviewer(self, ctx: Ctx) -> None:
        """The 居务监督委员会 reviews the committee's work: a supervisor who also wrote or submitted this draft (a
        clerk may hold both roles) leaves it to another supervisor, as for a matter's ⑤/⑥ notices."""
        if ctx.actor_id is not None and ctx.actor_id in self.written_by:
            raise DomainError("Nobody reviews their own draft: another supervisor does.", status=403)

    def approve(self, ctx: Ctx) -> None:
        if self.state != "in_review":
            raise DomainError("Only a notice in review is approved.", status=409)
        self._check_reviewer(ctx)
        self.emit(self.Approved, ctx)

    def return_draft(self, ctx: Ctx, reason: str) -> None:
        if self.state != "in_review":
            raise DomainError("Only a notice in review is returned.", status=409)
        self._check_reviewer(ctx)
        reason = check_text(
            reason, REASON_MAX, "reason", "Say what the supervisors object to (at most 500 characters)."
        )
        self.emit(self.Returned, ctx, reason=reason)

    def publish(self, ctx: Ctx, terms: Terms) -> None:
        """On the board for the 公示 period; with the supervisors' approval where the rulebook requires it."""
        if self.draft is None or self.state == "published":
            raise DomainError("There is nothing new to publish.", status=409)
        if terms.review_required and self.state != "approved":
            raise DomainError("The rulebook requires the supervisors' approval before publishing.", status=409)
        if self.state == "in_review":
            raise DomainError("The draft is with the supervisors: wait for their review.", status=409)
        title, text = self.draft
        self.emit(
            self.Published,
            ctx,
            version=len(self.versions) + 1,
            title=title,
            text=text,
            published_on=ctx.today,
            until=ctx.today + timedelta(days=terms.period_days),
            answer_days=terms.answer_days,
            reviewed=self.state == "approved",
        )

    def raise_objection(self, ctx: Ctx, resident_id: UUID, reason: str) -> int:
        current = self.current
        if current is None:
            raise DomainError("This notice has not been published.", status=404)
        if ctx.today > current.until:
            raise DomainError("The 公示 period of this notice is over; objections are closed.", status=409)
        if any(o.resident_id == resident_id and not o.answered for o in self.objections.values()):
            raise DomainError("Your earlier objection to this notice waits for its answer.", status=409)
        reason = check_text(
            reason, REASON_MAX, "reason", "Give the reason for your objection (at most 500 characters)."
        )
        number = len(self.objections) + 1
        self.emit(
            self.ObjectionRaised,
            ctx,
            number=number,
            resident_id=resident_id,
            reason=reason,
            answer_due=ctx.today + timedelta(days=self.answer_days),
        )
        return number

    def answer(self, ctx: Ctx, number: int, answer: str) -> None:
        objection = self.objections.get(number)
        if objection is None:
            raise DomainError("No such objection.", status=404)
        if objection.answered:
            raise DomainError("This objection is answered already.", status=409)
        answer = check_text(answer, TEXT_MAX, "answer", "Write the answer.")
        self.emit(self.ObjectionAnswered, ctx, number=number, answer=answer)


def _checked(title: str, text: str) -> tuple[str, str]:
    return (
        check_text(title, TITLE_MAX, "title", "A notice needs a title of at most 80 characters."),
        check_text(text, TEXT_MAX, "text", "Write the notice (at most 10,000 characters)."),
    )


keep_topics(TOPICS_MODULE, Notice)
