"""The clerk's desk of certificates: the waiting requests, each beside the register's facts (name and household of
the register, never what was typed), answered in one click — issue (numbered, valid until a day), the standard
refusal of a negative-list item with its basis and where to go, "ask the street" or 告知承诺 for one on neither
list — a request taken at the counter for a resident (on_behalf_of), cancellation (作废) with a reason, and the
year's register (证明开具登记), printable on A4."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, day_field, text, uuid_field
from backend.web.auth import require
from backend.web.pages import error_status, error_text, render, today
from backend.workload.commands import certificates as commands
from backend.workload.domain.certificates import REFUSALS
from backend.workload.web.certificate_forms import AskForm, CancelForm, IssueForm, RefuseForm
from backend.workload.web.certificate_views import shown, with_register
from projections.community import queries as communities
from projections.residents import queries as residents
from projections.workload.certificates import queries

DESK = "/desk/certificates"


async def _desk(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "certificate.issue")
    day = today()
    place = await communities.by_id(user.community_id) or {"street": ""}
    lists = await queries.lists_on(place["street"], day)
    items = {i.code: i for side in lists.values() for i in side}
    personal = request.app.state.runtime.personal
    return await render(
        request,
        "workload/certificate_desk.html",
        status_code=status_code,
        waiting=await with_register(personal, await queries.queue(user.community_id), items, day),
        answered=[shown(r, day) for r in await queries.answered(user.community_id)],
        lists=lists,
        people=await residents.in_community(personal, user.community_id, status="verified"),
        refusals=REFUSALS,
        **extra,
    )


@get(DESK, name="certificates.desk")
async def desk(request: Request[Any, Any, Any]) -> Template:
    return await _desk(request)


async def _refused(request: Request[Any, Any, Any], certificate_id: UUID | None = None) -> Any:
    async def refused(error: DomainError, _form: Form) -> Template:
        return await _desk(request, error_status(error), error=error_text(error), error_for=str(certificate_id or ""))

    return refused


async def _own(request: Request[Any, Any, Any], certificate_id: UUID) -> dict[str, Any]:
    user = await require(request, "certificate.issue")
    row = await queries.certificate(certificate_id)
    if row is None or str(row["community_id"]) != str(user.community_id):
        raise NotFoundException(_("No such certificate."))
    return row


@post(DESK, name="certificates.counter")
async def counter(request: Request[Any, Any, Any], data: URLEncodedBody[AskForm]) -> Response[Any]:
    """A request taken at the counter for a resident who is present (on_behalf_of)."""
    user = await require(request, "certificate.issue")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        resident = uuid_field(form, "resident_id", "Choose the resident.")
        helped = replace(ctx, on_behalf_of=resident)
        return await commands.request(rt, helped, text(form, "code"), text(form, "asked"), text(form, "purpose"))

    return await act(
        request, user, run, then=DESK, refused=await _refused(request), done=_("Taken. It waits in the queue below.")
    )


@post(f"{DESK}/{{certificate_id:uuid}}/issue", name="certificates.issue")
async def issue(
    request: Request[Any, Any, Any], certificate_id: FromPath[UUID], data: URLEncodedBody[IssueForm]
) -> Response[Any]:
    await _own(request, certificate_id)

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        until = day_field(form, "valid_until", "Give the last valid day as YYYY-MM-DD.")
        return await commands.issue(rt, ctx, certificate_id, until)

    return await act(
        request,
        "certificate.issue",
        run,
        then=f"/certificates/issued/{certificate_id}",
        refused=await _refused(request, certificate_id),
        done=_("Issued. Print it, seal it and hand it over."),
    )


@post(f"{DESK}/{{certificate_id:uuid}}/refuse", name="certificates.refuse")
async def refuse(
    request: Request[Any, Any, Any], certificate_id: FromPath[UUID], data: URLEncodedBody[RefuseForm]
) -> Response[Any]:
    await _own(request, certificate_id)
    return await act(
        request,
        "certificate.issue",
        lambda rt, ctx, form: commands.refuse(rt, ctx, certificate_id, text(form, "kind"), text(form, "note")),
        then=DESK,
        refused=await _refused(request, certificate_id),
        done=_("Refused. The resident sees the basis and where to go instead."),
    )


@post(f"{DESK}/{{certificate_id:uuid}}/cancel", name="certificates.cancel")
async def cancel(
    request: Request[Any, Any, Any], certificate_id: FromPath[UUID], data: URLEncodedBody[CancelForm]
) -> Response[Any]:
    await _own(request, certificate_id)
    return await act(
        request,
        "certificate.issue",
        lambda rt, ctx, form: commands.cancel(rt, ctx, certificate_id, text(form, "reason")),
        then=f"/certificates/issued/{certificate_id}",
        refused=await _refused(request, certificate_id),
        done=_("Cancelled (作废). Its number stays in the register; the verification page says so."),
    )


@get(f"{DESK}/register", name="certificates.register")
async def register(request: Request[Any, Any, Any], year: FromQuery[str] = "") -> Template:
    """证明开具登记: the year's numbered certificates, cancelled ones with their reason."""
    user = await require(request, "certificate.issue")
    asked = year.isascii() and year.isdigit()  # "²" is a digit to isdigit(), not to int()
    shown_year = int(year) if asked and 2000 <= int(year) <= 2999 else today().year
    rows = await queries.register(user.community_id, shown_year)
    names = await residents.full_names(request.app.state.runtime.personal, [r["resident_id"] for r in rows])
    return await render(
        request,
        "workload/certificate_register.html",
        year=shown_year,
        rows=[{**shown(r, today()), "name": names.get(str(r["resident_id"]), "")} for r in rows],
        community=await communities.by_id(user.community_id),
    )


routes = [desk, counter, issue, refuse, cancel, register]
