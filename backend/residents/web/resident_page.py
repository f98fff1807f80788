"""One resident at the clerk's desk: their page, giving and ending roles, printing a sign-in slip, and acting for a
resident who is present (co-signing a proposal, signing up for a shift; the events record on_behalf_of)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from backend.deliberation.commands import proposals as proposal_commands
from backend.i18n import gettext as _
from backend.kernel.authz import GRANTABLE
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.masking import mask_phone
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.residents import commands
from backend.residents.commands import SIGNIN_CODE_DAYS
from backend.residents.web.forms import role_term
from backend.residents.web.views import ROLE_LABELS, STATUS_LABELS, resident_in
from backend.volunteering import commands as volunteering
from backend.web.act import Form, Refused, act, text
from backend.web.auth import User, ctx_for, require
from backend.web.pages import command_id_from, error_status, error_text, flash, now, render
from projections.community import queries as communities
from projections.deliberation import queries as proposal_views
from projections.residents import queries as residents
from projections.volunteering import queries as volunteering_views


async def _resident_page(
    request: Request[Any, Any, Any], user: User, resident_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    row = await resident_in(user, resident_id)
    collecting = [p for p in await proposal_views.collecting(user.community_id) if p["author_id"] != resident_id]
    cosigned = {c["proposal_id"] for c in (await proposal_views.by_resident(resident_id))["cosigns"]}
    granters = await residents.masked_names(g["by"] for g in row["roles"] if g.get("by"))
    shifts = await volunteering_views.open_shifts(user.community_id, now())
    taken = await volunteering_views.statuses([s["id"] for s in shifts], resident_id)
    return await render(
        request,
        "residents/resident.html",
        status_code=status_code,
        resident=row,
        phone_masked=mask_phone(row["phone"]),
        role_labels=ROLE_LABELS,
        status_labels=STATUS_LABELS,
        grantable=GRANTABLE,
        granters=granters,
        proposals=[p for p in collecting if p["id"] not in cosigned],
        shifts=[
            s for s in shifts if taken.get(str(s["id"]), {}).get("status") not in ("seated", "waitlisted", "offered")
        ],
        code_days=SIGNIN_CODE_DAYS,
        **extra,
    )


def _refused_on_page(request: Request[Any, Any, Any], user: User, resident_id: UUID, where: str) -> Refused:
    """The resident's page again, with the refusal in the part of the page named `where` (role, code, assist)."""

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _resident_page(request, user, resident_id, error_status(error), **{where: error_text(error)})

    return refused


@get("/clerk/residents/{resident_id:uuid}", name="clerk.resident")
async def resident_page(request: Request[Any, Any, Any], resident_id: FromPath[UUID]) -> Template:
    user = await require(request, "resident.read_private")
    return await _resident_page(request, user, resident_id)


@post("/clerk/residents/{resident_id:uuid}/roles", name="clerk.grant")
async def grant(request: Request[Any, Any, Any], resident_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "resident.grant_role")
    await resident_in(user, resident_id)
    role = text(await request.form(), "role")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        role, until = role_term(form)
        return await commands.grant_role(rt, ctx, resident_id, role, until)

    return await act(
        request,
        user,
        run,
        refused=_refused_on_page(request, user, resident_id, "role_error"),
        done=_("Role given: %(role)s.", role=_(ROLE_LABELS.get(role, role))),  # shown once the role is given
        then=f"/clerk/residents/{resident_id}",
    )


@post("/clerk/residents/{resident_id:uuid}/roles/{role:str}/revoke", name="clerk.revoke")
async def revoke(request: Request[Any, Any, Any], resident_id: FromPath[UUID], role: FromPath[str]) -> Response[Any]:
    user = await require(request, "resident.grant_role")
    await resident_in(user, resident_id)
    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.revoke_role(rt, ctx, resident_id, role, text(form, "reason")),
        refused=_refused_on_page(request, user, resident_id, "role_error"),
        done=_("Role ended: %(role)s.", role=_(ROLE_LABELS.get(role, role))),
        then=f"/clerk/residents/{resident_id}",
    )


@post("/clerk/residents/{resident_id:uuid}/code", name="clerk.code")
async def issue_code(request: Request[Any, Any, Any], resident_id: FromPath[UUID]) -> Response[Any]:
    """Issue a one-time sign-in code and show it as a printable slip with a QR code (shown this once): the answer
    is the slip itself, not a redirect, so this handler does not go through act()."""
    user = await require(request, "resident.issue_signin_code")
    row = await resident_in(user, resident_id)
    form = await request.form()
    try:
        code = await commands.issue_signin_code(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), resident_id
        )
    except DomainError as error:
        return await _refused_on_page(request, user, resident_id, "code_error")(error, form)
    url = str(request.base_url).rstrip("/") + f"/signin/code/{code}"
    return await render(
        request,
        "residents/slip.html",
        resident=row,
        url=url,
        qr=segno.make(url, error="m").svg_inline(scale=5, omitsize=True, title=_("Sign-in QR code")),
        days=SIGNIN_CODE_DAYS,
        community=await communities.by_id(user.community_id),
    )


@post("/clerk/residents/{resident_id:uuid}/cosign/{proposal_id:uuid}", name="clerk.assist.cosign")
async def assisted_cosign(
    request: Request[Any, Any, Any], resident_id: FromPath[UUID], proposal_id: FromPath[UUID]
) -> Response[Any]:
    """The clerk co-signs for a resident who is present; the event records on_behalf_of."""
    user = await require(request, "resident.assist")
    row = await resident_in(user, resident_id)
    return await act(
        request,
        user,
        lambda rt, ctx, form: proposal_commands.cosign(rt, ctx, proposal_id),
        refused=_refused_on_page(request, user, resident_id, "assist_error"),
        done=_("Co-signed for %(name)s.", name=row["name"]),
        then=f"/clerk/residents/{resident_id}",
        on_behalf_of=resident_id,
    )


@post("/clerk/residents/{resident_id:uuid}/signup/{shift_id:uuid}", name="clerk.assist.sign_up")
async def assisted_sign_up(
    request: Request[Any, Any, Any], resident_id: FromPath[UUID], shift_id: FromPath[UUID]
) -> Response[Any]:
    """The clerk signs up a resident who is present for a shift (the waitlist when it is full)."""
    user = await require(request, "resident.assist")
    row = await resident_in(user, resident_id)

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        done = await volunteering.sign_up(rt, ctx, shift_id, waitlist=True)
        # which flash depends on the answer (a seat, or the waitlist), so it is given here rather than by act()
        if done.result["status"] == "seated":
            flash(request, _("%(name)s has a seat.", name=row["name"]), "success")
        else:
            flash(request, _("%(name)s is on the waitlist.", name=row["name"]), "success")
        return done

    return await act(
        request,
        user,
        run,
        refused=_refused_on_page(request, user, resident_id, "assist_error"),
        then=f"/clerk/residents/{resident_id}",
        on_behalf_of=resident_id,
    )


routes = [resident_page, grant, revoke, issue_code, assisted_cosign, assisted_sign_up]
