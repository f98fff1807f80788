"""Routes of the admission list (准入清单): the list on the board (public, per community: its street's items in
force today, with basis, department and the funding flag), and the street operator's page: the list in force and
the edits to come, add / change / remove an item (each edit naming its basis and effective day), and the decisions
on the departments' applications (申请准入)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text
from backend.web.auth import User, require
from backend.web.pages import board_community, error_status, error_text, render, today
from backend.workload.commands import admission
from backend.workload.domain.admission import KINDS
from backend.workload.web.admission_forms import (
    DecisionForm,
    ItemForm,
    RemoveForm,
    effective_of,
    item_of,
    values_of,
)
from projections.casework import plan_queries as casework
from projections.workload.admission import queries as lists

STREET = "/street/admission"


def _named(user: User, asked: str) -> str:
    """The street asked for, if the operator's (the command checks it again), else their first."""
    return asked if asked in user.streets else (user.streets[0] if user.streets else asked)


@get("/board/admission", name="admission.board")
async def board(request: Request[Any, Any, Any], community: FromQuery[str | None] = None) -> Template:
    place = await board_community(request, community)
    street = place.get("street") or ""
    units = await casework.department_names([d["id"] for d in await casework.departments(street)]) if street else {}
    return await render(
        request,
        "workload/admission_board.html",
        community=place,
        street=street,
        items=await lists.listed(street, today()) if street else [],
        unit_names=units,
        day=today(),
    )


async def _show(
    request: Request[Any, Any, Any], user: User, asked: str, status_code: int = 200, **extra: Any
) -> Template:
    street = _named(user, asked)
    day = today()
    units = await casework.departments(street) if street else []
    return await render(
        request,
        "workload/admission_street.html",
        status_code=status_code,
        street=street,
        streets=user.streets,
        items=await lists.listed(street, day) if street else [],
        coming=await lists.coming(street, day) if street else [],
        history=list(reversed(await lists.edits(street)))[:50] if street else [],
        applications=await lists.applications(street) if street else [],
        units=units,
        unit_names={str(u["id"]): u["name"] for u in units},
        kinds=KINDS,
        today=day.isoformat(),
        values=extra.pop("values", {}),
        **extra,
    )


@get(STREET, name="admission.street")
async def street_page(request: Request[Any, Any, Any], street: FromQuery[str] = "") -> Template:
    return await _show(request, await require(request, "admission.keep"), street)


async def _operate(request: Request[Any, Any, Any], run: Any, done: str, street: str = "") -> Response[Any]:
    """`run(rt, ctx, form, street)`: the operator's command; refused, their page again with the reason."""
    user = await require(request, "admission.keep")
    form = await request.form()
    named = _named(user, street or text(form, "street").strip())

    async def step(rt: Commands, ctx: Ctx, sent: Form) -> CommandResult:
        return await run(rt, ctx, sent, named)

    async def refused(error: DomainError, sent: Form) -> Template:
        return await _show(request, user, named, error_status(error), error=error_text(error), values=values_of(sent))

    return await act(request, user, step, then=f"{STREET}?street={named}", refused=refused, done=done)


@post(f"{STREET}/items", name="admission.add")
async def add_item(request: Request[Any, Any, Any], data: URLEncodedBody[ItemForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, street: str) -> CommandResult:
        return await admission.add_item(rt, ctx, street, item_of(form), text(form, "edit_basis"), effective_of(form))

    return await _operate(request, run, _("The item is on the list from the day you gave."))


@post(f"{STREET}/items/{{code:str}}/change", name="admission.change")
async def change_item(
    request: Request[Any, Any, Any], code: FromPath[str], data: URLEncodedBody[ItemForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, street: str) -> CommandResult:
        return await admission.change_item(
            rt, ctx, street, item_of(form, code), text(form, "edit_basis"), effective_of(form)
        )

    return await _operate(request, run, _("The change is on the list from the day you gave."))


@post(f"{STREET}/items/{{code:str}}/remove", name="admission.remove")
async def remove_item(
    request: Request[Any, Any, Any], code: FromPath[str], data: URLEncodedBody[RemoveForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, street: str) -> CommandResult:
        return await admission.remove_item(rt, ctx, street, code, text(form, "edit_basis"), effective_of(form))

    return await _operate(request, run, _("The item admits no task from the day you gave."))


async def _decide(request: Request[Any, Any, Any], application_id: UUID, run: Any, done: str) -> Response[Any]:
    row = await lists.application(application_id)
    if row is None:
        return await _operate(request, _missing, done)
    return await _operate(request, run, done, street=row["street"])


async def _missing(rt: Commands, ctx: Ctx, form: Form, street: str) -> CommandResult:
    raise DomainError("No such application.", status=404)


@post(f"{STREET}/applications/{{application_id:uuid}}/approve", name="admission.approve")
async def approve(
    request: Request[Any, Any, Any], application_id: FromPath[UUID], data: URLEncodedBody[DecisionForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, street: str) -> CommandResult:
        return await admission.approve(rt, ctx, application_id, text(form, "edit_basis"), effective_of(form))

    return await _decide(request, application_id, run, _("Approved: the item is listed from its effective day."))


@post(f"{STREET}/applications/{{application_id:uuid}}/reject", name="admission.reject")
async def reject(
    request: Request[Any, Any, Any], application_id: FromPath[UUID], data: URLEncodedBody[DecisionForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, street: str) -> CommandResult:
        return await admission.reject(rt, ctx, application_id, text(form, "reason"))

    return await _decide(request, application_id, run, _("Rejected; the department sees your reason."))


routes = [board, street_page, add_item, change_item, remove_item, approve, reject]
