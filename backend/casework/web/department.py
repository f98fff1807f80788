"""Routes of a department's staff (职能部门): the cases whistled to their department (late ones first), report in
(报到), return one as not theirs (退单, with a reason, within the time to report in), and answer; the answer goes
back to the case's owner. Staff act in the case's community, whichever community they live in; the case checks it
was whistled to their department."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Template

from backend.casework.commands import whistles
from backend.casework.web.forms import NoteForm, PlainForm, ReasonForm, stored_photos
from backend.casework.web.resident import UPLOAD_LIMIT, back_to_case
from backend.casework.web.views import case_page, department_context
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text
from backend.web.auth import require
from backend.web.pages import render


@get("/department", name="cases.department")
async def desk(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "case.department")
    return await render(request, "casework/department.html", **await department_context(user))


async def _as_department(
    request: Request[Any, Any, Any],
    case_id: UUID,
    step: Any,
    form_name: str,
    done: str,
) -> Response[Any]:
    """`step(rt, ctx, form)`: the department's command, run in the case's community."""
    user = await require(request, "case.department")
    _viewer, page = await case_page(request, case_id)  # 404 unless whistled to one of their departments
    community = page["case"]["community_id"]

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        return await step(rt, replace(ctx, community_id=community), form)

    return await act(
        request, user, run, then=f"/cases/{case_id}", refused=back_to_case(request, case_id, form_name), done=done
    )


@post("/cases/{case_id:uuid}/report-in", name="cases.report_in")
async def report_in(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[PlainForm]
) -> Response[Any]:
    return await _as_department(
        request,
        case_id,
        lambda rt, ctx, form: whistles.report_in(rt, ctx, case_id),
        "report_in",
        _("Reported in (报到). Answer within the days the matter list gives."),
    )


@post("/cases/{case_id:uuid}/return", name="cases.return")
async def return_whistle(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[ReasonForm]
) -> Response[Any]:
    return await _as_department(
        request,
        case_id,
        lambda rt, ctx, form: whistles.return_whistle(rt, ctx, case_id, text(form, "reason")),
        "return",
        _("Returned (退单): the case goes back to its owner with your reason."),
    )


@post("/cases/{case_id:uuid}/department-answer", name="cases.department_answer", request_max_body_size=UPLOAD_LIMIT)
async def department_answer(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: MultipartBody[NoteForm]
) -> Response[Any]:
    async def step(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        if not text(form, "text").strip():  # refused before any photo is stored
            return await whistles.department_answer(rt, ctx, case_id, "")
        photos = await stored_photos(rt, form)
        return await whistles.department_answer(rt, ctx, case_id, text(form, "text"), photos)

    return await _as_department(
        request,
        case_id,
        step,
        "department_answer",
        _("Your answer goes to the case's owner, who answers the resident."),
    )


routes = [desk, report_in, return_whistle, department_answer]
