"""The clerk's desk of errands (全程代办): find a resident by name, phone or room and open an errand for them from
the catalog; each running errand with its next step as a button — tick a document received, hand it to the office
on a day, record the office's answer, hand it back — and the certificates its office may ask for that the committee
never issues, with where to get them instead."""

from __future__ import annotations

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
from backend.workload.commands import errands as commands
from backend.workload.domain.errands import CATALOG, RESULTS, STATUSES
from backend.workload.web.errand_forms import DecideForm, HandOverForm, OpenForm, ReceiveForm, StepForm
from projections.residents import queries as residents
from projections.workload.errands import queries

DESK = "/desk/errands"


async def _desk(request: Request[Any, Any, Any], status_code: int = 200, q: str = "", **extra: Any) -> Template:
    user = await require(request, "errand.run")
    personal = request.app.state.runtime.personal
    running = await queries.running(user.community_id)
    names = await residents.full_names(personal, [r["resident_id"] for r in running])
    found = await residents.in_community(personal, user.community_id, "verified", q, limit=20) if q.strip() else []
    return await render(
        request,
        "workload/errand_desk.html",
        status_code=status_code,
        q=q,
        found=found,
        running=[
            {**r, "name": names.get(str(r["resident_id"]), ""), "item": CATALOG.get(r["item_code"])} for r in running
        ],
        closed=await queries.closed(user.community_id),
        catalog=CATALOG,
        statuses=STATUSES,
        results=RESULTS,
        today=today().isoformat(),
        **extra,
    )


@get(DESK, name="errands.desk")
async def desk(request: Request[Any, Any, Any], q: FromQuery[str] = "") -> Template:
    return await _desk(request, q=q[:40])


async def _refused(request: Request[Any, Any, Any], errand_id: UUID | None = None) -> Any:
    async def refused(error: DomainError, _form: Form) -> Template:
        return await _desk(request, error_status(error), error=error_text(error), error_for=str(errand_id or ""))

    return refused


async def _own(request: Request[Any, Any, Any], errand_id: UUID) -> None:
    user = await require(request, "errand.run")
    row = await queries.errand(errand_id)
    if row is None or str(row["community_id"]) != str(user.community_id):
        raise NotFoundException(_("No such errand."))


async def _step(request: Request[Any, Any, Any], errand_id: UUID, run: Any, done: str, then: str = "") -> Response[Any]:
    """One step of an errand the clerk's community holds: the command through act(), back to the errand's card."""
    await _own(request, errand_id)
    return await act(
        request,
        "errand.run",
        run,
        then=then or f"{DESK}#errand-{errand_id}",
        refused=await _refused(request, errand_id),
        done=done,
    )


@post(DESK, name="errands.open")
async def open_errand(request: Request[Any, Any, Any], data: URLEncodedBody[OpenForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        resident = uuid_field(form, "resident_id", "Choose the resident.")
        return await commands.open_errand(rt, ctx, resident, text(form, "item"))

    return await act(
        request, "errand.run", run, then=DESK, refused=await _refused(request), done=_("Opened. Tick the documents.")
    )


@post(f"{DESK}/{{errand_id:uuid}}/receive", name="errands.receive")
async def receive(
    request: Request[Any, Any, Any], errand_id: FromPath[UUID], data: URLEncodedBody[ReceiveForm]
) -> Response[Any]:
    return await _step(
        request,
        errand_id,
        lambda rt, ctx, form: commands.receive(rt, ctx, errand_id, text(form, "document")),
        _("Document received."),
    )


@post(f"{DESK}/{{errand_id:uuid}}/hand-over", name="errands.hand_over")
async def hand_over(
    request: Request[Any, Any, Any], errand_id: FromPath[UUID], data: URLEncodedBody[HandOverForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        on = day_field(form, "on", "Give the day as YYYY-MM-DD.")
        return await commands.hand_over(rt, ctx, errand_id, on)

    return await _step(request, errand_id, run, _("Handed to the office."))


@post(f"{DESK}/{{errand_id:uuid}}/decide", name="errands.decide")
async def decide(
    request: Request[Any, Any, Any], errand_id: FromPath[UUID], data: URLEncodedBody[DecideForm]
) -> Response[Any]:
    def run(rt: Commands, ctx: Ctx, form: Form) -> Any:
        return commands.decide(rt, ctx, errand_id, text(form, "result"), text(form, "reason"))

    return await _step(request, errand_id, run, _("The office's answer is recorded."))


@post(f"{DESK}/{{errand_id:uuid}}/hand-back", name="errands.hand_back")
async def hand_back(
    request: Request[Any, Any, Any], errand_id: FromPath[UUID], data: URLEncodedBody[StepForm]
) -> Response[Any]:
    done = _("Handed back. The resident confirms receipt on the phone.")
    return await _step(request, errand_id, lambda rt, ctx, _f: commands.hand_back(rt, ctx, errand_id), done, DESK)


routes = [desk, open_errand, receive, hand_over, decide, hand_back]
