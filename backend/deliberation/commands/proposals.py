"""Proposal commands: submit, co-sign, withdraw."""

from __future__ import annotations

from uuid import UUID, uuid5

from backend.community.reads import load_community
from backend.deliberation.domain.proposal import Proposal
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import Action, CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.reads import authorize

PROPOSAL_NAMESPACE = UUID("9d3c0a4e-71f2-4b8e-a5d6-0c1e2f3a4b5c")


def load_proposal(app: LinliApp, ctx: Ctx, proposal_id: UUID) -> Proposal:
    return load_in_community(app, ctx, proposal_id, Proposal, "No such proposal.")


async def submit(
    rt: Commands, ctx: Ctx, title: str, description: str, category: str, photos: list[str]
) -> CommandResult:
    # Derived from the command id, so a form sent twice targets the same proposal and is recognised.
    proposal_id = uuid5(PROPOSAL_NAMESPACE, ctx.command_id)

    def action(app: LinliApp) -> tuple[list[Proposal], dict[str, str]]:
        authorize(app, ctx, "proposal.submit")
        community = load_community(app, ctx.community_id)
        threshold = community.rule("cosign_threshold", ctx.today)
        answer_days = community.rule("proposal_answer_days", ctx.today)
        proposal = Proposal.submit(ctx, proposal_id, title, description, category, photos, threshold, answer_days)
        return [proposal], {"proposal_id": str(proposal_id)}

    return await rt.execute("proposal.submit", ctx, proposal_id, action)


def cosign_action(ctx: Ctx, proposal_id: UUID) -> Action:
    resident = ctx.on_behalf_of or ctx.actor_id
    if resident is None:
        raise DomainError("Please sign in first.", status=403)

    def action(app: LinliApp) -> tuple[list[Proposal], dict[str, str]]:
        authorize(app, ctx, "proposal.cosign")
        proposal = load_proposal(app, ctx, proposal_id)
        proposal.cosign(ctx, resident)
        return [proposal], {
            "proposal_id": str(proposal_id),
            "cosigns": str(len(proposal.cosigners)),
            "state": proposal.state.value,
            "threshold": str(proposal.threshold),
        }

    return action


async def cosign(rt: Commands, ctx: Ctx, proposal_id: UUID) -> CommandResult:
    return await rt.execute("proposal.cosign", ctx, proposal_id, cosign_action(ctx, proposal_id))


async def withdraw(rt: Commands, ctx: Ctx, proposal_id: UUID, reason: str) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[Proposal], dict[str, str]]:
        authorize(app, ctx, "proposal.withdraw")
        proposal = load_proposal(app, ctx, proposal_id)
        proposal.withdraw(ctx, reason)
        return [proposal], {"proposal_id": str(proposal_id)}

    return await rt.execute("proposal.withdraw", ctx, proposal_id, action)
