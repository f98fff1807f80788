"""Proposals (民主提事) and co-signs (附议): a resident's matter reaches the agenda (待议) at the threshold. One that
has not reached it within the rulebook's `proposal_answer_days` is owed the committee's written answer (taken up as a
matter, answered, merged into another proposal, or turned into a case), and is overdue until it has it."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from backend.community.domain.rules import RULES
from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics
from backend.kernel.zone import LOCAL_ZONE

TITLE_MAX = 60
DESCRIPTION_MAX = 2000
PHOTOS_MAX = 4

CATEGORIES: dict[str, str] = {
    "environment": N_("Environment and sanitation"),
    "facilities": N_("Facilities and repairs"),
    "safety": N_("Safety"),
    "traffic": N_("Traffic and parking"),
    "elderly": N_("Elderly and children"),
    "neighbourhood": N_("Neighbourhood life"),
    "other": N_("Other"),
}


ANSWER_MAX = 2000
# The committee's answer to a proposal: what it did with it (the page says it in the reader's language).
ANSWER_KINDS: dict[str, str] = {
    "matter": N_("Taken up as a matter (四议两公开)"),
    "answered": N_("Answered"),
    "merged": N_("Merged into another proposal"),
    "case": N_("Turned into a request (诉求)"),
}


def answer_due_for(submitted_on: date, answer_days: int) -> date:
    """The last day the committee answers a proposal in time (calendar days, DESIGN 10)."""
    return submitted_on + timedelta(days=answer_days)


def answer_overdue(state: str, answered: bool, due: date, today: date) -> bool:
    """Overdue: still collecting co-signs (not on the agenda, not withdrawn), unanswered, after its due day."""
    return state == ProposalState.COLLECTING and not answered and today > due


class ProposalState(StrEnum):
    COLLECTING = "collecting"
    ON_AGENDA = "on_agenda"
    WITHDRAWN = "withdrawn"


def check_text(title: str, description: str, category: str) -> tuple[str, str]:
    # A form sends a line break as CRLF; counted as one character, as the form's counter and maxlength count it.
    title, description = title.strip(), description.replace("\r\n", "\n").strip()
    if not title:
        raise DomainError("Please give the proposal a title.", "title")
    if len(title) > TITLE_MAX:
        raise DomainError("The title is too long (at most 60 characters).", "title")
    if not description:
        raise DomainError("Please describe the matter.", "description")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError("The description is too long (at most 2000 characters).", "description")
    if category not in CATEGORIES:
        raise DomainError("Please choose a category from the list.", "category")
    return title, description


class Proposal(LinliAggregate):
    class Submitted(LinliAggregate.Created):
        author_id: UUID
        title: str
        description: str
        category: str
        photos: list[str]
        threshold: int
        # the day its answer is due (the rulebook's proposal_answer_days of the day it was submitted); proposals
        # submitted before the rule existed have none: theirs is the rule's default from their submission
        answer_due: date | None = None

    class CoSigned(LinliAggregate.Event):
        resident_id: UUID
        count: int

        def apply(self, proposal: Proposal) -> None:
            proposal.cosigners.add(self.resident_id)

    class ReachedAgenda(LinliAggregate.Event):
        count: int

        def apply(self, proposal: Proposal) -> None:
            proposal.state = ProposalState.ON_AGENDA

    class Withdrawn(LinliAggregate.Event):
        reason: str

        def apply(self, proposal: Proposal) -> None:
            proposal.state = ProposalState.WITHDRAWN

    class Answered(LinliAggregate.Event):
        """The committee's written answer (once): `kind` of ANSWER_KINDS, `target_id` the matter it became, the
        proposal it was merged into or the case it became (None for a plain answer)."""

        kind: str
        text: str
        target_id: UUID | None

        def apply(self, proposal: Proposal) -> None:
            proposal.answer = (self.kind, self.target_id)

    def __init__(
        self,
        author_id: UUID,
        title: str,
        description: str,
        category: str,
        photos: list[str],
        threshold: int,
        answer_due: date | None = None,
    ) -> None:
        self.author_id = author_id
        self.title = title
        self.description = description
        self.category = category
        self.photos = list(photos)
        self.threshold = threshold
        self.cosigners: set[UUID] = set()
        self.state = ProposalState.COLLECTING
        self._answer_due = answer_due
        self.answer: tuple[str, UUID | None] | None = None

    @property
    def answer_due(self) -> date:
        if self._answer_due is not None:
            return self._answer_due
        submitted_on = self.created_on.astimezone(LOCAL_ZONE).date()
        return answer_due_for(submitted_on, RULES["proposal_answer_days"].default)

    @classmethod
    def submit(
        cls,
        ctx: Ctx,
        proposal_id: UUID,
        title: str,
        description: str,
        category: str,
        photos: list[str],
        threshold: int,
        answer_days: int = RULES["proposal_answer_days"].default,
    ) -> Proposal:
        if ctx.actor_id is None:
            raise DomainError("Please sign in first.", status=403)
        title, description = check_text(title, description, category)
        if len(photos) > PHOTOS_MAX:
            raise DomainError("At most 4 photos.", "photos")
        if threshold < 1:
            raise DomainError("The co-sign threshold must be at least 1.")
        return cls.start(
            cls.Submitted,
            ctx,
            proposal_id,
            author_id=ctx.on_behalf_of or ctx.actor_id,
            title=title,
            description=description,
            category=category,
            photos=list(photos),
            threshold=threshold,
            answer_due=answer_due_for(ctx.today, answer_days),
        )

    def cosign(self, ctx: Ctx, resident_id: UUID) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("Not found.", status=404)
        if resident_id == self.author_id:
            raise DomainError("You cannot co-sign your own proposal.", status=409)
        if resident_id in self.cosigners:
            raise DomainError("You have already co-signed this proposal.", status=409)
        if self.state is ProposalState.WITHDRAWN:
            raise DomainError("This proposal was withdrawn.", status=409)
        if self.answer is not None and self.answer[0] == "merged":
            raise DomainError("This proposal was merged into another: co-sign that one.", status=409)
        self.emit(self.CoSigned, ctx, resident_id=resident_id, count=len(self.cosigners) + 1)
        if self.state is ProposalState.COLLECTING and len(self.cosigners) >= self.threshold:
            self.emit(self.ReachedAgenda, ctx, count=len(self.cosigners))

    def withdraw(self, ctx: Ctx, reason: str) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("Not found.", status=404)
        if (ctx.on_behalf_of or ctx.actor_id) != self.author_id:
            raise DomainError("Only the author can withdraw a proposal.", status=403)
        if self.state is not ProposalState.COLLECTING:
            raise DomainError("Only a proposal still collecting co-signs can be withdrawn.", status=409)
        reason = reason.strip()
        if len(reason) > 500:
            raise DomainError("The reason is too long (at most 500 characters).", "reason")
        self.emit(self.Withdrawn, ctx, reason=reason)

    def answer_with(self, ctx: Ctx, kind: str, text: str, target_id: UUID | None = None) -> None:
        """The committee's written answer, once. Taking it up as a matter needs no text (the matter is the answer);
        every other answer says in words what was done."""
        if ctx.community_id != self.community_id:
            raise DomainError("Not found.", status=404)
        if self.answer is not None:
            raise DomainError("The committee has answered this proposal already.", status=409)
        if self.state is ProposalState.WITHDRAWN:
            raise DomainError("This proposal was withdrawn.", status=409)
        if kind not in ANSWER_KINDS:
            raise DomainError("Choose what the committee does with the proposal.", "kind")
        text = text.strip()
        if (kind != "matter" and not text) or len(text) > ANSWER_MAX:  # taken up: the matter says it
            raise DomainError("Write the committee's answer (at most 2000 characters).", "text")
        if kind == "merged" and (target_id is None or target_id == self.id):
            raise DomainError("Say which other proposal it is merged into.", "target_id")
        if kind in ("matter", "case") and target_id is None:
            raise DomainError("Say which matter or request the proposal became.", "target_id")
        self.emit(self.Answered, ctx, kind=kind, text=text, target_id=target_id if kind != "answered" else None)


keep_topics("backend.deliberation.domain", Proposal)
