"""Routes of the residents: raise a case (category, what is wrong, where, photos, urgent, public), my cases with
every step and the answer, 我也遇到 on a neighbour's public case, the rating; and a case's page and photos for
whoever may see the case (its raisers, its handlers, the departments it was whistled to; a public case, its
community's residents)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Template

from backend.casework.commands import cases
from backend.casework.web.forms import (
    CASE_PHOTOS,
    PlainForm,
    RaiseForm,
    RateForm,
    solved_of,
    stored_photos,
    ticked,
)
from backend.casework.web.views import case_live, case_page, show_case, show_mine, show_new
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text
from backend.web.auth import require
from backend.web.pages import error_status, error_text, flash
from backend.web.photo_store import PRIVATE_CACHE, serve_photo

RAISE_FIELDS = ("category", "text", "place", "urgent", "public")
UPLOAD_LIMIT = 24 * 1024 * 1024  # four photos of at most 5 MB and the form


@get("/cases", name="cases.mine")
async def mine(request: Request[Any, Any, Any]) -> Template:
    return await show_mine(request, await require(request, "case.raise"))


@get("/cases/new", name="cases.new")
async def new(request: Request[Any, Any, Any]) -> Template:
    return await show_new(request, await require(request, "case.raise"))


@post("/cases/new", name="cases.raise", request_max_body_size=UPLOAD_LIMIT)
async def raise_case(request: Request[Any, Any, Any], data: MultipartBody[RaiseForm]) -> Response[Any]:
    """A resident raises a case; it goes to the grid of their building (or of the place named), else to the
    clerks' queue."""
    user = await require(request, "case.raise")
    form = await request.form()
    values = {name: text(form, name) for name in RAISE_FIELDS}

    async def run(rt: Commands, ctx: Ctx, sent: Form) -> CommandResult:
        photos = await stored_photos(rt, sent)
        return await cases.raise_case(
            rt, ctx, values["category"], values["text"], values["place"], photos, ticked(sent, "urgent"),
            ticked(sent, "public"),
        )  # fmt: skip

    async def refused(error: DomainError, _sent: Form) -> Template:
        return await show_new(
            request, user, error_status(error), values=values, error=error_text(error), error_field=error.field
        )

    return await act(
        request,
        user,
        run,
        then=lambda done: f"/cases/{done.result['case_id']}",
        refused=refused,
        done=_("Your request is sent. You can follow every step here."),
    )


@get("/cases/{case_id:uuid}", name="cases.case")
async def case(request: Request[Any, Any, Any], case_id: FromPath[UUID]) -> Template:
    return await show_case(request, case_id)


@get("/cases/{case_id:uuid}/live", name="cases.case_live")
async def live_part(request: Request[Any, Any, Any], case_id: FromPath[UUID]) -> Template:
    """The live part of the page (state, deadline, steps): fetched again when the case's websocket says it moved."""
    return await case_live(request, case_id)


@get("/cases/{case_id:uuid}/photos/{name:str}", name="cases.photo")
async def photo(request: Request[Any, Any, Any], case_id: FromPath[UUID], name: FromPath[str]) -> Response[Any]:
    """A photo of the case (its raiser's, a note's, an answer's), only to those who may see the case: a case's
    photos are never at a public address."""
    _user, page = await case_page(request, case_id)
    attached = set(page["case"]["photos"]) | {p for s in page["steps"] for p in s["detail"].get("photos") or ()}
    if name not in attached:
        raise NotFoundException()
    # Kept long (its bytes never change) but only by the reader's own browser: no shared cache (a proxy, the
    # balancer) may hand it to someone who may not see the case.
    return await serve_photo(request, CASE_PHOTOS, name, PRIVATE_CACHE)


def back_to_case(request: Request[Any, Any, Any], case_id: UUID, form_name: str) -> Any:
    """A refusal: the case's page again, the message beside the form it came from."""

    async def refused(error: DomainError, _sent: Form) -> Template:
        return await show_case(request, case_id, error_status(error), error=error_text(error), error_form=form_name)

    return refused


@post("/cases/{case_id:uuid}/join", name="cases.join")
async def join(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[PlainForm]
) -> Response[Any]:
    """我也遇到: follow a neighbour's public case instead of raising the same again."""
    user = await require(request, "case.raise")
    await case_page(request, case_id)
    return await act(
        request,
        user,
        lambda rt, ctx, form: cases.join(rt, ctx, case_id),
        then=f"/cases/{case_id}",
        refused=back_to_case(request, case_id, "join"),
        done=_("You follow this case now: you hear every step, and you may rate the answer."),
    )


@post("/cases/{case_id:uuid}/rate", name="cases.rate")
async def rate(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[RateForm]
) -> Response[Any]:
    """A raiser rates the answer, once, within the rating window: 不满意 reopens it once, to the clerk."""
    user = await require(request, "case.raise")
    await case_page(request, case_id)

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        done = await cases.rate(rt, ctx, case_id, text(form, "level"), solved_of(form), text(form, "comment"))
        if done.result.get("result") == "reopened":
            said = _("Thank you. The case is reopened: the clerk takes it up again.")
        else:
            said = _("Thank you for rating the answer.")
        flash(request, said, "success")  # what it says depends on what followed
        return done

    return await act(request, user, run, then=f"/cases/{case_id}", refused=back_to_case(request, case_id, "rate"))


routes = [mine, new, raise_case, case, live_part, photo, join, rate]
