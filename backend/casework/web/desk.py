"""Routes of the clerks' casework desk: their queue (cases no grid covers, reopened ones, a departed worker's),
extensions to approve or decline, every overdue case of the community, and a rating a raiser gave by phone or on a
visit (回访), recorded for them with the channel."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.casework.commands import cases
from backend.casework.web.forms import PhoneRateForm, PlainForm, ReasonForm, solved_of
from backend.casework.web.resident import back_to_case
from backend.casework.web.views import case_page, desk_context
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text, uuid_field
from backend.web.auth import require
from backend.web.pages import render


@get("/cases/desk", name="cases.desk")
async def desk(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "case.supervise")
    return await render(request, "casework/desk.html", **await desk_context(user))


async def _supervise(
    request: Request[Any, Any, Any], case_id: UUID, run: Any, form_name: str, done: str
) -> Response[Any]:
    user = await require(request, "case.supervise")
    await case_page(request, case_id)
    return await act(
        request, user, run, then=f"/cases/{case_id}", refused=back_to_case(request, case_id, form_name), done=done
    )


@post("/cases/{case_id:uuid}/extension/approve", name="cases.approve_extension")
async def approve(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[PlainForm]
) -> Response[Any]:
    return await _supervise(
        request,
        case_id,
        lambda rt, ctx, form: cases.approve_extension(rt, ctx, case_id),
        "decide_extension",
        _("The extension is approved: the answer is due later."),
    )


@post("/cases/{case_id:uuid}/extension/decline", name="cases.decline_extension")
async def decline(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[ReasonForm]
) -> Response[Any]:
    return await _supervise(
        request,
        case_id,
        lambda rt, ctx, form: cases.decline_extension(rt, ctx, case_id, text(form, "reason")),
        "decide_extension",
        _("The extension is declined; the owner sees why."),
    )


@post("/cases/{case_id:uuid}/rate-for", name="cases.rate_for")
async def rate_for(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[PhoneRateForm]
) -> Response[Any]:
    """回访: the clerk records the rating a raiser gave by phone or on a visit (on their behalf, with the channel)."""
    _user, page = await case_page(request, case_id)
    raisers = set(page["case"]["raisers"])

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        raiser = uuid_field(form, "resident_id", "Choose the resident who gave the rating.")
        if str(raiser) not in raisers:
            raise DomainError("Choose the resident who gave the rating.", "resident_id")
        channel = text(form, "channel")
        if channel not in ("phone", "visit"):
            raise DomainError("A rating recorded for a raiser says how it was given (phone or visit).", "channel")
        level, solved = text(form, "level"), solved_of(form)
        return await cases.rate(
            rt, replace(ctx, on_behalf_of=raiser), case_id, level, solved, text(form, "comment"), channel
        )

    return await _supervise(request, case_id, run, "rate_for", _("The rating is recorded for the resident (回访)."))


routes = [desk, approve, decline, rate_for]
