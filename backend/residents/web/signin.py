"""Sign-in and sign-out (foundation: phone + password; demo accounts listed in demo mode only), signing in with a
one-time code from a slip, and signing out everywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.masking import mask_phone
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands
from backend.residents.commands import verify_password
from backend.residents.domain.checks import normalise_phone
from backend.residents.web.forms import SignInForm
from backend.residents.web.views import ROLE_LABELS
from backend.web.act import FormBody
from backend.web.auth import current_user, sign_out_everywhere, start_session
from backend.web.lockout import FAILURES_ALLOWED, SignInGuard
from backend.web.pages import flash, now, redirect, render, safe_next
from projections.residents import queries as residents


async def _signin_page(
    request: Request[Any, Any, Any], next_path: str, phone: str = "", error: str = "", status_code: int = 200
) -> Template:
    demo_accounts: list[dict[str, Any]] = []
    if request.app.state.runtime.settings.demo:
        from backend.demo import DEMO_ACCOUNTS_SHOWN, DEMO_PASSWORD

        today = datetime.now(LOCAL_ZONE).date()
        every = await residents.all_residents(request.app.state.runtime.personal, limit=200)
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
    return await _signin_page(request, safe_next(next, "/"))


@post("/signin", name="signin.submit")
async def signin(request: Request[Any, Any, Any], data: URLEncodedBody[SignInForm]) -> Response[Any]:
    form = await request.form()
    next_path = safe_next(str(form.get("next", "")), "/")
    raw_phone = str(form.get("phone", ""))
    try:
        phone = normalise_phone(raw_phone)
    except DomainError as error:
        return await _signin_page(request, next_path, raw_phone, _(error.message), 422)
    guard: SignInGuard = request.app.state.signin_guard
    address = request.client.host if request.client else ""
    wait = await guard.locked_for(phone, address)
    if wait:
        if wait < 60:
            message = _("Too many wrong passwords. Try again in %(seconds)s seconds.", seconds=wait)
        else:
            message = _("Too many wrong passwords. Try again in %(minutes)s minutes.", minutes=wait // 60 + 1)
        return await _signin_page(request, next_path, raw_phone, message, 429)
    row = await residents.by_phone(request.app.state.runtime.personal, phone)
    if row is None or not verify_password(row["password_hash"], str(form.get("password", ""))):
        left = await guard.failed(phone, address)
        message = _("Wrong phone number or password.")
        if 0 < left < FAILURES_ALLOWED - 1:  # warn before the lockout, not at the first slip
            message += " " + _("%(left)s more tries before this phone is locked here for 15 minutes.", left=left)
        elif left == 0:
            message += " " + _("This phone is now locked here for 15 minutes.")
        return await _signin_page(request, next_path, raw_phone, message, 401)
    await guard.succeeded(phone)
    start_session(request, row["id"], residents.roles_in_force(row, datetime.now(LOCAL_ZONE).date()))
    # The flash waits in the session's file until the next page: masked, as nothing personal is kept there in clear.
    flash(request, _("Signed in as %(name)s (%(phone)s).", name=row["name_masked"], phone=mask_phone(phone)), "success")
    return redirect(next_path)


# The page after signing out says so in its address: the phone's script then drops the pages the service worker kept
# (frontend/static/js/app.js), so that a shared phone shows no one's bookings offline after 退出 (issue 23).
SIGNED_OUT = "signed-out=1"


@post("/signout", name="signout")
async def signout(request: Request[Any, Any, Any], data: URLEncodedBody[FormBody]) -> Response[Any]:
    request.clear_session()
    return redirect(f"/proposals?{SIGNED_OUT}")


@post("/signout/everywhere", name="signout.everywhere")
async def signout_everywhere(request: Request[Any, Any, Any], data: URLEncodedBody[FormBody]) -> Response[Any]:
    user = await current_user(request)
    if user is not None:
        await sign_out_everywhere(request.app.stores.get("security"), str(user.id))
    request.clear_session()
    flash(request, _("You have been signed out on every phone and computer."), "success")
    return redirect(f"/signin?{SIGNED_OUT}")


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
async def code_signin(
    request: Request[Any, Any, Any], code: FromPath[str], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    row, problem = await _code_state(request, code)
    if row is None:
        return await render(request, "residents/code_signin.html", status_code=410, code=code, problem=problem)
    try:
        resident_id = await commands.use_signin_code(
            request.app.state.runtime, Ctx(row["community_id"], None, now()), code
        )
    except DomainError as error:
        return await render(request, "residents/code_signin.html", status_code=410, code=code, problem=_(error.message))
    signed_in = await residents.by_id(resident_id)
    roles = residents.roles_in_force(signed_in, datetime.now(LOCAL_ZONE).date()) if signed_in else ()
    start_session(request, resident_id, roles)
    flash(request, _("You are signed in on this phone."), "success")
    return redirect("/me")


routes = [signin_form, signin, signout, signout_everywhere, code_page, code_signin]


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
