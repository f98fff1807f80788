"""Routes of the street operator's casework: register departments and the categories each takes, appoint their
staff (found by the phone they registered with) and remove them, keep the street's matter list (事项清单) and its
working calendar (工作日历: holidays and 调休 working days over the national ones), re-route a whistle to another
department; and the street's dashboard (`/street/cases`): its communities and departments ranked
on the rates with the overdue backlog. The public board's monthly digest (`/board/cases`) is here too: the same
counters, with nothing personal."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.casework.commands import street, whistles
from backend.casework.web.forms import (
    CalendarDayForm,
    CategoriesForm,
    ClearDayForm,
    DepartmentForm,
    DropMatterForm,
    MatterForm,
    RemoveStaffForm,
    RerouteForm,
    StaffForm,
    categories_of,
    matter_item,
    working_of,
)
from backend.casework.web.plan_views import month_shown, show_dashboard, show_digest, show_street
from backend.casework.web.resident import back_to_case
from backend.casework.web.views import case_page
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, day_field, text, uuid_field
from backend.web.auth import User, require
from backend.web.kept import KEPT
from backend.web.pages import board_community, error_status, error_text, today
from projections.casework import queries as views
from projections.residents import queries as residents

STREET = "/street/casework"


def _street(user: User, form: Form) -> str:
    """The street a form names, if the operator's (the policy and the command check it again), else their first."""
    named = text(form, "street").strip()
    return named if named in user.streets else (user.streets[0] if user.streets else named)


async def _operate(request: Request[Any, Any, Any], run: Any, done: str) -> Response[Any]:
    """`run(rt, ctx, form, street)`: the operator's command; refused, their page again with the reason."""
    user = await require(request, "street.casework")
    form = await request.form()
    named = _street(user, form)

    async def step(rt: Commands, ctx: Ctx, sent: Form) -> CommandResult:
        return await run(rt, ctx, sent, named)

    async def refused(error: DomainError, _sent: Form) -> Template:
        return await _show(request, user, named, error_status(error), error=error_text(error))

    return await act(request, user, step, then=f"{STREET}?street={named}", refused=refused, done=done)


async def _show(
    request: Request[Any, Any, Any], user: User, asked: str, status_code: int = 200, **extra: Any
) -> Template:
    """The operator's page, with the days their street's calendar sets itself this year and next."""
    named = asked if asked in user.streets else (user.streets[0] if user.streets else "")
    this_year = today().year
    days = [day for year in (this_year, this_year + 1) for day in await views.calendar_days(named, year)]
    return await show_street(
        request, user, asked, status_code, calendar_days=days, calendar_years=(this_year, this_year + 1), **extra
    )


@get("/street/casework", name="street.casework")
async def street_page(request: Request[Any, Any, Any], street: FromQuery[str] = "") -> Template:
    return await _show(request, await require(request, "street.casework"), street)


