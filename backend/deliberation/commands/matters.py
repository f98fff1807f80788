"""Commands of a matter: open it (raised by the committee, or taken up from a proposal on the agenda), send it round
again or close it as rejected, draft ⑤ and ⑥ for the supervisors (居务监督委员会), who approve (publishing them)
or return them, take and answer objections, and report its implementation. The sittings that decide its stages are
the meetings' commands."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from backend.community.reads import load_community
from backend.deliberation.commands.proposals import load_proposal
from backend.deliberation.domain.matter import Matter, NoticeTerms
from backend.deliberation.domain.proposal import Proposal, ProposalState
from backend.deliberation.domain.rules import Stage
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.reads import authorize

MATTER_NAMESPACE = UUID("3e2d1c0b-9a8f-4e7d-b6c5-a4b3c2d1e0f9")


def matter_id_for(proposal_id: object) -> UUID:
    """The matter a proposal on the agenda becomes (once)."""
    return uuid5(MATTER_NAMESPACE, str(proposal_id))


def load_matter(app: LinliApp, ctx: Ctx, matter_id: UUID) -> Matter:
    return load_in_community(app, ctx, matter_id, Matter, "No such matter.")


async def open_matter(
    rt: Commands,
    ctx: Ctx,
    title: str,
    description: str,
    proposal_id: UUID | None = None,
    collective_asset: bool = False,
) -> CommandResult:
    """A matter raised by the committee, or taken up from a proposal on the agenda (once per proposal); a matter of
    collective assets (集体资产) is resolved by the collective-asset rule."""
    matter_id = matter_id_for(proposal_id) if proposal_id else uuid5(MATTER_NAMESPACE, ctx.command_id)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "matter.open")
        proposal: Proposal | None = None
        if proposal_id is not None:
            proposal = load_proposal(app, ctx, proposal_id)
            if proposal.state != ProposalState.ON_AGENDA:
                raise DomainError("Only a proposal on the agenda becomes a matter.", status=409)
            try:
                app.repository.get(matter_id)
                raise DomainError("This proposal is already a matter.", status=409)
            except AggregateNotFoundError:
                pass
        joint = load_community(app, ctx.community_id).rule("joint_first_stages", ctx.today) == 1
        matter = Matter.open(ctx, matter_id, title, description, proposal_id, joint, collective_asset)
        if proposal is None or proposal.answer is not None:
            return [matter], {"matter_id": str(matter_id)}
        # Taken up: that is the committee's answer to the proposal, shown on it (issue 22).
        proposal.answer_with(ctx, "matter", "", matter_id)
        return [matter, proposal], {"matter_id": str(matter_id)}

    return await rt.execute("matter.open", ctx, matter_id, action)


async def resubmit(rt: Commands, ctx: Ctx, matter_id: UUID, description: str) -> CommandResult:
    """A matter sent back goes round again from ①, with its description revised."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "matter.open")
        matter = load_matter(app, ctx, matter_id)
        matter.resubmit(ctx, description)
        return [matter], {}

    return await rt.execute("matter.resubmit", ctx, matter_id, action)


async def reject(rt: Commands, ctx: Ctx, matter_id: UUID, reasons: str) -> CommandResult:
    """A matter sent back is closed as rejected, with the reasons on its timeline."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "matter.open")
        matter = load_matter(app, ctx, matter_id)
        if matter.state != "revising":
            raise DomainError("Only a matter sent back for revision is closed as rejected here.", status=409)
        matter.reject(ctx, reasons)
        return [matter], {}

    return await rt.execute("matter.reject", ctx, matter_id, action)


def notice_terms(app: LinliApp, ctx: Ctx) -> NoticeTerms:
    """The rulebook of the day for ⑤/⑥, read as 居务公开 reads it for every other notice of the board."""
    community = load_community(app, ctx.community_id)
    return NoticeTerms(
        period_days=community.rule("notice_period_days", ctx.today),
        answer_days=community.rule("objection_answer_days", ctx.today),
        review_days=community.rule("disclosure_review_days", ctx.today),
        review_required=community.rule("disclosure_review_required", ctx.today) == 1,
    )


async def publish(rt: Commands, ctx: Ctx, matter_id: UUID, stage: Stage, text: str) -> CommandResult:
    """⑤ / ⑥ by the committee: a draft sent to the supervisors while the rulebook requires their review (the 公示
    period then starts at their approval); otherwise straight onto the board, its period starting today. The result
    says which ("published": "1" or "0")."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "matter.disclose")
        terms = notice_terms(app, ctx)
        matter = load_matter(app, ctx, matter_id)
        if terms.review_required:
            matter.draft_notice(ctx, stage, text, terms)
        else:
            matter.publish(ctx, stage, text, terms)
        return [matter], {"published": "0" if terms.review_required else "1"}

    return await rt.execute("matter.publish", ctx, matter_id, action)


async def approve_notice(rt: Commands, ctx: Ctx, matter_id: UUID) -> CommandResult:
    """A supervisor (居务监督委员会) approves the ⑤/⑥ draft in review: it is published with today's terms."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "disclosure.review")
        matter = load_matter(app, ctx, matter_id)
        matter.approve_notice(ctx, notice_terms(app, ctx))
        return [matter], {}

    return await rt.execute("matter.notice_approve", ctx, matter_id, action)


async def return_notice(rt: Commands, ctx: Ctx, matter_id: UUID, reason: str) -> CommandResult:
    """A supervisor returns the ⑤/⑥ draft to the committee with what they object to."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "disclosure.review")
        matter = load_matter(app, ctx, matter_id)
        matter.return_notice(ctx, reason)
        return [matter], {}

    return await rt.execute("matter.notice_return", ctx, matter_id, action)


async def raise_objection(rt: Commands, ctx: Ctx, matter_id: UUID, stage: Stage, reason: str) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "matter.object")
        matter = load_matter(app, ctx, matter_id)
        number = matter.raise_objection(ctx, stage, reason)
        return [matter], {"number": str(number)}

    return await rt.execute("matter.object", ctx, matter_id, action)


async def answer_objection(rt: Commands, ctx: Ctx, matter_id: UUID, number: int, answer: str) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "matter.disclose")
        matter = load_matter(app, ctx, matter_id)
        matter.answer(ctx, number, answer)
        return [matter], {}

    return await rt.execute("matter.answer", ctx, matter_id, action)


async def post_progress(
    rt: Commands, ctx: Ctx, matter_id: UUID, on: date, text: str, spent_fen: int, photos: list[str]
) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "matter.disclose")
        matter = load_matter(app, ctx, matter_id)
        matter.post_progress(ctx, on, text, spent_fen, photos)
        return [matter], {}

    return await rt.execute("matter.progress", ctx, matter_id, action)
