"""The supervisors' review (居务监督委员会) of a matter's ⑤/⑥ draft, from their queue on /review (disclosure's page,
which lists these drafts beside the board's notices): approve it (it is published then, its 公示 period starting
that day) or return it to the committee with what they object to. Refused, the queue comes back with the message."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody

from backend.deliberation.commands import matters
from backend.deliberation.web.forms import ReasonForm
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, segment_of, text
from backend.web.auth import require
from backend.web.pages import error_text, flash, redirect

QUEUE = "/review"


@post("/matters/{matter_id:uuid}/notice/{decision:str}", name="matters.notice_review")
async def decide(
    request: Request[Any, Any, Any],
    matter_id: FromPath[UUID],
    decision: Annotated[str, segment_of("approve", "return")],
    data: URLEncodedBody[ReasonForm],
) -> Response[Any]:
    user = await require(request, "disclosure.review")
    if decision not in ("approve", "return"):
        raise NotFoundException()

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        if decision == "approve":
            return await matters.approve_notice(rt, ctx, matter_id)
        return await matters.return_notice(rt, ctx, matter_id, text(form, "reason"))

    async def refused(error: DomainError, _form: Form) -> Response[Any]:
        flash(request, error_text(error), "error")
        return redirect(QUEUE)

    return await act(
        request,
        user,
        run,
        refused=refused,
        done=_("Approved: the notice is published.") if decision == "approve" else _("Returned to the committee."),
        then=QUEUE,
    )


routes = [decide]
