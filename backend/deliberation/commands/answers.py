"""The committee's written answer to a proposal (民主提事 gets an answer, issue 22): taken up as a matter (the matter
opened in the same save), answered in words, merged into another proposal of the community, or turned into a
request (诉求) — the case made by casework's own commands and saved with the answer, so that neither exists without
the other. A proposal still collecting co-signs past its `answer_due` is overdue until it has its answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.community.reads import load_community
from backend.deliberation.commands.matters import matter_id_for
from backend.deliberation.commands.proposals import load_proposal
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.proposal import ProposalState
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp
from backend.residents.reads import authorize

# Raises the case a proposal becomes, in the same save: given the store and the context acting for the proposal's
# author (ctx.on_behalf_of). The interface passes casework's own case-making (a context's commands never call
# another's), so the case is routed, timed and checked exactly as any other.
MakeCase = Callable[[LinliApp, Ctx], LinliAggregate]


def _new_matter(app: LinliApp, ctx: Ctx, proposal_id: UUID, title: str, description: str, asset: bool) -> Matter:
    matter_id = matter_id_for(proposal_id)
    try:
        app.repository.get(matter_id)
    except AggregateNotFoundError:
        joint = load_community(app, ctx.community_id).rule("joint_first_stages", ctx.today) == 1
        return Matter.open(ctx, matter_id, title, description, proposal_id, joint, asset)
    raise DomainError("This proposal is already a matter.", status=409)


async def answer(
    rt: Commands,
    ctx: Ctx,
    proposal_id: UUID,
    kind: str,
    text: str,
    target_id: UUID | None = None,
    make_case: MakeCase | None = None,
    collective_asset: bool = False,
) -> CommandResult:
    """The committee (who may open matters) answers: `kind` "matter" (opened now), "answered", "merged" (into
    `target_id`, another proposal of the community that was not withdrawn) or "case" (raised by `make_case` for the
    author). Result: the answer's kind and what it points to (the matter, the proposal, the case)."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "matter.open")
        proposal = load_proposal(app, ctx, proposal_id)
        changed: list[LinliAggregate] = [proposal]
        target = None
        if kind == "matter":
            matter = _new_matter(app, ctx, proposal_id, proposal.title, proposal.description, collective_asset)
            target = matter.id
            changed.append(matter)
        elif kind == "merged":
            if target_id is None or target_id == proposal_id:
                raise DomainError("Say which other proposal it is merged into.", "target_id")
            other = load_proposal(app, ctx, target_id)
            if other.state is ProposalState.WITHDRAWN:
                raise DomainError("Merge it into a proposal that was not withdrawn.", "target_id")
            target = other.id
        elif kind == "case":
            if make_case is None:
                raise DomainError("Choose the category of the request.", "category")
            case = make_case(app, replace(ctx, on_behalf_of=proposal.author_id))
            target = case.id
            changed.append(case)
        proposal.answer_with(ctx, kind, text, target)
        return changed, {"proposal_id": str(proposal_id), "kind": kind, "target_id": str(target or "")}

    return await rt.execute("proposal.answer", ctx, proposal_id, action)
