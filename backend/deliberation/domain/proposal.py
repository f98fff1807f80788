"""Proposals (民主提事) and co-signs (附议): a resident's matter reaches the agenda (待议) at the threshold."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics

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


class ProposalState(StrEnum):
    COLLECTING = "collecting"
    ON_AGENDA = "on_agenda"
    WITHDRAWN = "withdrawn"


def check_text(title: str, description: str, category: str) -> tuple[str, str]:
    title, description = title.strip(), description.strip()
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

    def __init__(
        self, author_id: UUID, title: str, description: str, category: str, photos: list[str], threshold: int
    ) -> None:
        self.author_id = author_id
        self.title = title
        self.description = description
        self.category = category
        self.photos = list(photos)
        self.threshold = threshold
        self.cosigners: set[UUID] = set()
        self.state = ProposalState.COLLECTING

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


keep_topics("backend.deliberation.domain", Proposal)
