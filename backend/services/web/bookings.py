"""Routes of the residents: the catalog with each service's rates (public), a service's slots to book or wait for,
and the resident's bookings (cancel, reschedule, calendar entry, rating)."""

from __future__ import annotations

from typing import Annotated, Any
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
from backend.services import commands
from backend.services.domain.rules import CATEGORIES
from backend.services.web.forms import BackForm, BookForm, RateForm, RescheduleForm
from backend.services.web.views import calendar_of, service_or_404, show_bookings, show_service, slot_or_404
from backend.web.act import Day, Form, Run, act, query_of, text, uuid_field
from backend.web.auth import current_user, require
from backend.web.pages import board_community, error_status, error_text, flash, now, render, whole_number
from projections.services import queries as views


# -- the catalog --------------------------------------------------------------------------------------------------
@get("/services", name="services.list")
async def service_list(request: Request[Any, Any, Any], category: FromQuery[str] = "") -> Template:
    place = await board_community(request, None)
    user = await current_user(request)
    rows = await views.services(place["id"], category if category in CATEGORIES else "")
    return await render(
        request,
        "services/list.html",
        community=place,
        services=rows,
        categories=CATEGORIES,
        category=category,
        rates=await views.rates(place["id"], now()),
        next_free=await views.next_free([s["id"] for s in rows], now()),
        provides=bool(user and user.can("service.provide") and await views.providers_of(user.community_id, user.id)),
    )


@get("/services/{service_id:uuid}", name="services.service")
async def service_page(
    request: Request[Any, Any, Any], service_id: FromPath[UUID], start: Annotated[str, query_of(Day)] = ""
) -> Template:
    return await show_service(request, service_id, start=start)


async def _as_resident(
    request: Request[Any, Any, Any], slot_id: UUID, run: Run, done: str | None, back: str = ""
) -> Template | Response[Any]:
    """Book, wait, cancel, reschedule or rate; a refusal re-renders the page it came from with the reason."""
    user = await require(request, "service.book")
    slot = await slot_or_404(slot_id)
    from_bookings = (await request.form()).get("back") == "bookings"

    async def refused(error: DomainError, _form: Form) -> Template:
        if from_bookings:
            return await show_bookings(request, user, error_status(error), booking_error=error_text(error))
        return await show_service(
            request, slot["service_id"], error_status(error), slot_error=error_text(error), error_slot=str(slot_id)
        )

    then = "/bookings" if from_bookings else back or f"/services/{slot['service_id']}#slot-{slot_id}"
    return await act(request, user, run, then=then, refused=refused, done=done)


@post("/slots/{slot_id:uuid}/book", name="services.book")
async def book(
    request: Request[Any, Any, Any], slot_id: FromPath[UUID], data: URLEncodedBody[BookForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        done = await commands.book(rt, ctx, slot_id, text(form, "note"), form.get("waitlist") == "1")
        said = {
            "confirmed": _("Booked. It is in your bookings."),
            "pending": _("Booked; the provider will confirm it."),
            "waitlisted": _("You are on the waitlist: a freed seat comes to you in turn."),
        }
        flash(request, said[done.result["status"]], "success")  # what it says depends on where the booking stands
        return done

    return await _as_resident(request, slot_id, run, None)


@post("/slots/{slot_id:uuid}/cancel", name="services.cancel")
async def cancel(
    request: Request[Any, Any, Any], slot_id: FromPath[UUID], data: URLEncodedBody[BackForm]
) -> Response[Any]:
    return await _as_resident(
        request, slot_id, lambda rt, ctx, form: commands.cancel(rt, ctx, slot_id), _("Cancelled.")
    )


@post("/slots/{slot_id:uuid}/reschedule", name="services.reschedule")
async def reschedule(
    request: Request[Any, Any, Any], slot_id: FromPath[UUID], data: URLEncodedBody[RescheduleForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        target = uuid_field(form, "to_slot_id", "Choose another time.")
        return await commands.reschedule(rt, ctx, slot_id, target)

    return await _as_resident(request, slot_id, run, _("Moved to the new time."), back="/bookings")


@post("/slots/{slot_id:uuid}/rate", name="services.rate")
async def rate(
    request: Request[Any, Any, Any], slot_id: FromPath[UUID], data: URLEncodedBody[RateForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        stars = whole_number(form.get("stars", ""), "stars", "Choose 1 to 5 stars.")
        return await commands.rate(rt, ctx, slot_id, stars, text(form, "comment"))

    return await _as_resident(request, slot_id, run, _("Thank you for rating the service."), back="/bookings")


# -- the resident's bookings -------------------------------------------------------------------------------------
@get("/bookings", name="services.bookings")
async def bookings(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "service.book")
    return await show_bookings(request, user)


@get("/bookings/{booking_id:uuid}/calendar.ics", name="services.calendar")
async def calendar_entry(request: Request[Any, Any, Any], booking_id: FromPath[UUID]) -> Response[bytes]:
    """The booking as a calendar entry (the same UID after a reschedule of the slot is not possible: one per slot)."""
    user = await require(request, "service.book")
    row = await views.booking(booking_id)
    if row is None or str(row["resident_id"]) != str(user.id) or row["status"] not in ("pending", "confirmed"):
        raise NotFoundException(_("No such booking."))
    slot = await slot_or_404(row["slot_id"])
    service = await service_or_404(row["service_id"])
    return Response(
        calendar_of(booking_id, row, slot, service),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="booking-{booking_id.hex[:8]}.ics"'},
    )


routes = [service_list, service_page, book, cancel, reschedule, rate, bookings, calendar_entry]
