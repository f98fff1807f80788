"""Routes of 走访 (issue 22): the grid worker's page — the households of their grids flagged for care with overdue
visits heading the list, the visit diary (民情日志) with a case raised from a visit in the same step, and visits
planned for volunteers (in a volunteering shift, whose hours count) — and a volunteer's own visits, which show the
household and the task, never the care categories. Each form runs its command through act(); refused, the page comes
back with the message."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.casework.commands import care as care_commands
from backend.casework.commands.cases import NewCase
from backend.casework.web import visit_views as views
from backend.casework.web.forms import optional_id, ticked
from backend.casework.web.visit_forms import PlanVisitForm, RecordVisitForm, VisitForm
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, day_field, text, uuid_field
from backend.web.auth import User, require
from backend.web.pages import error_status, error_text, render
from projections.casework import care_queries
from projections.residents import queries as residents

VISIT_FIELDS = ("household_id", "visited_on", "found", "raise_case", "category", "case_text", "urgent")
PLAN_FIELDS = ("household_id", "phone", "task", "due_on", "shift_id")


async def _worker_page(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    context = await views.worker_context(request.app.state.runtime.personal, user, **extra)
    return await render(request, "casework/visits.html", status_code=status_code, **context)


def _again(request: Request[Any, Any, Any], user: User, error_key: str, fields: tuple[str, ...]) -> Any:
    async def refused(error: DomainError, form: Form) -> Template:
        values = {name: text(form, name) for name in fields}
        return await _worker_page(request, user, error_status(error), values=values, **{error_key: error_text(error)})

    return refused


@get("/visits", name="visits.worker")
async def worker_page(request: Request[Any, Any, Any]) -> Template:
    """The grid worker's (and the clerk's) page of visits."""
    return await _worker_page(request, await require(request, "visit.log"))


@post("/visits", name="visits.log")
async def log_visit(request: Request[Any, Any, Any], data: URLEncodedBody[VisitForm]) -> Template | Response[Any]:
    user = await require(request, "visit.log")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        household = uuid_field(form, "household_id", "Choose a household.")
        on = day_field(form, "visited_on", "Give the day of the visit.")
        case, raiser = None, None
        if ticked(form, "raise_case"):
            case = NewCase(text(form, "category").strip(), text(form, "case_text"), urgent=ticked(form, "urgent"))
            cared = await care_queries.care_of(household)  # a case for the person cared for, when they have an account
            raiser = cared["resident_id"] if cared and cared["active"] else None
        return await care_commands.log_visit(rt, ctx, household, on, text(form, "found"), case, raiser)

    def then(done: CommandResult) -> str:
        case_id = done.result.get("case_id")
        return f"/cases/{case_id}" if case_id else "/visits"

    return await act(
        request,
        user,
        run,
        then=then,
        refused=_again(request, user, "visit_error", VISIT_FIELDS),
        done=_("The visit is in your diary."),
    )


@post("/visits/plan", name="visits.plan")
async def plan_visit(request: Request[Any, Any, Any], data: URLEncodedBody[PlanVisitForm]) -> Template | Response[Any]:
    """A visit for a volunteer: found by the phone they registered with; due on a day, or made in a volunteering
    shift they hold a seat on (the shift's hours are the visit's)."""
    user = await require(request, "visit.log")
    personal = request.app.state.runtime.personal

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        household = uuid_field(form, "household_id", "Choose a household.")
        found = await residents.by_phone(personal, text(form, "phone").strip())
        if found is None or found["community_id"] != user.community_id:
            raise DomainError("No resident of the community has this phone number.", "phone")
        shift = optional_id(form, "shift_id", "Choose a shift of the list.")
        due = None if shift or not text(form, "due_on").strip() else day_field(form, "due_on", "Give the day.")
        if shift is None and due is None:
            raise DomainError("Give the day the visit is due, or the shift it is made in.", "due_on")
        return await care_commands.plan_visit(rt, ctx, household, found["id"], text(form, "task"), due, shift)

    return await act(
        request,
        user,
        run,
        then="/visits",
        refused=_again(request, user, "plan_error", PLAN_FIELDS),
        done=_("The visit was assigned."),
    )


# -- a volunteer's visits ------------------------------------------------------------------------------------------
async def _volunteer_page(
    request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any
) -> Template:
    context = await views.volunteer_context(user, **extra)
    return await render(request, "casework/assigned.html", status_code=status_code, **context)


@get("/visits/assigned", name="visits.assigned")
async def assigned(request: Request[Any, Any, Any]) -> Template:
    """The visits assigned to the signed-in resident: the household and the task only."""
    return await _volunteer_page(request, await require(request, "visit.record"))


@post("/visits/{visit_id:uuid}/record", name="visits.record")
async def record(
    request: Request[Any, Any, Any], visit_id: FromPath[UUID], data: URLEncodedBody[RecordVisitForm]
) -> Template | Response[Any]:
    user = await require(request, "visit.record")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        on = day_field(form, "visited_on", "Give the day of the visit.")
        return await care_commands.record_visit(rt, ctx, visit_id, on, text(form, "found"))

    async def refused(error: DomainError, form: Form) -> Template:
        values = {"visit_id": str(visit_id), **{name: text(form, name) for name in ("visited_on", "found")}}
        return await _volunteer_page(request, user, error_status(error), values=values, error=error_text(error))

    return await act(
        request, user, run, then="/visits/assigned", refused=refused, done=_("Thank you: the visit is recorded.")
    )


routes = [worker_page, log_visit, plan_visit, assigned, record]
