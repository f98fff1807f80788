"""Routes of the certificate lists (证明事项清单): the two lists in force on the board (public: the guidance asks that
they be posted), and the street operator's editor (add or change an item, drop a local one), each edit citing the
provincial or city rule it follows and the day it takes effect."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, day_field, text
from backend.web.auth import User, require
from backend.web.pages import board_community, error_status, error_text, render, today
from backend.workload.commands import certificates as commands
from backend.workload.domain.certificate_lists import NATIONAL_CODES, NEGATIVE, SIDES
from backend.workload.web.certificate_forms import ITEM_FIELDS, DropItemForm, ListItemForm, item_of
from projections.workload.certificates import queries

EDITOR = "/street/certificates"
SIDE_LABELS = {NEGATIVE: "不应出具", "positive": "可以出具"}


@get("/certificates/lists", name="certificates.lists")
async def lists_page(request: Request[Any, Any, Any], community: FromQuery[str | None] = None) -> Template:
    """Public: the two lists in force today for the community's street, each item with its basis."""
    place = await board_community(request, community)
    return await render(
        request,
        "workload/certificate_lists.html",
        community=place,
        lists=await queries.lists_on(place["street"], today()),
        lines=await queries.lines(place["street"]),
        side_labels=SIDE_LABELS,
    )


def _street(user: User, named: str) -> str:
    named = named.strip()
    return named if named in user.streets else (user.streets[0] if user.streets else "")


async def _editor(
    request: Request[Any, Any, Any], user: User, street: str, status_code: int = 200, **extra: Any
) -> Template:
    return await render(
        request,
        "workload/certificate_editor.html",
        status_code=status_code,
        street=street,
        streets=user.streets,
        lists=await queries.lists_on(street, today()),
        lines=await queries.lines(street),
        national=NATIONAL_CODES,
        sides=SIDES,
        side_labels=SIDE_LABELS,
        values=extra.pop("values", {"side": "positive", "effective_from": today().isoformat(), "valid_days": "90"}),
        **extra,
    )


@get(EDITOR, name="certificates.editor")
async def editor(request: Request[Any, Any, Any], street: FromQuery[str] = "", code: FromQuery[str] = "") -> Template:
    """The editor; with `code`, its form filled with that item as in force today (a change is a new line)."""
    user = await require(request, "certificate.lists")
    named = _street(user, street)
    lists = await queries.lists_on(named, today())
    item = next((i for side in lists.values() for i in side if i.code == code), None)
    if item is None:
        return await _editor(request, user, named)
    values = {**asdict(item), "valid_days": str(item.valid_days or ""), "effective_from": today().isoformat()}
    return await _editor(request, user, named, values=values)


async def _edit(request: Request[Any, Any, Any], run: Any, done: str) -> Response[Any]:
    user = await require(request, "certificate.lists")
    form = await request.form()
    street = _street(user, text(form, "street"))

    async def step(rt: Commands, ctx: Ctx, sent: Form) -> CommandResult:
        return await run(rt, ctx, sent, street)

    async def refused(error: DomainError, sent: Form) -> Template:
        values = {k: text(sent, k) for k in (*ITEM_FIELDS, "effective_from", "rule")}
        return await _editor(request, user, street, error_status(error), values=values, error=error_text(error))

    return await act(request, user, step, then=f"{EDITOR}?street={street}", refused=refused, done=done)


@post(EDITOR, name="certificates.set_item")
async def set_item(request: Request[Any, Any, Any], data: URLEncodedBody[ListItemForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, street: str) -> CommandResult:
        day = day_field(form, "effective_from", "Give the day it takes effect as YYYY-MM-DD.")
        return await commands.set_list_item(rt, ctx, street, item_of(form), day, text(form, "rule"))

    return await _edit(request, run, _("Saved. The list reads so from the day it takes effect."))


@post(f"{EDITOR}/drop", name="certificates.drop_item")
async def drop_item(request: Request[Any, Any, Any], data: URLEncodedBody[DropItemForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, street: str) -> CommandResult:
        day = day_field(form, "effective_from", "Give the day it takes effect as YYYY-MM-DD.")
        return await commands.drop_list_item(rt, ctx, street, text(form, "code"), day, text(form, "rule"))

    return await _edit(request, run, _("Dropped from the day it takes effect."))


routes = [lists_page, editor, set_item, drop_item]
