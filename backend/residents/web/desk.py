"""The clerk's desk (居委会工作人员): verifying registrations, the list of residents, and registering a resident who
is at the counter."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.masking import mask_name, mask_phone
from backend.residents import commands
from backend.residents.web.forms import ReasonForm, RegistrationForm, form_values, parse_uuid
from backend.residents.web.views import STATUS_LABELS, registration_form, resident_in
from backend.web.act import Form, FormBody, Refused, act, text
from backend.web.auth import User, require
from backend.web.pages import error_status, error_text, render
from projections.community import queries as communities
from projections.residents import queries as residents


# -- the desk: registrations waiting for verification -----------------------------------------------------------
async def _desk(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    personal = request.app.state.runtime.personal  # the clerk compares names with the register: opened here
    pending = await residents.in_community(personal, user.community_id, status="pending")
    registers = {r["household_id"]: await residents.household(personal, r["household_id"]) for r in pending}
    housemates = {r["household_id"]: await residents.in_household(personal, r["household_id"]) for r in pending}
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


def _refused_on_desk(request: Request[Any, Any, Any], user: User, resident_id: UUID) -> Refused:
    """The desk again, with the refusal beside the registration it is about."""

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _desk(request, user, error_status(error), errors={str(resident_id): error_text(error)})

    return refused


@get("/clerk", name="clerk.desk")
async def desk(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "resident.read_private")
    return await _desk(request, user)


@post("/clerk/registrations/{resident_id:uuid}/verify", name="clerk.verify")
async def verify(
    request: Request[Any, Any, Any], resident_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    user = await require(request, "resident.verify")
    row = await resident_in(user, resident_id)
    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.verify(rt, ctx, resident_id),
        refused=_refused_on_desk(request, user, resident_id),
        done=_("%(name)s is verified.", name=row["name_masked"]),  # a flash waits in a file: masked
        then="/clerk",
    )


@post("/clerk/registrations/{resident_id:uuid}/reject", name="clerk.reject")
async def reject(
    request: Request[Any, Any, Any], resident_id: FromPath[UUID], data: URLEncodedBody[ReasonForm]
) -> Response[Any]:
    user = await require(request, "resident.verify")
    row = await resident_in(user, resident_id)
    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.reject(rt, ctx, resident_id, text(form, "reason")),
        refused=_refused_on_desk(request, user, resident_id),
        done=_("The registration of %(name)s was rejected.", name=row["name_masked"]),
        then="/clerk",
    )


# -- residents ------------------------------------------------------------------------------------------------------
@get("/clerk/residents", name="clerk.residents")
async def resident_list(request: Request[Any, Any, Any], q: FromQuery[str] = "") -> Template:
    user = await require(request, "resident.read_private")
    rows = await residents.in_community(request.app.state.runtime.personal, user.community_id, query=q[:30])
    return await render(
        request, "residents/list.html", rows=rows, q=q, mask_phone=mask_phone, status_labels=STATUS_LABELS
    )


@get("/clerk/residents/new", name="clerk.counter")
async def counter_form(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "resident.register_at_counter")
    place = await communities.by_id(user.community_id)
    return await registration_form(request, place or {}, {}, {}, counter=True)


@post("/clerk/residents/new", name="clerk.counter.submit")
async def counter_submit(request: Request[Any, Any, Any], data: URLEncodedBody[RegistrationForm]) -> Response[Any]:
    """Register and verify a resident who is at the counter, in one step (the password may be left empty)."""
    user = await require(request, "resident.register_at_counter")
    place = await communities.by_id(user.community_id) or {}
    values = form_values(await request.form())

    async def refused(error: DomainError, _form: Form) -> Template:
        errors = {error.field or "form": error_text(error)}
        return await registration_form(request, place, values, errors, error_status(error), counter=True)

    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.register(
            rt,
            ctx,
            values["name"],
            values["phone"],
            parse_uuid(values["household_id"]),
            values["password"],
            values["id_number"],
            verified=True,
        ),
        refused=refused,
        done=_("%(name)s is registered and verified.", name=mask_name(values["name"])),
        then=lambda done: f"/clerk/residents/{done.result['resident_id']}",
    )


routes = [desk, verify, reject, resident_list, counter_form, counter_submit]
