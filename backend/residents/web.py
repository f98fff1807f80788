"""Sign-in and sign-out (foundation: phone + password; demo accounts listed in demo mode only)."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.masking import mask_phone
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands
from backend.residents.commands import verify_password
from backend.residents.domain import normalise_phone
from backend.web.auth import SignInGuard, ctx_for, current_user, sign_out_everywhere
from backend.web.pages import command_id_from, error_status, flash, now, redirect, render, safe_next
from projections import community as communities
from projections import deliberation as proposal_views
from projections import residents

ROLE_LABELS = {
    "resident": N_("Resident"),
    "representative": N_("Representative"),
    "party_member": N_("Party member"),
    "party_committee": N_("Party branch committee"),
    "committee_member": N_("Committee member"),
    "supervisor": N_("Supervisor"),
    "volunteer_leader": N_("Volunteer leader"),
    "service_provider": N_("Service provider"),
    "clerk": N_("Clerk"),
    "street_operator": N_("Street operator"),
}


STATUS_LABELS = {
    "pending": N_("Waiting for verification"),
    "verified": N_("Verified"),
    "rejected": N_("Rejected"),
    "erased": N_("Erased"),
}


async def _signin_page(
    request: Request[Any, Any, Any], next_path: str, phone: str = "", error: str = "", status_code: int = 200
) -> Template:
    demo_accounts: list[dict[str, Any]] = []
    if request.app.state.runtime.settings.demo:
        from backend.demo import DEMO_ACCOUNTS_SHOWN, DEMO_PASSWORD

        today = datetime.now(LOCAL_ZONE).date()
        every = await residents.all_residents(limit=200)
        rows = every[:DEMO_ACCOUNTS_SHOWN] + [r for r in every[DEMO_ACCOUNTS_SHOWN:] if r["roles"]]
        demo_accounts = [
            {
                "phone": r["phone"],
                "name": r["name"],
                "household": r["household"],
                "roles": residents.roles_in_force(r, today),
            }
            for r in rows
        ]
        demo_password = DEMO_PASSWORD
    else:
        demo_password = ""
    return await render(
        request,
        "residents/signin.html",
        status_code=status_code,
        next=next_path,
        phone=phone,
        error=error,
        demo_accounts=demo_accounts,
        demo_password=demo_password,
        role_labels=ROLE_LABELS,
    )


@get("/signin", name="signin")
async def signin_form(request: Request[Any, Any, Any], next: FromQuery[str | None] = None) -> Template:
    return await _signin_page(request, safe_next(next, "/proposals"))


@post("/signin", name="signin.submit")
async def signin(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    next_path = safe_next(str(form.get("next", "")), "/proposals")
    raw_phone = str(form.get("phone", ""))
    try:
        phone = normalise_phone(raw_phone)
    except DomainError as error:
        return await _signin_page(request, next_path, raw_phone, _(error.message), 422)
    guard: SignInGuard = request.app.state.signin_guard
    wait = await guard.locked_for(phone)
    if wait:
        message = _("Too many wrong passwords. Try again in %(minutes)s minutes.", minutes=wait // 60 + 1)
        return await _signin_page(request, next_path, raw_phone, message, 429)
    row = await residents.by_phone(phone)
    if row is None or not verify_password(row["password_hash"], str(form.get("password", ""))):
        await guard.failed(phone)
        return await _signin_page(request, next_path, raw_phone, _("Wrong phone number or password."), 401)
    await guard.succeeded(phone)
    request.clear_session()
    request.set_session({"resident_id": str(row["id"]), "since": time.time()})
    flash(request, _("Signed in as %(name)s (%(phone)s).", name=row["name"], phone=mask_phone(phone)), "success")
    return redirect(next_path)


@post("/signout", name="signout")
async def signout(request: Request[Any, Any, Any]) -> Response[Any]:
    request.clear_session()
    return redirect("/proposals")


async def _me_page(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await current_user(request)
    assert user is not None
    row = await residents.by_id(user.id)
    activity = await proposal_views.by_resident(user.id)
    titles = await proposal_views.titles(c["proposal_id"] for c in activity["cosigns"])
    helpers = await residents.masked_names(c["actor_id"] for c in activity["cosigns"] if c["on_behalf_of"])
    context: dict[str, Any] = {
        "resident": row,
        "phone_masked": mask_phone(row["phone"]) if row else "",
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
        return redirect("/signin?next=/me")
    return await _me_page(request)


@post("/me/resubmit", name="me.resubmit")
async def resubmit_registration(request: Request[Any, Any, Any]) -> Response[Any]:
    """A rejected resident picks the right household and sends the registration again."""
    user = await current_user(request)
    if user is None:
        return redirect("/signin?next=/me")
    form = await request.form()
    try:
        household_id = parse_uuid(form.get("household_id"))
        await commands.resubmit(request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), household_id)
    except DomainError as error:
        picker = await household_picker(
            user.community_id, str(form.get("building", "")), str(form.get("unit", "")), None
        )
        return await _me_page(request, 422, **picker, resubmit_error=_(error.message))
    flash(request, _("Your registration was sent again. A clerk will check it."), "success")
    return redirect("/me")


@post("/me/password", name="me.password")
async def set_password(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await current_user(request)
    if user is None:
        return redirect("/signin?next=/me")
    form = await request.form()
    try:
        await commands.set_password(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), str(form.get("password", ""))
        )
    except DomainError as error:
        return await _me_page(request, 422, password_error=_(error.message))
    flash(request, _("Your password was saved."), "success")
    return redirect("/me")


@post("/signout/everywhere", name="signout.everywhere")
async def signout_everywhere(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await current_user(request)
    if user is not None:
        await sign_out_everywhere(request.app.stores.get("security"), str(user.id))
    request.clear_session()
    flash(request, _("You have been signed out on every phone and computer."), "success")
    return redirect("/signin")


@get("/me/data.json", name="me.data")
async def my_data(request: Request[Any, Any, Any]) -> Response[Any]:
    """Everything the views hold about the signed-in resident, as a download."""
    user = await current_user(request)
    if user is None:
        return redirect("/signin?next=/me")
    row = await residents.by_id(user.id) or {}
    data = {
        "resident": {
            k: row.get(k)
            for k in ("id", "community_id", "name", "phone", "household", "status", "reject_reason", "roles")
        }
        | {"id_number": "given (sealed; never shown)" if row.get("has_id_number") else "not given"},
        **await proposal_views.by_resident(user.id),
    }
    return Response(
        content=json.dumps(data, ensure_ascii=False, indent=2, default=str),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="linli-my-data.json"', "Cache-Control": "no-store"},
    )


@post("/me/erase", name="me.erase")
async def erase_me(request: Request[Any, Any, Any]) -> Response[Any]:
    """注销: the resident erases their own personal data (the key that sealed it is deleted)."""
    user = await current_user(request)
    if user is None:
        return redirect("/signin?next=/me")
    form = await request.form()
    if form.get("confirm") != "yes":
        return await _me_page(request, 422, erase_error=_("Please tick the box to confirm."))
    await commands.erase(request.app.state.runtime, Ctx(user.community_id, user.id, now()), user.id)
    request.clear_session()
    flash(request, _("Your personal data has been erased."), "success")
    return redirect("/proposals")


# -- self-registration -------------------------------------------------------------------------------------------
async def household_picker(community_id: UUID, building: str, unit: str, household_id: UUID | None) -> dict[str, Any]:
    """Building → unit → room choices from the register; each level offered once the one before is chosen."""
    buildings = await residents.buildings(community_id)
    building = building if building in buildings else ""
    units = await residents.units(community_id, building) if building else []
    with_units = any(units)
    unit = unit if unit in units else ""
    rooms = await residents.rooms(community_id, building, unit) if building and (unit or not with_units) else []
    place = await communities.by_id(community_id)
    return {
        "picker": {
            "community_code": place["code"] if place else "",
            "buildings": buildings,
            "building": building,
            "units": units if with_units else [],
            "unit": unit,
            "rooms": rooms,
            "household_id": household_id,
        }
    }


async def _registration_community(code: str | None) -> dict[str, Any]:
    every = await communities.all_communities()
    chosen = next((c for c in every if c["code"] == code), None) or (every[0] if every else None)
    if chosen is None:
        raise NotFoundException(_("No community has been set up yet."))
    return chosen


async def registration_form(
    request: Request[Any, Any, Any],
    community: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    counter: bool = False,
) -> Template:
    try:
        household_id: UUID | None = UUID(values.get("household_id", ""))
    except ValueError:
        household_id = None
    picker = await household_picker(community["id"], values.get("building", ""), values.get("unit", ""), household_id)
    return await render(
        request,
        "residents/counter.html" if counter else "residents/register.html",
        status_code=status_code,
        community=community,
        communities=await communities.all_communities(),
        values=values,
        errors=errors,
        counter=counter,
        **picker,
    )


FIELDS = ("name", "phone", "password", "id_number", "building", "unit", "household_id", "community")


def form_values(form: Any) -> dict[str, str]:
    return {key: str(form.get(key, "")).strip() for key in FIELDS}


def parse_uuid(value: object, field: str = "household") -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise DomainError("Please choose your room.", field) from None


@get("/register", name="register")
async def register_form(request: Request[Any, Any, Any], community: FromQuery[str | None] = None) -> Template:
    place = await _registration_community(community)
    return await registration_form(request, place, {"community": place["code"]}, {})


@get("/register/household", name="register.household")
async def household_choices(
    request: Request[Any, Any, Any],
    community: FromQuery[str | None] = None,
    building: FromQuery[str] = "",
    unit: FromQuery[str] = "",
) -> Template:
    """The picker fragment htmx swaps in when a building or unit is chosen."""
    place = await _registration_community(community)
    picker = await household_picker(place["id"], building, unit, None)
    return await render(request, "residents/_household.html", **picker)


@post("/register", name="register.submit")
async def register_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    values = form_values(form)
    place = await _registration_community(values["community"])
    try:
        household_id = parse_uuid(values["household_id"])
        result = await commands.register(
            request.app.state.runtime,
            Ctx(place["id"], None, now(), command_id=command_id_from(form)),
            values["name"],
            values["phone"],
            household_id,
            values["password"],
            values["id_number"],
        )
    except DomainError as error:
        status = error_status(error)
        return await registration_form(request, place, values, {error.field or "form": _(error.message)}, status)
    request.clear_session()
    request.set_session({"resident_id": result.result["resident_id"], "since": time.time()})
    flash(request, _("Thank you. A clerk will check your registration against the household register."), "success")
    return redirect("/me")


# -- one-time sign-in codes --------------------------------------------------------------------------------------
async def _code_state(request: Request[Any, Any, Any], code: str) -> tuple[dict[str, Any] | None, str]:
    rt = request.app.state.runtime
    row = await residents.signin_code(commands.signin_code_id(rt, code))
    if row is None:
        return None, _("This sign-in code is not valid.")
    if row["used"]:
        return None, _("This sign-in code has already been used. Ask the committee for a new one.")
    if row["expires_at"] <= now():
        return None, _("This sign-in code has expired. Ask the committee for a new one.")
    return row, ""


@get("/signin/code/{code:str}", name="signin.code")
async def code_page(request: Request[Any, Any, Any], code: FromPath[str]) -> Template:
    """Where the QR code on a sign-in slip leads: one tap to sign in on this phone."""
    row, problem = await _code_state(request, code)
    names = await residents.masked_names([row["resident_id"]]) if row else {}
    return await render(
        request,
        "residents/code_signin.html",
        status_code=200 if row else 410,
        code=code,
        problem=problem,
        name=names.get(str(row["resident_id"]), "") if row else "",
    )


@post("/signin/code/{code:str}", name="signin.code.use")
async def code_signin(request: Request[Any, Any, Any], code: FromPath[str]) -> Response[Any]:
    row, problem = await _code_state(request, code)
    if row is None:
        return await render(request, "residents/code_signin.html", status_code=410, code=code, problem=problem)
    try:
        resident_id = await commands.use_signin_code(
            request.app.state.runtime, Ctx(row["community_id"], None, now()), code
        )
    except DomainError as error:
        return await render(request, "residents/code_signin.html", status_code=410, code=code, problem=_(error.message))
    request.clear_session()
    request.set_session({"resident_id": str(resident_id), "since": time.time()})
    flash(request, _("You are signed in on this phone."), "success")
    return redirect("/me")


routes = [
    signin_form,
    signin,
    signout,
    me,
    resubmit_registration,
    set_password,
    my_data,
    signout_everywhere,
    erase_me,
    register_form,
    household_choices,
    register_submit,
    code_page,
    code_signin,
]


def signin_rate_limit(per_minute: int) -> RateLimitConfig:
    """Sign-in attempts per client address and minute, on top of the per-phone lockout."""

    async def counts(request: Request[Any, Any, Any]) -> bool:  # on every request: async (no thread), the scope
        return request.scope["method"] == "POST" and request.scope["path"] == "/signin"

    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        check_throttle_handler=counts,
        store="signin_rate",
        set_rate_limit_headers=False,
    )
