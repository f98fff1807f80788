"""Self-registration: the form, the household picker htmx swaps in, and sending it (a clerk then verifies it)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.residents import commands
from backend.residents.web.forms import RegistrationForm, form_values, parse_uuid
from backend.residents.web.views import household_picker, registration_form
from backend.web.auth import start_session
from backend.web.pages import command_id_from, error_status, flash, now, redirect, render
from projections.community import queries as communities


async def _registration_community(code: str | None) -> dict[str, Any]:
    asked = await communities.by_code(code) if code else None
    chosen = asked or await communities.first_community()
    if chosen is None:
        raise NotFoundException(_("No community has been set up yet."))
    return chosen


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
async def register_submit(request: Request[Any, Any, Any], data: URLEncodedBody[RegistrationForm]) -> Response[Any]:
    """No one is signed in yet (act() is for a signed-in user): the newcomer registers, and is signed in."""
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
    start_session(request, result.result["resident_id"])  # pending: no roles yet
    flash(request, _("Thank you. A clerk will check your registration against the household register."), "success")
    return redirect("/me")


routes = [register_form, household_choices, register_submit]
