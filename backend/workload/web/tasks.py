"""Routes of the tasks assigned from the admission list: the department's page (pick a listed item, a community of
the street and a deadline; anything else comes back 未准入, recorded, with the form to apply for admission, 申请准入;
its tasks, refusals and applications), the committee's task list (accept, report done with a note; overdue marked)
and the street's dashboard (per department assigned, refused, done; per community open, overdue, done)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text, uuid_field
from backend.web.auth import User, require
from backend.web.pages import error_status, error_text, flash, render, today
from backend.workload.commands import admission, tasks
from backend.workload.domain.admission import KINDS
from backend.workload.web.admission_forms import (
    ApplyForm,
    AssignForm,
    NoteForm,
    deadline_of,
    optional_uuid,
    proposal_of,
    values_of,
)
from projections.casework import plan_queries as casework
from projections.community import queries as communities
from projections.workload.admission import queries as lists

DEPARTMENT = "/workload/department"
COMMITTEE = "/workload/tasks"


async def _units(user: User) -> list[dict[str, Any]]:
    """The departments the user acts for: their own (staff), and every one of the streets they operate."""
    found = {str(u): await casework.department(u) for u in await casework.departments_of(user.id)}
    for street in user.streets:
        found.update({str(u["id"]): u for u in await casework.departments(street)})
    return sorted((u for u in found.values() if u), key=lambda u: (u["street"], u["name"]))


async def _department_page(
    request: Request[Any, Any, Any], asked: str = "", refused_id: str = "", status_code: int = 200, **extra: Any
) -> Template:
    user = await require(request, "task.assign")
    units = await _units(user)
    unit = next((u for u in units if str(u["id"]) == asked), units[0] if units else None)
    context: dict[str, Any] = {"units": units, "unit": unit, "kinds": KINDS, "today": today().isoformat()}
    if unit is not None:
        ids = [unit["id"]]
        wanted = optional_uuid({"refused": refused_id}, "refused")  # a mistyped address shows no refusal
        attempt = await lists.refused(wanted) if wanted else None
        context.update(
            items=[i for i in await lists.listed(unit["street"], today()) if i["department_id"] == str(unit["id"])],
            places=(places := await communities.in_streets([unit["street"]])),
            place_names={str(p["id"]): p["name"] for p in places},
            tasks=await lists.department_tasks(ids, today()),
            refusals=await lists.department_refused(ids),
            applications=await lists.applications(department_ids=ids),
            attempt=attempt if attempt and str(attempt["department_id"]) == str(unit["id"]) else None,
        )
    values = extra.pop("values", {})
    if not values and context.get("attempt"):  # the application starts from what was refused
        values = {"title": context["attempt"]["title"]}
    return await render(
        request, "workload/task_department.html", status_code=status_code, values=values, **context, **extra
    )


@get(DEPARTMENT, name="tasks.department")
async def department_page(
    request: Request[Any, Any, Any], department: FromQuery[str] = "", refused: FromQuery[str] = ""
) -> Template:
    return await _department_page(request, department, refused)


@post(COMMITTEE, name="tasks.assign")
async def assign(request: Request[Any, Any, Any], data: URLEncodedBody[AssignForm]) -> Response[Any]:
    """Admitted: the task goes to the community. Not: 未准入 is recorded and the page offers 申请准入."""
    form = await request.form()
    unit = text(form, "department_id")

    async def run(rt: Commands, ctx: Ctx, sent: Form) -> CommandResult:
        done = await tasks.assign(
            rt,
            ctx,
            uuid_field(sent, "department_id", "Choose a department of the street."),
            uuid_field(sent, "community_id", "Choose a community of the street."),
            text(sent, "code").strip(),
            text(sent, "title"),
            deadline_of(sent),
            text(sent, "details"),
        )
        if "refused_id" in done.result:
            flash(
                request,
                _("Not admitted (未准入): the attempt is recorded. Apply for admission (申请准入) below."),
                "error",
            )
        else:
            flash(request, _("Assigned. The committee sees it in its task list."), "success")
        return done

    def then(done: CommandResult) -> str:
        refused = done.result.get("refused_id")
        return f"{DEPARTMENT}?department={quote(unit, safe='')}" + (f"&refused={refused}" if refused else "")

    async def refused(error: DomainError, sent: Form) -> Template:
        return await _department_page(
            request, unit, "", error_status(error), assign_error=error_text(error), values=values_of(sent)
        )

    return await act(request, "task.assign", run, then=then, refused=refused)


@post("/workload/applications", name="tasks.apply")
async def apply(request: Request[Any, Any, Any], data: URLEncodedBody[ApplyForm]) -> Response[Any]:
    form = await request.form()
    unit = text(form, "department_id")

    async def run(rt: Commands, ctx: Ctx, sent: Form) -> CommandResult:
        department = uuid_field(sent, "department_id", "Choose a department of the street.")
        return await admission.apply(rt, ctx, department, proposal_of(sent), optional_uuid(sent, "attempt_id"))

    async def refused(error: DomainError, sent: Form) -> Template:
        attempt = text(sent, "attempt_id")
        return await _department_page(
            request, unit, attempt, error_status(error), apply_error=error_text(error), values=values_of(sent)
        )

    return await act(
        request,
        "task.assign",
        run,
        then=f"{DEPARTMENT}?department={quote(unit, safe='')}",  # as typed: quoted, it stays one parameter
        refused=refused,
        done=_("Sent to the street (申请准入). Its decision shows here."),
    )


# -- the committee -------------------------------------------------------------------------------------------------
async def _committee(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "task.do")
    rows = await lists.community_tasks(user.community_id, today())
    units = await casework.department_names([r["department_id"] for r in rows])
    return await render(
        request, "workload/task_committee.html", status_code=status_code, tasks=rows, unit_names=units, **extra
    )


@get(COMMITTEE, name="tasks.committee")
async def committee(request: Request[Any, Any, Any]) -> Template:
    return await _committee(request)


async def _on_task(request: Request[Any, Any, Any], task_id: UUID, run: Any, done: str) -> Response[Any]:
    async def refused(error: DomainError, _sent: Form) -> Template:
        return await _committee(request, error_status(error), error=error_text(error), failed=str(task_id))

    return await act(request, "task.do", run, then=f"{COMMITTEE}#task-{task_id}", refused=refused, done=done)


@post(f"{COMMITTEE}/{{task_id:uuid}}/accept", name="tasks.accept")
async def accept(
    request: Request[Any, Any, Any], task_id: FromPath[UUID], data: URLEncodedBody[NoteForm]
) -> Response[Any]:
    return await _on_task(
        request,
        task_id,
        lambda rt, ctx, form: tasks.accept(rt, ctx, task_id),
        _("Accepted. Report it done when it is."),
    )


@post(f"{COMMITTEE}/{{task_id:uuid}}/complete", name="tasks.complete")
async def complete(
    request: Request[Any, Any, Any], task_id: FromPath[UUID], data: URLEncodedBody[NoteForm]
) -> Response[Any]:
    return await _on_task(
        request,
        task_id,
        lambda rt, ctx, form: tasks.complete(rt, ctx, task_id, text(form, "note")),
        _("Reported done. The department and the street see it."),
    )


# -- the street's dashboard ------------------------------------------------------------------------------------------
@get("/street/workload", name="tasks.dashboard")
async def dashboard(request: Request[Any, Any, Any], street: FromQuery[str] = "") -> Template:
    user = await require(request, "admission.keep")
    named = street if street in user.streets else (user.streets[0] if user.streets else "")
    counts = await lists.dashboard(named, today()) if named else {"departments": {}, "communities": {}}
    units = await casework.departments(named) if named else []
    places = await communities.in_streets([named]) if named else []
    zero_unit, zero_place = {"assigned": 0, "refused": 0, "done": 0}, {"open": 0, "overdue": 0, "done": 0}
    return await render(
        request,
        "workload/task_dashboard.html",
        street=named,
        streets=user.streets,
        units=[{**u, **counts["departments"].get(str(u["id"]), zero_unit)} for u in units],
        places=[{**p, **counts["communities"].get(str(p["id"]), zero_place)} for p in places],
    )


routes = [department_page, assign, apply, committee, accept, complete, dashboard]
