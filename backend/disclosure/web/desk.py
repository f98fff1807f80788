"""The clerk's desk of 居务公开: what is due, the drafts (new, or from another context's views), and each notice's
way through revision, the supervisors' review and publication."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Template

from backend.disclosure import commands
from backend.disclosure.domain.notice import CATEGORIES
from backend.disclosure.domain.schedule import DUE_KINDS
from backend.disclosure.web.forms import DraftForm, ReviseForm, photos
from backend.disclosure.web.views import KINDS, STATES, derived_text
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, FormBody, act, segment_of, text
from backend.web.auth import require
from backend.web.pages import error_status, error_text, found, render, today
from projections.community import queries as communities
from projections.disclosure import queries as views

DRAFT_FIELDS = ("category", "title", "text")


async def _desk(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "disclosure.write")
    place = found(await communities.by_id(user.community_id), _("No such community."))
    day = today()
    return await render(
        request,
        "disclosure/desk.html",
        status_code=status_code,
        community=place,
        drafts=await views.drafts(user.community_id),
        categories=CATEGORIES,
        kinds=KINDS,
        states=STATES,
        dues=[d for d in await views.dues(place, day) if d.done_on is None],
        due_kinds=DUE_KINDS,
        day=day,
        values=extra.pop("values", {}),
        **extra,
    )


@get("/disclosure", name="disclosure.desk")
async def desk(request: Request[Any, Any, Any]) -> Template:
    return await _desk(request)


def _to_notice(done: CommandResult) -> str:
    return f"/disclosure/notices/{done.result['notice_id']}"


@post("/disclosure/notices", name="disclosure.draft", request_max_body_size=24 * 1024 * 1024)
async def draft_notice(request: Request[Any, Any, Any], data: MultipartBody[DraftForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Any, form: Form) -> CommandResult:
        attached = await photos(request, form)
        return await commands.draft(rt, ctx, text(form, "category"), text(form, "title"), text(form, "text"), attached)

    async def refused(error: DomainError, form: Form) -> Template:
        values = {k: text(form, k) for k in DRAFT_FIELDS}
        return await _desk(request, error_status(error), values=values, draft_error=error_text(error))

    return await act(
        request,
        "disclosure.write",
        run,
        refused=refused,
        done=_("The draft is saved. Send it to the supervisors when it is ready."),
        then=_to_notice,
    )


@post("/disclosure/derived/{kind:str}", name="disclosure.derived")
async def draft_derived(
    request: Request[Any, Any, Any],
    kind: Annotated[str, segment_of("honours", "service_rates")],
    data: URLEncodedBody[FormBody],
) -> Response[Any]:
    """A draft notice from another context's views: last month's volunteer honours, or the services' rates."""
    user = await require(request, "disclosure.write")
    if kind not in ("honours", "service_rates"):
        raise NotFoundException()

    async def run(rt: Commands, ctx: Any, _form: Form) -> CommandResult:
        title, body, period = await derived_text(user.community_id, kind)
        return await commands.draft(rt, ctx, "affairs", title, body, kind=kind, period=period)

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _desk(request, error_status(error), draft_error=error_text(error))

    return await act(request, user, run, refused=refused, then=_to_notice)


async def _edit(request: Request[Any, Any, Any], notice_id: UUID, status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "disclosure.write")
    row = found(await views.notice(notice_id), _("No such notice."))
    if str(row["community_id"]) != str(user.community_id):
        raise NotFoundException(_("No such notice."))
    return await render(
        request,
        "disclosure/edit.html",
        status_code=status_code,
        notice=row,
        history=await views.versions(notice_id),
        categories=CATEGORIES,
        kinds=KINDS,
        states=STATES,
        day=today(),
        review_required=await communities.rule(row["community_id"], "disclosure_review_required", today()) == 1,
        **extra,
    )


@get("/disclosure/notices/{notice_id:uuid}", name="disclosure.edit")
async def edit_page(request: Request[Any, Any, Any], notice_id: FromPath[UUID]) -> Template:
    return await _edit(request, notice_id)


async def _notice_step(request: Request[Any, Any, Any], notice_id: UUID, run: Any, done: str) -> Response[Any]:
    """A step of a notice on its edit page: back to that page, with the step's message or the refusal."""

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _edit(request, notice_id, error_status(error), edit_error=error_text(error))

    return await act(
        request, "disclosure.write", run, refused=refused, done=done, then=f"/disclosure/notices/{notice_id}"
    )


@post("/disclosure/notices/{notice_id:uuid}/revise", name="disclosure.revise")
async def revise(
    request: Request[Any, Any, Any], notice_id: FromPath[UUID], data: URLEncodedBody[ReviseForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Any, form: Form) -> CommandResult:
        return await commands.revise(rt, ctx, notice_id, text(form, "title"), text(form, "text"), text(form, "reason"))

    return await _notice_step(request, notice_id, run, _("The draft is saved."))


@post("/disclosure/notices/{notice_id:uuid}/submit", name="disclosure.submit")
async def submit(
    request: Request[Any, Any, Any], notice_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await _notice_step(
        request,
        notice_id,
        lambda rt, ctx, _form: commands.submit(rt, ctx, notice_id),
        _("Sent to the supervisors for review."),
    )


@post("/disclosure/notices/{notice_id:uuid}/publish", name="disclosure.publish")
async def publish(
    request: Request[Any, Any, Any], notice_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await _notice_step(
        request, notice_id, lambda rt, ctx, _form: commands.publish(rt, ctx, notice_id), _("Published on the board.")
    )


routes = [desk, draft_notice, draft_derived, edit_page, revise, submit, publish]
