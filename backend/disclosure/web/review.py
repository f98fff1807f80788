"""The supervisors' review (居务监督委员会): the drafts sent to them, each approved or returned with a reason; the
matters' ⑤/⑥ drafts too (read from the deliberation's views; approved or returned by the deliberation's routes)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.disclosure import commands
from backend.disclosure.domain.notice import CATEGORIES
from backend.disclosure.web.forms import ReasonForm
from backend.disclosure.web.views import KINDS
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, segment_of, text
from backend.web.auth import require
from backend.web.pages import error_status, error_text, render, today
from projections.deliberation import queries as deliberation
from projections.disclosure import queries as views


async def _review(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "disclosure.review")
    return await render(
        request,
        "disclosure/review.html",
        status_code=status_code,
        notices=await views.in_review(user.community_id),
        matter_drafts=await deliberation.drafts_in_review(user.community_id),
        categories=CATEGORIES,
        kinds=KINDS,
        day=today(),
        **extra,
    )


@get("/review", name="disclosure.review")
async def review(request: Request[Any, Any, Any]) -> Template:
    return await _review(request)


@post("/review/{notice_id:uuid}/{decision:str}", name="disclosure.decide")
async def decide(
    request: Request[Any, Any, Any],
    notice_id: FromPath[UUID],
    decision: Annotated[str, segment_of("approve", "return")],
    data: URLEncodedBody[ReasonForm],
) -> Response[Any]:
    user = await require(request, "disclosure.review")
    if decision not in ("approve", "return"):
        raise NotFoundException()

    async def run(rt: Commands, ctx: Any, form: Form) -> CommandResult:
        if decision == "approve":
            return await commands.approve(rt, ctx, notice_id)
        return await commands.return_draft(rt, ctx, notice_id, text(form, "reason"))

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _review(request, error_status(error), review_error=error_text(error))

    return await act(
        request,
        user,
        run,
        refused=refused,
        done=_("Approved: the clerk may publish it.") if decision == "approve" else _("Returned to the clerk."),
        then="/review",
    )


routes = [review, decide]
