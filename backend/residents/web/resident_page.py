"""One resident at the clerk's desk: their page (name, phone and ID number masked until the clerk gives a reason
to see them, which the resident's access record keeps), giving and ending roles, printing a sign-in slip, and acting
for a resident who is present (co-signing a proposal, signing up for a shift; the events record on_behalf_of)."""

from __future__ import annotations

import time
from typing import Annotated, Any
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.deliberation.commands import proposals as proposal_commands
from backend.i18n import gettext as _
from backend.kernel.authz import GRANTABLE, ROLES
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.residents import commands
from backend.residents.commands import SIGNIN_CODE_DAYS
from backend.residents.web.forms import ReasonForm, RevealForm, RoleForm, role_term
from backend.residents.web.views import REASON_LABELS, ROLE_LABELS, STATUS_LABELS, resident_in
from backend.volunteering import commands as volunteering
from backend.web.act import Form, FormBody, Refused, act, segment_of, text
from backend.web.auth import User, ctx_for, require
from backend.web.lockout import Lockout
from backend.web.pages import command_id_from, error_status, error_text, flash, has_session, now, render
from projections.community import queries as communities
from projections.deliberation import queries as proposal_views
from projections.residents import queries as residents
from projections.volunteering import queries as volunteering_views

REVEAL_SECONDS = 300  # how long the clear values stay shown on this session after the clerk gave a reason
REVEALED = "revealed"  # session key: {resident id: when the clerk's reason was recorded} (nothing personal)


def _revealed(request: Request[Any, Any, Any], resident_id: UUID) -> bool:
    shown = request.session.get(REVEALED, {}) if has_session(request) else {}
    return time.time() - float(shown.get(str(resident_id), 0)) < REVEAL_SECONDS


async def _resident_page(
    request: Request[Any, Any, Any], user: User, resident_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    row = await resident_in(user, resident_id)
    shown = _revealed(request, resident_id) and row["status"] != "erased"
    if shown:  # opened only now, for this page: the views keep them sealed
        row = (await residents.opened(request.app.state.runtime.personal, [row], id_number=True))[0]
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
        shown=shown,
        name=row["name"] if shown else row["name_masked"],
        phone_masked=row["phone"] if shown else row["phone_masked"],
        reason_labels=REASON_LABELS,
        role_labels=ROLE_LABELS,
        status_labels=STATUS_LABELS,
        grantable=GRANTABLE,
        granters=granters,
        proposals=[p for p in collecting if p["id"] not in cosigned],
        shifts=[
            s for s in shifts if taken.get(str(s["id"]), {}).get("status") not in ("seated", "waitlisted", "offered")
        ],
        code_days=SIGNIN_CODE_DAYS,
        lockout=await _lockout(request, row),
        **extra,
    )


async def _lockout(request: Request[Any, Any, Any], row: dict[str, Any]) -> Lockout | None:
    """The resident's sign-in lockouts, for the clerk (a resident who cannot sign in asks at the counter). The phone
    is opened here only to find the record; the page shows none of it unless revealed."""
    if row["status"] == "erased":
        return None
    phone = row.get("phone") or (await residents.opened(request.app.state.runtime.personal, [row]))[0]["phone"]
    found: Lockout = await request.app.state.signin_guard.lockout(phone) if phone else None
    return found if found and (found.locked_until or found.failures_last_hour) else None


def _refused_on_page(request: Request[Any, Any, Any], user: User, resident_id: UUID, where: str) -> Refused:
    """The resident's page again, with the refusal in the part of the page named `where` (role, code, assist)."""

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _resident_page(request, user, resident_id, error_status(error), **{where: error_text(error)})

    return refused


@get("/clerk/residents/{resident_id:uuid}", name="clerk.resident")
async def resident_page(request: Request[Any, Any, Any], resident_id: FromPath[UUID]) -> Template:
    user = await require(request, "resident.read_private")
    return await _resident_page(request, user, resident_id)