@post("/street/departments", name="street.register_department")
async def register(request: Request[Any, Any, Any], data: URLEncodedBody[DepartmentForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, named: str) -> CommandResult:
        return await street.register_department(
            rt, ctx, named, text(form, "name"), text(form, "kind"), categories_of(form)
        )

    return await _operate(request, run, _("The department is registered; appoint its staff."))


@post("/street/departments/{department_id:uuid}/categories", name="street.department_categories")
async def categories(
    request: Request[Any, Any, Any], department_id: FromPath[UUID], data: URLEncodedBody[CategoriesForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, named: str) -> CommandResult:
        return await street.set_department_categories(rt, ctx, department_id, categories_of(form))

    return await _operate(request, run, _("The department's categories are saved."))


@post("/street/departments/{department_id:uuid}/staff", name="street.appoint_staff")
async def appoint(
    request: Request[Any, Any, Any], department_id: FromPath[UUID], data: URLEncodedBody[StaffForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, named: str) -> CommandResult:
        phone = "".join(text(form, "phone").split())
        found = await residents.by_phone(request.app.state.runtime.personal, phone) if phone.isdigit() else None
        if found is None:
            raise DomainError("No resident registered with this phone.", "phone", status=404)
        until = None
        if text(form, "until").strip():
            until = day_field(form, "until", "Give the last day (YYYY-MM-DD), or leave it empty.")
        return await street.appoint_staff(rt, ctx, department_id, UUID(str(found["id"])), until)

    return await _operate(request, run, _("The resident acts for the department now."))


@post("/street/departments/{department_id:uuid}/staff/remove", name="street.remove_staff")
async def remove(
    request: Request[Any, Any, Any], department_id: FromPath[UUID], data: URLEncodedBody[RemoveStaffForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, named: str) -> CommandResult:
        staff = uuid_field(form, "resident_id", "Choose the staff member.")
        return await street.remove_staff(rt, ctx, department_id, staff, text(form, "reason"))

    return await _operate(request, run, _("The resident no longer acts for the department."))


@post("/street/matters", name="street.set_matter")
async def set_matter(request: Request[Any, Any, Any], data: URLEncodedBody[MatterForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, named: str) -> CommandResult:
        since = day_field(form, "effective_from", "Give the day it takes effect (YYYY-MM-DD).")
        return await street.set_matter(rt, ctx, named, matter_item(form), since)

    return await _operate(request, run, _("The matter list's line is saved from that day."))


@post("/street/matters/drop", name="street.drop_matter")
async def drop_matter(request: Request[Any, Any, Any], data: URLEncodedBody[DropMatterForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, named: str) -> CommandResult:
        since = day_field(form, "effective_from", "Give the day it takes effect (YYYY-MM-DD).")
        return await street.drop_matter(rt, ctx, named, text(form, "code"), since)

    return await _operate(request, run, _("The category leaves the street's matter list from that day."))


@post("/street/calendar", name="street.set_calendar_day")
async def set_calendar_day(request: Request[Any, Any, Any], data: URLEncodedBody[CalendarDayForm]) -> Response[Any]:
    """A holiday (放假) or a weekend day worked (调休上班) of the street's calendar: its cases' working days follow."""

    async def run(rt: Commands, ctx: Ctx, form: Form, named: str) -> CommandResult:
        day = day_field(form, "day", "Give the date (YYYY-MM-DD).")
        return await street.set_calendar_day(rt, ctx, named, day, working_of(form), text(form, "note"))

    return await _operate(request, run, _("The day is set in the street's working calendar."))


@post("/street/calendar/clear", name="street.clear_calendar_day")
async def clear_calendar_day(request: Request[Any, Any, Any], data: URLEncodedBody[ClearDayForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form, named: str) -> CommandResult:
        day = day_field(form, "day", "Give the date (YYYY-MM-DD).")
        return await street.clear_calendar_day(rt, ctx, named, day)

    return await _operate(request, run, _("The day reads as the national calendar says again."))


@post("/cases/{case_id:uuid}/reroute", name="cases.reroute")
async def reroute(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[RerouteForm]
) -> Response[Any]:
    """The street sends a whistle to another of its departments (in the case's community)."""
    user = await require(request, "street.casework")
    _viewer, page = await case_page(request, case_id)
    community = page["case"]["community_id"]

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        unit = uuid_field(form, "department_id", "Choose a department of the street.")
        return await whistles.reroute(rt, replace(ctx, community_id=community), case_id, unit, text(form, "reason"))

    return await act(
        request,
        user,
        run,
        then=f"/cases/{case_id}",
        refused=back_to_case(request, case_id, "reroute"),
        done=_("The whistle is re-routed: the department must report in anew."),
    )


# -- the rates ------------------------------------------------------------------------------------------------------
@get("/street/cases", name="street.cases", opt=KEPT)
async def dashboard(
    request: Request[Any, Any, Any], street: FromQuery[str] = "", month: FromQuery[str] = "", rank: FromQuery[str] = ""
) -> Template:
    user = await require(request, "street.oversee")
    return await show_dashboard(request, user, street, month_shown(month), rank)


@get("/board/cases", name="board.cases")
async def digest(
    request: Request[Any, Any, Any], community: FromQuery[str] = "", month: FromQuery[str] = ""
) -> Template:
    """The month's anonymous digest of the community's cases (public: no sign-in)."""
    place = await board_community(request, community or None)
    return await show_digest(request, place, month_shown(month))


routes = [
    street_page,
    register,
    categories,
    appoint,
    remove,
    set_matter,
    drop_matter,
    set_calendar_day,
    clear_calendar_day,
    reroute,
    dashboard,
    digest,
]
