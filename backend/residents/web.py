"""Sign-in and sign-out (foundation: phone + password; demo accounts listed in demo mode only)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromQuery
from litestar.response import Template

from backend.auth import SignInGuard, current_user, forget_user, sign_out_everywhere
from backend.eventstore import Ctx, DomainError
from backend.i18n import N_
from backend.i18n import gettext as _
from backend.masking import mask_phone
from backend.pages import flash, redirect, render, safe_next
from backend.residents.commands import erase, verify_password
from backend.residents.domain import normalise_phone
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


async def _signin_page(
    request: Request[Any, Any, Any], next_path: str, phone: str = "", error: str = "", status_code: int = 200
) -> Template:
    demo_accounts: list[dict[str, Any]] = []
    if request.app.state.runtime.settings.demo:
        from backend.demo import DEMO_ACCOUNTS_SHOWN, DEMO_PASSWORD

        rows = await residents.all_residents(limit=DEMO_ACCOUNTS_SHOWN)
        demo_accounts = [
            {"phone": r["phone"], "name": r["name"], "household": r["household"], "roles": r["roles"]} for r in rows
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


@get("/me", name="me")
async def me(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await current_user(request)
    if user is None:
        return redirect("/signin?next=/me")
    row = await residents.by_id(user.id)
    return await render(
        request,
        "residents/me.html",
        resident=row,
        phone_masked=mask_phone(row["phone"]) if row else "",
        role_labels=ROLE_LABELS,
    )


@post("/signout/everywhere", name="signout.everywhere")
async def signout_everywhere(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await current_user(request)
    if user is not None:
        await sign_out_everywhere(request.app.stores.get("security"), str(user.id))
    request.clear_session()
    flash(request, _("You have been signed out on every phone and computer."), "success")
    return redirect("/signin")


@post("/me/erase", name="me.erase")
async def erase_me(request: Request[Any, Any, Any]) -> Response[Any]:
    """注销: the resident erases their own personal data (the key that sealed it is deleted)."""
    user = await current_user(request)
    if user is None:
        return redirect("/signin?next=/me")
    form = await request.form()
    if form.get("confirm") != "yes":
        row = await residents.by_id(user.id)
        return await render(
            request,
            "residents/me.html",
            status_code=422,
            resident=row,
            role_labels=ROLE_LABELS,
            phone_masked=mask_phone(row["phone"]) if row else "",
            erase_error=_("Please tick the box to confirm."),
        )
    await erase(request.app.state.runtime, Ctx(user.community_id, user.id, datetime.now(UTC)), user.id)
    forget_user(str(user.id))
    request.clear_session()
    flash(request, _("Your personal data has been erased."), "success")
    return redirect("/proposals")


routes = [signin_form, signin, signout, me, signout_everywhere, erase_me]


def signin_rate_limit(per_minute: int) -> RateLimitConfig:
    """Sign-in attempts per client address and minute, on top of the per-phone lockout."""

    def counts(request: Request[Any, Any, Any]) -> bool:
        return request.method == "POST" and request.url.path == "/signin"

    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        check_throttle_handler=counts,
        store="signin_rate",
        set_rate_limit_headers=False,
    )
