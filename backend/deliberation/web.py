"""Routes for proposals: the public board, a proposal's page, submitting and co-signing."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import anyio
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from backend.deliberation import commands
from backend.deliberation.domain import CATEGORIES, DESCRIPTION_MAX, PHOTOS_MAX, TITLE_MAX, check_text
from backend.deliberation.meetings import matter_id_for
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.web.auth import User, ctx_for, current_user
from backend.web.pages import command_id_from, error_status, flash, is_htmx, now, redirect, render
from backend.web.uploads import MAX_BYTES, prepare_photo, store_photo
from projections import community as communities
from projections import deliberation as views
from projections import residents

STATES = ("collecting", "on_agenda", "withdrawn")


async def board_community(request: Request[Any, Any, Any], code: str | None) -> dict[str, Any]:
    """The board shown: the one asked for, else the signed-in resident's, else the first community."""
    if code:
        found = await communities.by_code(code)
        if found is None:
            raise NotFoundException(_("No such community."))
        return found
    user = await current_user(request)
    if user is not None:
        found = await communities.by_id(user.community_id)
        if found is not None:
            return found
    every = await communities.all_communities()
    if not every:
        raise NotFoundException(_("No community has been set up yet."))
    return every[0]


@get("/proposals", name="proposals.board")
async def board(
    request: Request[Any, Any, Any],
    community: FromQuery[str | None] = None,
    state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
) -> Template:
    place = await board_community(request, community)
    state = state_filter if state_filter in STATES else None
    rows = await views.board(place["id"], state)
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
async def submit(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await current_user(request)
    if user is None:
        return redirect("/signin?next=/proposals/new")
    form = await request.form()
    values = {key: str(form.get(key, "")) for key in ("title", "description", "category")}
    command_id = command_id_from(form)
    uploads = [
        f for f in (form.getall("photos") if "photos" in form else []) if isinstance(f, UploadFile) and f.filename
    ]
    try:
        _require(user, "proposal.submit")
        check_text(values["title"], values["description"], values["category"])
        if len(uploads) > PHOTOS_MAX:
            raise DomainError("At most 4 photos.", "photos")
        photos = [prepare_photo(await upload.read()) for upload in uploads]
        for photo in photos:
            await anyio.to_thread.run_sync(store_photo, request.app.state.runtime.settings.uploads_dir, photo)
        result = await commands.submit(
            request.app.state.runtime,
            ctx_for(user, now(), command_id),
            values["title"],
            values["description"],
            values["category"],
            [p.name for p in photos],
        )
    except DomainError as error:
        return await _form(
            request,
            values,
            {error.field or "form": _(error.message)},
            status_code=error_status(error),
            command_id=command_id,
        )
    flash(request, _("Your proposal was submitted."), "success")
    target = f"/proposals/{result.result['proposal_id']}"
    if is_htmx(request):
        return Response(content="", status_code=200, headers={"HX-Location": target})
    return redirect(target)


def _require(user: User, action: str) -> None:
    if not user.can(action):
        raise DomainError("You are not allowed to do this.", status=403)


async def _proposal_or_404(proposal_id: UUID) -> dict[str, Any]:
    row = await views.proposal(proposal_id)
    if row is None:
        raise NotFoundException(_("No such proposal."))
    return row


async def _cosign_context(
    request: Request[Any, Any, Any], row: dict[str, Any], cosigned: bool | None = None
) -> dict[str, Any]:
    """What the co-sign panel needs (also the whole htmx response to a co-sign)."""
    user = await current_user(request)
    if cosigned is None:
        cosigned = user is not None and await views.has_cosigned(row["id"], user.id)
    return {
        "proposal": row,
        "cosigned": cosigned,
        "can_cosign": user is not None
        and user.community_id == row["community_id"]
        and user.id != row["author_id"]
        and not cosigned
        and row["state"] != "withdrawn"
        and user.can("proposal.cosign"),
        "is_author": user is not None and user.id == row["author_id"],
    }


async def _detail_context(request: Request[Any, Any, Any], row: dict[str, Any]) -> dict[str, Any]:
    history = await views.history(row["id"])
    user = await current_user(request)
    people = [row["author_id"]] + [h["resident_id"] for h in history] + [h["actor_id"] for h in history]
    return {
        **await _cosign_context(request, row),
        "history": history,
        "names": await residents.masked_names(people),
        "community": await communities.by_id(row["community_id"]),
        "categories": CATEGORIES,
        "matter": await views.matter(matter_id_for(row["id"])),
        "can_take_up": row["state"] == "on_agenda"
        and user is not None
        and user.can("matter.open", row["community_id"]),
    }


@get("/proposals/{proposal_id:uuid}", name="proposals.detail")
async def detail(request: Request[Any, Any, Any], proposal_id: FromPath[UUID]) -> Template:
    row = await _proposal_or_404(proposal_id)
    return await render(request, "deliberation/proposal.html", **await _detail_context(request, row))


@post("/proposals/{proposal_id:uuid}/cosign", name="proposals.cosign")
async def cosign(request: Request[Any, Any, Any], proposal_id: FromPath[UUID]) -> Response[Any]:
    user = await current_user(request)
    if user is None:
        return redirect(f"/signin?next=/proposals/{proposal_id}")
    form = await request.form()
    error: DomainError | None = None
    try:
        _require(user, "proposal.cosign")
        done = await commands.cosign(
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
            context = await _cosign_context(request, row, cosigned=True)
        else:
            context = await _cosign_context(request, await _proposal_or_404(proposal_id))
        context["cosign_error"] = _(error.message) if error else None
        return await render(request, "deliberation/_cosign.html", status_code=error.status if error else 200, **context)
    if error:
        flash(request, _(error.message), "error")
    else:
        flash(request, _("Thank you for co-signing."), "success")
    return redirect(f"/proposals/{proposal_id}")


@post("/proposals/{proposal_id:uuid}/withdraw", name="proposals.withdraw")
async def withdraw(request: Request[Any, Any, Any], proposal_id: FromPath[UUID]) -> Response[Any]:
    user = await current_user(request)
    if user is None:
        return redirect(f"/signin?next=/proposals/{proposal_id}")
    form = await request.form()
    try:
        _require(user, "proposal.withdraw")
        await commands.withdraw(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            proposal_id,
            str(form.get("reason", "")),
        )
    except DomainError as failed:
        if failed.status == 404:
            raise NotFoundException(_("No such proposal.")) from None
        flash(request, _(failed.message), "error")
    else:
        flash(request, _("The proposal was withdrawn."), "success")
    return redirect(f"/proposals/{proposal_id}")


routes = [board, new_form, submit, detail, cosign, withdraw]