@post("/clerk/residents/{resident_id:uuid}/reveal", name="clerk.reveal")
async def reveal(
    request: Request[Any, Any, Any], resident_id: FromPath[UUID], data: URLEncodedBody[RevealForm]
) -> Response[Any]:
    """The clerk says why they need the resident's name, phone and ID number; the access is recorded (the resident
    sees it on their page) before the page shows them, for REVEAL_SECONDS on this session."""
    user = await require(request, "resident.read_private")
    await resident_in(user, resident_id)

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        done = await commands.record_access(rt, ctx, resident_id, "viewed", text(form, "reason"))
        shown = {k: v for k, v in request.session.get(REVEALED, {}).items() if time.time() - v < REVEAL_SECONDS}
        request.session[REVEALED] = {**shown, str(resident_id): time.time()}
        return done

    return await act(
        request,
        user,
        run,
        refused=_refused_on_page(request, user, resident_id, "reveal_error"),
        then=f"/clerk/residents/{resident_id}#details",
    )


@post("/clerk/residents/{resident_id:uuid}/roles", name="clerk.grant")
async def grant(
    request: Request[Any, Any, Any], resident_id: FromPath[UUID], data: URLEncodedBody[RoleForm]
) -> Response[Any]:
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
async def revoke(
    request: Request[Any, Any, Any],
    resident_id: FromPath[UUID],
    role: Annotated[str, segment_of(*ROLES)],
    data: URLEncodedBody[ReasonForm],
) -> Response[Any]:
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
async def issue_code(
    request: Request[Any, Any, Any], resident_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
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
        resident=(await residents.opened(request.app.state.runtime.personal, [row]))[0],  # the name on the slip
        url=url,
        qr=segno.make(url, error="m").svg_inline(scale=5, omitsize=True, title=_("Sign-in QR code")),
        days=SIGNIN_CODE_DAYS,
        community=await communities.by_id(user.community_id),
    )


@post("/clerk/residents/{resident_id:uuid}/cosign/{proposal_id:uuid}", name="clerk.assist.cosign")
async def assisted_cosign(
    request: Request[Any, Any, Any],
    resident_id: FromPath[UUID],
    proposal_id: FromPath[UUID],
    data: URLEncodedBody[FormBody],
) -> Response[Any]:
    """The clerk co-signs for a resident who is present; the event records on_behalf_of."""
    user = await require(request, "resident.assist")
    row = await resident_in(user, resident_id)
    return await act(
        request,
        user,
        lambda rt, ctx, form: proposal_commands.cosign(rt, ctx, proposal_id),
        refused=_refused_on_page(request, user, resident_id, "assist_error"),
        done=_("Co-signed for %(name)s.", name=row["name_masked"]),  # a flash waits in a file: masked
        then=f"/clerk/residents/{resident_id}",
        on_behalf_of=resident_id,
    )


@post("/clerk/residents/{resident_id:uuid}/signup/{shift_id:uuid}", name="clerk.assist.sign_up")
async def assisted_sign_up(
    request: Request[Any, Any, Any],
    resident_id: FromPath[UUID],
    shift_id: FromPath[UUID],
    data: URLEncodedBody[FormBody],
) -> Response[Any]:
    """The clerk signs up a resident who is present for a shift (the waitlist when it is full)."""
    user = await require(request, "resident.assist")
    row = await resident_in(user, resident_id)

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        done = await volunteering.sign_up(rt, ctx, shift_id, waitlist=True)
        # which flash depends on the answer (a seat, or the waitlist), so it is given here rather than by act()
        if done.result["status"] == "seated":
            flash(request, _("%(name)s has a seat.", name=row["name_masked"]), "success")
        else:
            flash(request, _("%(name)s is on the waitlist.", name=row["name_masked"]), "success")
        return done

    return await act(
        request,
        user,
        run,
        refused=_refused_on_page(request, user, resident_id, "assist_error"),
        then=f"/clerk/residents/{resident_id}",
        on_behalf_of=resident_id,
    )


routes = [resident_page, reveal, grant, revoke, issue_code, assisted_cosign, assisted_sign_up]
