"""Routes of a proposal's answer (issue 22): the committee's desk of proposals owed an answer (the overdue first) and
the answer form on a proposal's page — take it up as a matter, answer it in words, merge it into another proposal,
or turn it into a request (诉求) raised for its author by casework's own commands, in the same save as the answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.casework.commands.cases import NewCase, case_id_for, new_case
from backend.casework.domain.rules import TEXT_MAX
from backend.deliberation.commands import answers
from backend.deliberation.web import views
from backend.deliberation.web.answer_views import overdue
from backend.deliberation.web.forms import ProposalAnswerForm
from backend.i18n import gettext as _
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp
from backend.web.act import Form, act, text, uuid_field
from backend.web.auth import require
from backend.web.pages import error_status, error_text, render
from projections.community import queries as communities
from projections.deliberation import queries
from projections.residents import queries as residents

FIELDS = ("kind", "text", "target_id", "category", "collective_asset")


@get("/proposals/answers", name="proposals.answers")
async def desk(request: Request[Any, Any, Any]) -> Template:
    """The proposals still collecting co-signs that the committee has not answered, the soonest due first."""
    user = await require(request, "matter.open")
    rows = [{**row, "overdue": overdue(row)} for row in await queries.awaiting_answer(user.community_id)]
    return await render(
        request,
        "deliberation/answers.html",
        community=await communities.by_id(user.community_id),
        proposals=rows,
        overdue_count=sum(1 for row in rows if row["overdue"]),
        names=await residents.masked_names(row["author_id"] for row in rows),
    )


def _case_maker(row: dict[str, Any], category: str) -> answers.MakeCase:
    """The request the proposal becomes, raised for its author by casework (routed to the grid of their building,
    timed by the matter list): what it says is the proposal's title and text; public, as the proposal was."""
    words = f"{row['title']}\n\n{row['description']}"[:TEXT_MAX]
    # (its photos stay with the proposal: a case's photos are private uploads, the proposal's public ones)
    draft = NewCase(category=category, text=words, public=True)

    def make(app: LinliApp, ctx: Ctx) -> LinliAggregate:
        return new_case(app, ctx, case_id_for(ctx), draft)

    return make


@post("/proposals/{proposal_id:uuid}/answer", name="proposals.answer")
async def answer(
    request: Request[Any, Any, Any], proposal_id: FromPath[UUID], data: URLEncodedBody[ProposalAnswerForm]
) -> Template | Response[Any]:
    user = await require(request, "matter.open")
    row = await views.proposal_or_404(proposal_id)
    if row["community_id"] != user.community_id:
        raise NotFoundException(_("No such proposal."))

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        kind = text(form, "kind")
        target = None
        if kind == "merged":
            target = uuid_field(form, "target_id", "Say which other proposal it is merged into.")
        make_case = _case_maker(row, text(form, "category").strip()) if kind == "case" else None
        return await answers.answer(
            rt,
            ctx,
            proposal_id,
            kind,
            text(form, "text"),
            target,
            make_case,
            collective_asset=text(form, "collective_asset") == "1",
        )

    async def refused(error: DomainError, form: Form) -> Template:
        context = await views.proposal_context(request, row)
        return await render(
            request,
            "deliberation/proposal.html",
            status_code=error_status(error),
            answer_error=error_text(error),
            values={name: text(form, name) for name in FIELDS},
            **context,
        )

    return await act(
        request, user, run, then=f"/proposals/{proposal_id}", refused=refused, done=_("The answer was recorded.")
    )


routes = [desk, answer]
