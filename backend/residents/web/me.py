"""The resident's own account (我的 / 我的数据): their page and activity, who looked at their personal data and why,
sending a rejected registration again, setting a password, downloading what the views hold about them (recorded
as an export), and erasing their personal data (注销)."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.residents import commands
from backend.residents.web import outbox
from backend.residents.web.forms import EraseForm, HouseholdChoice, PasswordForm, parse_uuid
from backend.residents.web.views import KIND_LABELS, REASON_LABELS, ROLE_LABELS, household_picker
from backend.web.act import Form, act, text
from backend.web.auth import current_user
from backend.web.pages import error_status, error_text, flash, now, redirect, render
from projections.deliberation import queries as proposal_views
from projections.residents import queries as residents

SIGN_IN_FIRST = "/signin?next=/me"


async def _me_page(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await current_user(request)
    assert user is not None
    row = await residents.by_id(user.id)
    if row:  # their own name, opened for them
        row = (await residents.opened(request.app.state.runtime.personal, [row]))[0]
    activity = await proposal_views.by_resident(user.id)
    titles = await proposal_views.titles(c["proposal_id"] for c in activity["cosigns"])
    helpers = await residents.masked_names(c["actor_id"] for c in activity["cosigns"] if c["on_behalf_of"])
    accesses = await residents.accesses_of(user.id)
    context: dict[str, Any] = {
        "resident": row,
        "phone_masked": row["phone_masked"] if row else "",
        "accesses": accesses,
        "lookers": await residents.masked_names(a["actor_id"] for a in accesses if str(a["actor_id"]) != str(user.id)),
        "reason_labels": REASON_LABELS,
        "kind_labels": KIND_LABELS,
        "role_labels": ROLE_LABELS,
        "roles": user.roles,
        "activity": activity,
        "titles": titles,
        "helpers": helpers,
    }
    if row and row["status"] == "rejected":
        context.update(await household_picker(row["community_id"], "", "", None))
    context.update(extra)
    return await render(request, "residents/me.html", status_code=status_code, **context)


@get("/me", name="me")
async def me(request: Request[Any, Any, Any]) -> Response[Any]:
    if await current_user(request) is None:
        return redirect(SIGN_IN_FIRST)
    return await _me_page(request)


@post("/me/resubmit", name="me.resubmit")
async def resubmit_registration(
    request: Request[Any, Any, Any], data: URLEncodedBody[HouseholdChoice]
) -> Response[Any]:
    """A rejected resident picks the right household and sends the registration again."""
    user = await current_user(request)
    if user is None:
        return redirect(SIGN_IN_FIRST)

    async def refused(error: DomainError, form: Form) -> Template:
        picker = await household_picker(user.community_id, text(form, "building"), text(form, "unit"), None)
        return await _me_page(request, 422, **picker, resubmit_error=error_text(error))

    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.resubmit(rt, ctx, parse_uuid(form.get("household_id"))),
        refused=refused,
        done=_("Your registration was sent again. A clerk will check it."),
        then="/me",
    )


@post("/me/password", name="me.password")
async def set_password(request: Request[Any, Any, Any], data: URLEncodedBody[PasswordForm]) -> Response[Any]:
    user = await current_user(request)
    if user is None:
        return redirect(SIGN_IN_FIRST)

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _me_page(request, 422, password_error=error_text(error))

    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.set_password(rt, ctx, text(form, "password")),
        refused=refused,
        done=_("Your password was saved."),
        then="/me",
    )


@get("/me/data.json", name="me.data")
async def my_data(request: Request[Any, Any, Any]) -> Response[Any]:
    """Everything the views hold about the signed-in resident, as a download: an export of personal data, recorded
    in their access record first (nothing is sent unless it is recorded)."""
    user = await current_user(request)
    if user is None:
        return redirect(SIGN_IN_FIRST)
    rt = request.app.state.runtime
    try:
        await commands.record_access(rt, Ctx(user.community_id, user.id, now()), user.id, "exported", "own_request")
    except DomainError as error:
        return Response(content={"error": _(error.message)}, status_code=error_status(error))
    row = await residents.by_id(user.id) or {}
    if row:
        row = (await residents.opened(rt.personal, [row]))[0]
    data = {
        "resident": {
            k: row.get(k)
            for k in ("id", "community_id", "name", "phone", "household", "status", "reject_reason", "roles")
        }
        | {"id_number": "given (sealed; never shown)" if row.get("has_id_number") else "not given"},
        **await proposal_views.by_resident(user.id),
        "accesses": [
            {k: a[k] for k in ("at", "kind", "reason")} | {"by_me": str(a["actor_id"]) == str(user.id)}
            for a in await residents.accesses_of(user.id)
        ],
    }
    return Response(
        content=json.dumps(data, ensure_ascii=False, indent=2, default=str),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="linli-my-data.json"', "Cache-Control": "no-store"},
    )


@post("/me/erase", name="me.erase")
async def erase_me(request: Request[Any, Any, Any], data: URLEncodedBody[EraseForm]) -> Response[Any]:
    """注销: the resident erases their own personal data (the key that sealed it is deleted)."""
    user = await current_user(request)
    if user is None:
        return redirect(SIGN_IN_FIRST)
    form = await request.form()
    if form.get("confirm") != "yes":
        return await _me_page(request, 422, erase_error=_("Please tick the box to confirm."))
    await commands.erase(request.app.state.runtime, Ctx(user.community_id, user.id, now()), user.id)
    request.clear_session()
    flash(request, _("Your personal data has been erased."), "success")
    return redirect("/proposals")


routes = [me, resubmit_registration, set_password, my_data, erase_me, *outbox.routes]  # /me/outbox: the phone's outbox
