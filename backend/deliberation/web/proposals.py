"""Routes for proposals: the public board, a proposal's page, submitting and co-signing."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid5

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, MultipartBody, QueryParameter, URLEncodedBody
from litestar.response import Template

from backend.deliberation.commands import proposals
from backend.deliberation.domain.proposal import (
    ANSWER_KINDS,
    CATEGORIES,
    DESCRIPTION_MAX,
    PHOTOS_MAX,
    TITLE_MAX,
    check_text,
)
from backend.deliberation.web import views
from backend.deliberation.web.answer_views import overdue
from backend.deliberation.web.forms import ProposalForm, ReasonForm, photo_uploads, stored_photos
from backend.i18n import gettext as _
from backend.kernel.context import Ctx, new_command_id
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.web.act import Form, FormBody, act, text
from backend.web.auth import User, ctx_for, current_user
from backend.web.kept import KEPT
from backend.web.pages import (
    board_community,
    command_id_from,
    error_status,
    error_text,
    flash,
    is_htmx,
    now,
    redirect,
    render,
)
from backend.web.uploads import MAX_BYTES
from projections.deliberation import queries
from projections.residents import queries as residents

STATES = ("collecting", "on_agenda", "withdrawn")
KEPT_FORMS = UUID("5b0e3f7a-9d2c-4e61-8a3b-27c4f1d9e860")  # the namespace of a kept proposal page's command ids


# The list and a proposal's page are kept for their reader (backend.web.kept): sent again until an event is projected.
@get("/proposals", name="proposals.board", opt=KEPT)
async def board(
    request: Request[Any, Any, Any],
    community: FromQuery[str | None] = None,
    state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
) -> Template:
    place = await board_community(request, community)
    state = state_filter if state_filter in STATES else None
    rows = [{**row, "answer_overdue": overdue(row)} for row in await queries.board(place["id"], state)]
    names = await residents.masked_names(r["author_id"] for r in rows)
    return await render(
        request,
        "deliberation/board.html",
        community=place,
        proposals=rows,
        names=names,
        state=state,
        states=STATES,
        categories=CATEGORIES,
        answer_kinds=ANSWER_KINDS,
    )


@get("/proposals/new", name="proposals.new")
async def new_form(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await current_user(request)
    if user is None:
        return redirect("/signin?next=/proposals/new")
    return await _form(request, {}, {})


async def _form(
    request: Request[Any, Any, Any],
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    command_id: str | None = None,
) -> Template:
    context: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "categories": CATEGORIES,
        "title_max": TITLE_MAX,
        "description_max": DESCRIPTION_MAX,
        "photos_max": PHOTOS_MAX,
        "photo_mb": MAX_BYTES // (1024 * 1024),
    }
    if command_id:
        context["command_id"] = command_id
    template = "deliberation/_form.html" if is_htmx(request) and errors else "deliberation/new.html"
    return await render(request, template, status_code=status_code, **context)


@post("/proposals/new", name="proposals.submit", request_max_body_size=24 * 1024 * 1024)
async def submit(request: Request[Any, Any, Any], data: MultipartBody[ProposalForm]) -> Response[Any]:
    # Its own shape rather than act(): a visitor not signed in is sent to sign in, the form keeps its idempotency key
    # when refused, and htmx is told where to go (HX-Redirect) instead of being redirected.
    user = await current_user(request)
    if user is None:
        return redirect("/signin?next=/proposals/new")
    form = await request.form()
    values = {key: text(form, key) for key in ("title", "description", "category")}
    command_id = command_id_from(form)
    uploads = photo_uploads(form)
    try:
        _require(user, "proposal.submit")
        check_text(values["title"], values["description"], values["category"])
        if len(uploads) > PHOTOS_MAX:
            raise DomainError("At most 4 photos.", "photos")
        rt = request.app.state.runtime
        photos = await stored_photos(rt, uploads)
        result = await proposals.submit(
            rt, ctx_for(user, now(), command_id), values["title"], values["description"], values["category"], photos
        )
    except DomainError as error:
        return await _form(
            request,
            values,
            {error.field or "form": error_text(error)},
            status_code=error_status(error),
            command_id=command_id,
        )
    flash(request, _("Your proposal was submitted."), "success")
    target = f"/proposals/{result.result['proposal_id']}"
    if is_htmx(request):  # a whole page load, at its top: swapped in (HX-Location), it kept the form's scroll and
        # the confirmation stayed off-screen on a phone (issue 23)
        return Response(content="", status_code=200, headers={"HX-Redirect": target})
    return redirect(target)


def _require(user: User, action: str) -> None:
    if not user.can(action):
        raise DomainError("You are not allowed to do this.", status=403)


@get("/proposals/{proposal_id:uuid}", name="proposals.detail", opt=KEPT)
async def detail(request: Request[Any, Any, Any], proposal_id: FromPath[UUID]) -> Template:
    row = await views.proposal_or_404(proposal_id)
    context = await views.proposal_context(request, row)
    return await render(request, "deliberation/proposal.html", command_id=_forms_id(request), **context)


def _forms_id(request: Request[Any, Any, Any]) -> str:
    """The command id of the page's forms (co-sign, withdraw, answer, take up). A kept page is sent again as it was,
    so a random id would be one id for every copy: the same here, derived from the reader, the page and the
    projector's position — every copy of one rendering carries the same id (a second submission of the same form is
    the same command, as it should be), and each of these forms' commands writes an event, so the page rendered
    after it has a new one. Without a projector in this process nothing is kept: a fresh id, as on other pages."""
    projector = request.app.state.runtime.projector
    session = request.scope.get("session")
    reader = session.get("resident_id") if isinstance(session, dict) else None
    if not projector.running or not reader:
        return new_command_id()
    return uuid5(KEPT_FORMS, f"{reader}|{request.url.path}|{request.url.query}|{projector.position}").hex


@post("/proposals/{proposal_id:uuid}/cosign", name="proposals.cosign")
async def cosign(
    request: Request[Any, Any, Any], proposal_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    # Its own shape rather than act(): with htmx the co-sign panel alone comes back, refused or not.
    user = await current_user(request)
    if user is None:
        return redirect(f"/signin?next=/proposals/{proposal_id}")
    form = await request.form()
    error: DomainError | None = None
    try:
        _require(user, "proposal.cosign")
        done = await proposals.cosign(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), proposal_id
        )
    except DomainError as failed:
        if failed.status == 404:
            raise NotFoundException(_("No such proposal.")) from None
        error = failed
    if is_htmx(request):
        if error is None:  # the command's own result is the freshest state: no need to read it back
            row = {
                "id": proposal_id,
                "community_id": user.community_id,
                "author_id": None,
                "state": done.result["state"],
                "cosigns": int(done.result["cosigns"]),
                "threshold": int(done.result["threshold"]),
            }
            context = await views.cosign_context(request, row, cosigned=True)
        else:
            context = await views.cosign_context(request, await views.proposal_or_404(proposal_id))
        context["cosign_error"] = error_text(error) if error else None
        return await render(request, "deliberation/_cosign.html", status_code=error.status if error else 200, **context)
    if error:
        flash(request, error_text(error), "error")
    else:
        flash(request, _("Thank you for co-signing."), "success")
    return redirect(f"/proposals/{proposal_id}")


@post("/proposals/{proposal_id:uuid}/withdraw", name="proposals.withdraw")
async def withdraw(
    request: Request[Any, Any, Any], proposal_id: FromPath[UUID], data: URLEncodedBody[ReasonForm]
) -> Response[Any]:
    user = await current_user(request)
    if user is None:
        return redirect(f"/signin?next=/proposals/{proposal_id}")
    page = f"/proposals/{proposal_id}"

    async def run(rt: Commands, ctx: Ctx, form: Form) -> None:
        _require(user, "proposal.withdraw")
        await proposals.withdraw(rt, ctx, proposal_id, text(form, "reason"))

    async def refused(error: DomainError, _sent: Form) -> Response[Any]:
        if error.status == 404:
            raise NotFoundException(_("No such proposal.")) from None
        flash(request, error_text(error), "error")
        return redirect(page)

    return await act(request, user, run, then=page, refused=refused, done=_("The proposal was withdrawn."))


routes = [board, new_form, submit, detail, cosign, withdraw]
