"""The clerk's desk (居委会工作人员): verifying registrations, the household register and its import, registering at
the counter, roles, sign-in slips and acting for a resident who is present; and the street operator's overview."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from backend.deliberation import commands as proposal_commands
from backend.i18n import gettext as _
from backend.kernel.authz import GRANTABLE
from backend.kernel.errors import DomainError
from backend.kernel.masking import mask_phone
from backend.residents import commands
from backend.residents.commands import SIGNIN_CODE_DAYS, HouseholdRow
from backend.residents.register_file import read_register, split_members
from backend.residents.web import ROLE_LABELS, STATUS_LABELS, form_values, parse_uuid, registration_form
from backend.volunteering import commands as volunteering
from backend.web.auth import User, ctx_for, require
from backend.web.pages import command_id_from, error_status, flash, now, redirect, render
from projections import community as communities
from projections import deliberation as proposal_views
from projections import residents
from projections import volunteering as volunteering_views

IMPORT_MAX_BYTES = 4 * 1024 * 1024


async def _resident_in(user: User, resident_id: UUID) -> dict[str, Any]:
    row = await residents.by_id(resident_id)
    if row is None or row["community_id"] != user.community_id:
        raise NotFoundException(_("No such resident."))
    return row


# -- the desk: registrations waiting for verification -----------------------------------------------------------
async def _desk(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    pending = await residents.in_community(user.community_id, status="pending")
    registers = {r["household_id"]: await residents.household(r["household_id"]) for r in pending}
    housemates = {r["household_id"]: await residents.in_household(r["household_id"]) for r in pending}
    return await render(
        request,
        "residents/desk.html",
        status_code=status_code,
        pending=pending,
        registers=registers,
        housemates=housemates,
        counts=await residents.counts(user.community_id),
        community=await communities.by_id(user.community_id),
        mask_phone=mask_phone,
        **extra,
    )


@get("/clerk", name="clerk.desk")
async def desk(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "resident.read_private")
    return await _desk(request, user)


@post("/clerk/registrations/{resident_id:uuid}/verify", name="clerk.verify")
async def verify(request: Request[Any, Any, Any], resident_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "resident.verify")
    form = await request.form()
    row = await _resident_in(user, resident_id)
    try:
        await commands.verify(request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), resident_id)
    except DomainError as error:
        return await _desk(request, user, error_status(error), errors={str(resident_id): _(error.message)})
    flash(request, _("%(name)s is verified.", name=row["name"]), "success")
    return redirect("/clerk")


@post("/clerk/registrations/{resident_id:uuid}/reject", name="clerk.reject")
async def reject(request: Request[Any, Any, Any], resident_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "resident.verify")
    form = await request.form()
    row = await _resident_in(user, resident_id)
    try:
        await commands.reject(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            resident_id,
            str(form.get("reason", "")),
        )
    except DomainError as error:
        return await _desk(request, user, error_status(error), errors={str(resident_id): _(error.message)})
    flash(request, _("The registration of %(name)s was rejected.", name=row["name"]), "success")
    return redirect("/clerk")


# -- residents ------------------------------------------------------------------------------------------------------
@get("/clerk/residents", name="clerk.residents")
async def resident_list(request: Request[Any, Any, Any], q: FromQuery[str] = "") -> Template:
    user = await require(request, "resident.read_private")
    rows = await residents.in_community(user.community_id, query=q[:30])
    return await render(
        request, "residents/list.html", rows=rows, q=q, mask_phone=mask_phone, status_labels=STATUS_LABELS
    )


@get("/clerk/residents/new", name="clerk.counter")
async def counter_form(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "resident.register_at_counter")
    place = await communities.by_id(user.community_id)
    return await registration_form(request, place or {}, {}, {}, counter=True)


@post("/clerk/residents/new", name="clerk.counter.submit")
async def counter_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    """Register and verify a resident who is at the counter, in one step (the password may be left empty)."""
    user = await require(request, "resident.register_at_counter")
    place = await communities.by_id(user.community_id) or {}
    form = await request.form()
    values = form_values(form)
    try:
        household_id = parse_uuid(values["household_id"])
        result = await commands.register(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            values["name"],
            values["phone"],
            household_id,
            values["password"],
            values["id_number"],
            verified=True,
        )
    except DomainError as error:
        return await registration_form(
            request, place, values, {error.field or "form": _(error.message)}, error_status(error), counter=True
        )
    flash(request, _("%(name)s is registered and verified.", name=values["name"]), "success")
    return redirect(f"/clerk/residents/{result.result['resident_id']}")


async def _resident_page(
    request: Request[Any, Any, Any], user: User, resident_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    row = await _resident_in(user, resident_id)
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


@get("/clerk/residents/{resident_id:uuid}", name="clerk.resident")
async def resident_page(request: Request[Any, Any, Any], resident_id: FromPath[UUID]) -> Template:
    user = await require(request, "resident.read_private")
    return await _resident_page(request, user, resident_id)


@post("/clerk/residents/{resident_id:uuid}/roles", name="clerk.grant")
async def grant(request: Request[Any, Any, Any], resident_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "resident.grant_role")
    await _resident_in(user, resident_id)
    form = await request.form()
    role = str(form.get("role", ""))
    try:
        if role not in GRANTABLE:
            raise DomainError("Unknown role.", "role")
        until_text = str(form.get("until", "")).strip()
        try:
            until = date.fromisoformat(until_text) if until_text else None
        except ValueError:
            raise DomainError("Please enter a date like 2027-12-31.", "until") from None
        await commands.grant_role(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), resident_id, role, until
        )
    except DomainError as error:
        return await _resident_page(request, user, resident_id, error_status(error), role_error=_(error.message))
    flash(request, _("Role given: %(role)s.", role=_(ROLE_LABELS[role])), "success")
    return redirect(f"/clerk/residents/{resident_id}")


@post("/clerk/residents/{resident_id:uuid}/roles/{role:str}/revoke", name="clerk.revoke")
async def revoke(request: Request[Any, Any, Any], resident_id: FromPath[UUID], role: FromPath[str]) -> Response[Any]:
    user = await require(request, "resident.grant_role")
    await _resident_in(user, resident_id)
    form = await request.form()
    try:
        await commands.revoke_role(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            resident_id,
            role,
            str(form.get("reason", "")),
        )
    except DomainError as error:
        return await _resident_page(request, user, resident_id, error_status(error), role_error=_(error.message))
    flash(request, _("Role ended: %(role)s.", role=_(ROLE_LABELS.get(role, role))), "success")
    return redirect(f"/clerk/residents/{resident_id}")


@post("/clerk/residents/{resident_id:uuid}/code", name="clerk.code")
async def issue_code(request: Request[Any, Any, Any], resident_id: FromPath[UUID]) -> Response[Any]:
    """Issue a one-time sign-in code and show it as a printable slip with a QR code (shown this once)."""
    user = await require(request, "resident.issue_signin_code")
    row = await _resident_in(user, resident_id)
    form = await request.form()
    try:
        code = await commands.issue_signin_code(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), resident_id
        )
    except DomainError as error:
        return await _resident_page(request, user, resident_id, error_status(error), code_error=_(error.message))
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
    row = await _resident_in(user, resident_id)
    form = await request.form()
    try:
        await proposal_commands.cosign(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form), on_behalf_of=resident_id),
            proposal_id,
        )
    except DomainError as error:
        return await _resident_page(request, user, resident_id, error_status(error), assist_error=_(error.message))
    flash(request, _("Co-signed for %(name)s.", name=row["name"]), "success")
    return redirect(f"/clerk/residents/{resident_id}")


@post("/clerk/residents/{resident_id:uuid}/signup/{shift_id:uuid}", name="clerk.assist.sign_up")
async def assisted_sign_up(
    request: Request[Any, Any, Any], resident_id: FromPath[UUID], shift_id: FromPath[UUID]
) -> Response[Any]:
    """The clerk signs up a resident who is present for a shift (the waitlist when it is full)."""
    user = await require(request, "resident.assist")
    row = await _resident_in(user, resident_id)
    form = await request.form()
    try:
        done = await volunteering.sign_up(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form), on_behalf_of=resident_id),
            shift_id,
            waitlist=True,
        )
    except DomainError as error:
        return await _resident_page(request, user, resident_id, error_status(error), assist_error=_(error.message))
    if done.result["status"] == "seated":
        flash(request, _("%(name)s has a seat.", name=row["name"]), "success")
    else:
        flash(request, _("%(name)s is on the waitlist.", name=row["name"]), "success")
    return redirect(f"/clerk/residents/{resident_id}")


# -- the household register ------------------------------------------------------------------------------------------
async def _households(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    return await render(
        request,
        "residents/households.html",
        status_code=status_code,
        households=await residents.households(user.community_id),
        values=extra.pop("values", {}),
        **extra,
    )


@get("/clerk/households", name="clerk.households")
async def households(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "resident.read_private")
    return await _households(request, user)


@post("/clerk/households", name="clerk.households.add")
async def add_household(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require(request, "household.edit")
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("building", "unit", "room", "members")}
    try:
        row = HouseholdRow(0, values["building"], values["unit"], values["room"], split_members(values["members"]))
        done = await commands.import_households(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), [row]
        )
    except DomainError as error:
        return await _households(request, user, error_status(error), values=values, add_error=_(error.message))
    if done.result.get("added") == "1":
        flash(request, _("Household added."), "success")
    else:
        flash(request, _("This household is already in the register; its members were brought up to date."), "info")
    return redirect("/clerk/households")


@post("/clerk/households/import", name="clerk.households.import", request_max_body_size=IMPORT_MAX_BYTES)
async def import_register(request: Request[Any, Any, Any]) -> Response[Any]:
    """Import a CSV/XLSX register. With bad rows nothing is imported unless the clerk chose "only the good rows";
    importing the same file again adds nothing."""
    user = await require(request, "household.edit")
    form = await request.form()
    upload = form.get("file")
    good_only = form.get("mode") == "good"
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise DomainError("Please choose a CSV or XLSX file.", "file")
        parsed = read_register(upload.filename, await upload.read())
        if parsed.errors and not good_only:
            return await _households(request, user, 422, row_errors=parsed.errors, imported=None, good_only=False)
        done = await commands.import_households(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), parsed.rows
        )
    except DomainError as error:
        return await _households(request, user, error_status(error), import_error=_(error.message))
    return await _households(request, user, row_errors=parsed.errors, imported=done.result, good_only=good_only)


# -- the street operator's overview -----------------------------------------------------------------------------------
@get("/street", name="street.overview")
async def street_overview(request: Request[Any, Any, Any]) -> Template:
    """The communities of the operator's street with their registers' state; nothing of other streets."""
    user = await require(request, "street.oversee")
    places = await communities.in_streets(list(user.streets))
    from backend.disclosure.web import DUE_KINDS, street_rows

    disclosure = await street_rows(places)
    rows = [{**place, **await residents.counts(place["id"]), **d} for place, d in zip(places, disclosure, strict=True)]
    return await render(request, "residents/street.html", communities=rows, streets=user.streets, due_kinds=DUE_KINDS)


routes = [
    desk,
    verify,
    reject,
    resident_list,
    counter_form,
    counter_submit,
    resident_page,
    grant,
    revoke,
    issue_code,
    assisted_cosign,
    assisted_sign_up,
    households,
    add_household,
    import_register,
    street_overview,
]
