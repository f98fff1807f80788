"""Routes of a provider's staff: the day's slots with their bookings (confirm, decline, done, no-show) and the
publishing of a weekly schedule."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.zone import LOCAL_ZONE
from backend.services import commands
from backend.services.web.forms import (
    SCHEDULE_FIELDS,
    DeclineForm,
    ScheduleForm,
    parse_schedule,
    values_of,
    weekdays_of,
)
from backend.services.web.views import provider_of, service_or_404, show_day, show_schedule, slot_or_404
from backend.web.act import Day, Form, day_shown, query_of, segment_of, text
from backend.web.act import act as run_form  # `act` is the name of a path parameter here
from backend.web.auth import require
from backend.web.pages import error_status, error_text, flash, today

PROVIDER_ACTIONS = {
    "confirm": N_("Confirmed; the resident is told."),
    "decline": N_("Declined; the resident is told why."),
    "done": N_("Marked done."),
    "no-show": N_("Marked as a no-show."),
}


@get("/provide", name="services.day")
async def provider_day(request: Request[Any, Any, Any], on: Annotated[str, query_of(Day)] = "") -> Template:
    user = await require(request, "service.provide")
    day = day_shown(on) or today()
    return await show_day(request, user, day)


@post("/slots/{slot_id:uuid}/bookings/{resident_id:uuid}/{act:str}", name="services.provider_act")
async def provider_act(
    request: Request[Any, Any, Any],
    slot_id: FromPath[UUID],
    resident_id: FromPath[UUID],
    act: Annotated[str, segment_of(*PROVIDER_ACTIONS)],
    data: URLEncodedBody[DeclineForm],
) -> Response[Any]:
    if act not in PROVIDER_ACTIONS:
        raise NotFoundException()
    slot = await slot_or_404(slot_id)
    user = await provider_of(request, slot["provider_id"])
    day = slot["starts_at"].astimezone(LOCAL_ZONE).date()

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        if act == "confirm":
            return await commands.confirm(rt, ctx, slot_id, resident_id)
        if act == "decline":
            return await commands.decline(rt, ctx, slot_id, resident_id, text(form, "reason"))
        return await commands.complete(rt, ctx, slot_id, resident_id, no_show=act == "no-show")

    async def refused(error: DomainError, _form: Form) -> Template:
        return await show_day(request, user, day, error_status(error), day_error=error_text(error))

    return await run_form(
        request, user, run, then=f"/provide?on={day}#slot-{slot_id}", refused=refused, done=_(PROVIDER_ACTIONS[act])
    )


@get("/services/{service_id:uuid}/schedule", name="services.schedule")
async def schedule_page(request: Request[Any, Any, Any], service_id: FromPath[UUID]) -> Template:
    return await show_schedule(request, service_id)


@post("/services/{service_id:uuid}/schedule", name="services.publish")
async def publish_schedule(
    request: Request[Any, Any, Any], service_id: FromPath[UUID], data: URLEncodedBody[ScheduleForm]
) -> Response[Any]:
    service = await service_or_404(service_id)
    user = await provider_of(request, service["provider_id"])
    form = await request.form()
    values, weekdays = values_of(form, SCHEDULE_FIELDS), weekdays_of(form)

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        done = await commands.publish_schedule(rt, ctx, service_id, parse_schedule(values, weekdays))
        flash(request, _("%(n)s slots published.", n=done.result["slots"]), "success")  # how many: known once done
        return done

    async def refused(error: DomainError, _form: Form) -> Template:
        chosen = {int(d) for d in weekdays if d.isdecimal()}  # what int() reads ("²" is a digit, not a number)
        return await show_schedule(
            request,
            service_id,
            error_status(error),
            values=values,
            chosen=chosen,
            schedule_error=error_text(error),
            error_field=error.field,
        )

    return await run_form(
        request, user, run, then=f"/services/{service_id}?start={values['first_day']}", refused=refused
    )


routes = [provider_day, provider_act, schedule_page, publish_schedule]
