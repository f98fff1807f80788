"""Routes of service bookings: the catalog with each service's rates (public), a service's slots to book or wait
for, the resident's bookings (cancel, reschedule, calendar entry, rating), the provider's day and schedule, and the
clerk's catalog of providers and services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from icalendar import Calendar, Event
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.services import commands
from backend.services.domain import CATEGORIES, EARLY_SERVICE, BookingRules, Schedule
from backend.web.auth import User, ctx_for, current_user, require
from backend.web.pages import (
    command_id_from,
    error_status,
    error_text,
    flash,
    found,
    now,
    redirect,
    render,
    today,
    whole_number,
)
from projections import residents
from projections import services as views

DAYS_SHOWN = 14
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
STATUS = {
    "pending": N_("waiting for the provider to confirm"),
    "confirmed": N_("booked"),
    "waitlisted": N_("on the waitlist"),
    "cancelled": N_("cancelled"),
    "passed": N_("waitlist place passed on"),
    "declined": N_("declined by the provider"),
    "done": N_("done"),
    "no_show": N_("no-show"),
}
ACTIVE = ("pending", "confirmed", "waitlisted")


def _uuid(value: object, field: str, message: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise DomainError(message, field) from None


async def _service_or_404(service_id: object) -> dict[str, Any]:
    return found(await views.service(service_id), _("No such service."))


async def _slot_or_404(slot_id: object) -> dict[str, Any]:
    return found(await views.slot(slot_id), _("No such slot."))


# -- the catalog --------------------------------------------------------------------------------------------------
@get("/services", name="services.list")
async def service_list(request: Request[Any, Any, Any], category: FromQuery[str] = "") -> Template:
    from backend.deliberation.web import board_community

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


async def _service_page(
    request: Request[Any, Any, Any], service_id: UUID, status_code: int = 200, start: str = "", **extra: Any
) -> Template:
    service = await _service_or_404(service_id)
    user = await current_user(request)
    try:
        first = max(date.fromisoformat(start), today()) if start else today()
    except ValueError:
        first = today()
    begin = datetime.combine(first, time(), LOCAL_ZONE)
    slots = await views.slots_of(service_id, max(begin, now()), begin + timedelta(days=DAYS_SHOWN))
    days: dict[date, list[dict[str, Any]]] = {}
    for s in slots:
        days.setdefault(s["starts_at"].astimezone(LOCAL_ZONE).date(), []).append(s)
    provider = await views.provider(service["provider_id"])
    return await render(
        request,
        "services/service.html",
        status_code=status_code,
        service=service,
        provider=provider,
        days=days,
        weekdays=WEEKDAYS,
        mine=await views.statuses([s["id"] for s in slots], user.id) if user else {},
        may_book=user is not None and user.can("service.book", service["community_id"]),
        provides=bool(user and provider and str(user.id) in provider["members"]),
        categories=CATEGORIES,
        first=first,
        later=first + timedelta(days=DAYS_SHOWN),
        started=now(),
        **extra,
    )


@get("/services/{service_id:uuid}", name="services.service")
async def service_page(
    request: Request[Any, Any, Any], service_id: FromPath[UUID], start: FromQuery[str] = ""
) -> Template:
    return await _service_page(request, service_id, start=start)


async def _as_resident(
    request: Request[Any, Any, Any], slot_id: UUID, run: Any, success: str | Callable[[Any], str], back: str = ""
) -> Response[Any]:
    """Book, wait, cancel, reschedule or rate; a refusal re-renders the page it came from with the reason."""
    user = await require(request, "service.book")
    slot = await _slot_or_404(slot_id)
    form = await request.form()
    ctx = ctx_for(user, now(), command_id_from(form))
    try:
        done = await run(request.app.state.runtime, ctx, form)
    except DomainError as error:
        if form.get("back") == "bookings":
            return await _bookings_page(request, user, error_status(error), booking_error=error_text(error))
        return await _service_page(
            request, slot["service_id"], error_status(error), slot_error=error_text(error), error_slot=str(slot_id)
        )
    flash(request, _(success) if not callable(success) else success(done), "success")
    if form.get("back") == "bookings":
        return redirect("/bookings")
    return redirect(back or f"/services/{slot['service_id']}#slot-{slot_id}")


@post("/slots/{slot_id:uuid}/book", name="services.book")
async def book(request: Request[Any, Any, Any], slot_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, form: Any) -> Any:
        return await commands.book(rt, ctx, slot_id, str(form.get("note", "")), form.get("waitlist") == "1")

    def said(done: Any) -> str:
        return {
            "confirmed": _("Booked. It is in your bookings."),
            "pending": _("Booked; the provider will confirm it."),
            "waitlisted": _("You are on the waitlist: a freed seat comes to you in turn."),
        }[done.result["status"]]

    return await _as_resident(request, slot_id, run, said)


@post("/slots/{slot_id:uuid}/cancel", name="services.cancel")
async def cancel(request: Request[Any, Any, Any], slot_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, form: Any) -> Any:
        return await commands.cancel(rt, ctx, slot_id)

    return await _as_resident(request, slot_id, run, N_("Cancelled."))


@post("/slots/{slot_id:uuid}/reschedule", name="services.reschedule")
async def reschedule(request: Request[Any, Any, Any], slot_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, form: Any) -> Any:
        target = _uuid(form.get("to_slot_id", ""), "to_slot_id", "Choose another time.")
        return await commands.reschedule(rt, ctx, slot_id, target)

    return await _as_resident(request, slot_id, run, N_("Moved to the new time."), back="/bookings")


@post("/slots/{slot_id:uuid}/rate", name="services.rate")
async def rate(request: Request[Any, Any, Any], slot_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, form: Any) -> Any:
        stars = whole_number(form.get("stars", ""), "stars", "Choose 1 to 5 stars.")
        return await commands.rate(rt, ctx, slot_id, stars, str(form.get("comment", "")))

    return await _as_resident(request, slot_id, run, N_("Thank you for rating the service."), back="/bookings")


# -- the resident's bookings -------------------------------------------------------------------------------------
async def _bookings_page(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    rows = await views.my_bookings(user.id, now() - timedelta(days=1))
    upcoming = [r for r in rows if r["status"] in ACTIVE and r["slot"]["starts_at"] > now()]
    others: dict[str, list[dict[str, Any]]] = {}
    for r in upcoming:  # other free times of the same service, to move to
        if r["status"] != "waitlisted" and str(r["service_id"]) not in others:
            others[str(r["service_id"])] = [
                s
                for s in await views.slots_of(r["service_id"], now(), now() + timedelta(days=DAYS_SHOWN))
                if s["booked"] < s["capacity"] and not s["waitlisted"]
            ][:30]
    places = {
        str(r["slot_id"]): await views.waitlist_place(r["slot_id"], user.id)
        for r in upcoming
        if r["status"] == "waitlisted"
    }
    return await render(
        request,
        "services/bookings.html",
        status_code=status_code,
        upcoming=upcoming,
        recent=[r for r in rows if r not in upcoming],
        to_rate=await views.to_rate(user.id),
        others=others,
        places=places,
        **extra,
    )


@get("/bookings", name="services.bookings")
async def bookings(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "service.book")
    return await _bookings_page(request, user)


@get("/bookings/{booking_id:uuid}/calendar.ics", name="services.calendar")
async def calendar_entry(request: Request[Any, Any, Any], booking_id: FromPath[UUID]) -> Response[bytes]:
    """The booking as a calendar entry (the same UID after a reschedule of the slot is not possible: one per slot)."""
    user = await require(request, "service.book")
    row = await views.booking(booking_id)
    if row is None or str(row["resident_id"]) != str(user.id) or row["status"] not in ("pending", "confirmed"):
        raise NotFoundException(_("No such booking."))
    slot = await _slot_or_404(row["slot_id"])
    service = await _service_or_404(row["service_id"])
    cal = Calendar()
    cal.add("prodid", "-//Linli//services//ZH")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"{booking_id}@linli")
    event.add("dtstamp", now())
    event.add("dtstart", slot["starts_at"].astimezone(LOCAL_ZONE))
    event.add("dtend", slot["ends_at"].astimezone(LOCAL_ZONE))
    event.add("summary", service["name"])
    event.add("location", slot["place"] or row["address"] or _("Home visit"))
    event.add("description", row["note"])
    cal.add_component(event)
    return Response(
        cal.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="booking-{booking_id.hex[:8]}.ics"'},
    )


# -- the provider ---------------------------------------------------------------------------------------------------
async def _provider_of(request: Request[Any, Any, Any], provider_id: object) -> User:
    user = await require(request, "service.provide")
    provider = await views.provider(provider_id)
    if provider is None or str(user.id) not in provider["members"]:
        raise PermissionDeniedException(_("Only the provider's own staff do this."))
    return user


async def _day_page(
    request: Request[Any, Any, Any], user: User, on: date, status_code: int = 200, **extra: Any
) -> Template:
    mine = await views.providers_of(user.community_id, user.id)
    slots = await views.day_of([p["id"] for p in mine], on)
    people = [b["resident_id"] for s in slots for b in s["bookings"]]
    return await render(
        request,
        "services/day.html",
        status_code=status_code,
        providers=mine,
        services=await views.services_of([p["id"] for p in mine]),
        slots=slots,
        names=await residents.full_names(people),
        on=on,
        previous=on - timedelta(days=1),
        following=on + timedelta(days=1),
        started=now(),
        early=EARLY_SERVICE,
        **extra,
    )


@get("/provide", name="services.day")
async def provider_day(request: Request[Any, Any, Any], on: FromQuery[str] = "") -> Template:
    user = await require(request, "service.provide")
    try:
        day = date.fromisoformat(on) if on else today()
    except ValueError:
        day = today()
    return await _day_page(request, user, day)


PROVIDER_ACTIONS = {
    "confirm": N_("Confirmed; the resident is told."),
    "decline": N_("Declined; the resident is told why."),
    "done": N_("Marked done."),
    "no-show": N_("Marked as a no-show."),
}


@post("/slots/{slot_id:uuid}/bookings/{resident_id:uuid}/{act:str}", name="services.provider_act")
async def provider_act(
    request: Request[Any, Any, Any], slot_id: FromPath[UUID], resident_id: FromPath[UUID], act: FromPath[str]
) -> Response[Any]:
    if act not in PROVIDER_ACTIONS:
        raise NotFoundException()
    slot = await _slot_or_404(slot_id)
    user = await _provider_of(request, slot["provider_id"])
    form = await request.form()
    ctx = ctx_for(user, now(), command_id_from(form))
    rt = request.app.state.runtime
    try:
        if act == "confirm":
            await commands.confirm(rt, ctx, slot_id, resident_id)
        elif act == "decline":
            await commands.decline(rt, ctx, slot_id, resident_id, str(form.get("reason", "")))
        else:
            await commands.complete(rt, ctx, slot_id, resident_id, no_show=act == "no-show")
    except DomainError as error:
        day = slot["starts_at"].astimezone(LOCAL_ZONE).date()
        return await _day_page(request, user, day, error_status(error), day_error=error_text(error))
    flash(request, _(PROVIDER_ACTIONS[act]), "success")
    return redirect(f"/provide?on={slot['starts_at'].astimezone(LOCAL_ZONE).date()}#slot-{slot_id}")


SCHEDULE_FIELDS = ("first_day", "weeks", "opens", "closes", "slot_minutes", "capacity", "place", "skipped")


async def _schedule_page(
    request: Request[Any, Any, Any], service_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    service = await _service_or_404(service_id)
    await _provider_of(request, service["provider_id"])
    defaults = {
        "first_day": (today() + timedelta(days=1)).isoformat(),
        "weeks": "4",
        "opens": "09:00",
        "closes": "11:00",
        "slot_minutes": "30",
        "capacity": "1",
        "place": "",
        "skipped": "",
    }
    return await render(
        request,
        "services/schedule.html",
        status_code=status_code,
        service=service,
        weekdays=WEEKDAYS,
        values=extra.pop("values", defaults),
        chosen=extra.pop("chosen", {0, 1, 2, 3, 4}),
        **extra,
    )


@get("/services/{service_id:uuid}/schedule", name="services.schedule")
async def schedule_page(request: Request[Any, Any, Any], service_id: FromPath[UUID]) -> Template:
    return await _schedule_page(request, service_id)


def parse_schedule(values: dict[str, str], weekdays: list[str]) -> Schedule:
    try:
        first = date.fromisoformat(values["first_day"])
    except ValueError:
        raise DomainError("Give the first day (YYYY-MM-DD).", "first_day") from None
    if first > today() + timedelta(days=366):
        raise DomainError("The first day must be within the coming year.", "first_day")
    try:
        opens, closes = time.fromisoformat(values["opens"]), time.fromisoformat(values["closes"])
    except ValueError:
        raise DomainError("Give the opening and closing times (HH:MM).", "opens") from None
    skipped = set()
    for part in values["skipped"].replace("，", ",").replace(" ", ",").split(","):
        if part.strip():
            try:
                skipped.add(date.fromisoformat(part.strip()))
            except ValueError:
                raise DomainError("Skipped days are dates like 2026-12-01, separated by commas.", "skipped") from None
    chosen = set()
    for day in weekdays:
        number = whole_number(day, "weekdays", "Choose at least one weekday.")
        if not 0 <= number <= 6:
            raise DomainError("Choose at least one weekday.", "weekdays")
        chosen.add(number)
    return Schedule(
        first_day=first,
        weeks=whole_number(values["weeks"], "weeks", "Publish 1 to 12 weeks at a time."),
        weekdays=frozenset(chosen),
        opens=opens,
        closes=closes,
        slot_minutes=whole_number(values["slot_minutes"], "slot_minutes", "A slot lasts 15 to 240 minutes."),
        capacity=whole_number(values["capacity"], "capacity", "A slot takes between 1 and 500 people."),
        place=values["place"].strip(),
        skipped=frozenset(skipped),
    )


@post("/services/{service_id:uuid}/schedule", name="services.publish")
async def publish_schedule(request: Request[Any, Any, Any], service_id: FromPath[UUID]) -> Response[Any]:
    service = await _service_or_404(service_id)
    user = await _provider_of(request, service["provider_id"])
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in SCHEDULE_FIELDS}
    weekdays = [str(d) for d in form.getall("weekdays", [])] if hasattr(form, "getall") else []
    try:
        done = await commands.publish_schedule(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            service_id,
            parse_schedule(values, weekdays),
        )
    except DomainError as error:
        chosen = {int(d) for d in weekdays if d.isdigit()}
        return await _schedule_page(
            request,
            service_id,
            error_status(error),
            values=values,
            chosen=chosen,
            schedule_error=error_text(error),
            error_field=error.field,
        )
    flash(request, _("%(n)s slots published.", n=done.result["slots"]), "success")
    return redirect(f"/services/{service_id}?start={values['first_day']}")


# -- the clerk's catalog ---------------------------------------------------------------------------------------------
async def _catalog_page(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "service.catalog")
    providers = await views.providers(user.community_id)
    holders = [str(r) for r in await residents.holding(user.community_id, ["service_provider"], today())]
    return await render(
        request,
        "services/catalog.html",
        status_code=status_code,
        providers=providers,
        services=await views.services(user.community_id),
        provider_names={str(p["id"]): p["name"] for p in providers},
        names=await residents.full_names([*holders, *(m for p in providers for m in p["members"])]),
        holders=holders,
        categories=CATEGORIES,
        values=extra.pop("values", {"min_notice_hours": "2", "cancel_hours": "2", "per_week": "2"}),
        **extra,
    )


@get("/services/catalog", name="services.catalog")
async def catalog(request: Request[Any, Any, Any]) -> Template:
    return await _catalog_page(request)


@post("/providers", name="services.create_provider")
async def create_provider(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require(request, "service.catalog")
    form = await request.form()
    try:
        await commands.create_provider(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            str(form.get("name", "")),
            str(form.get("description", "")),
        )
    except DomainError as error:
        return await _catalog_page(request, error_status(error), provider_error=error_text(error))
    flash(request, _("The provider is added."), "success")
    return redirect("/services/catalog")


@post("/providers/{provider_id:uuid}/members", name="services.add_member")
async def add_member(request: Request[Any, Any, Any], provider_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "service.catalog")
    found(await views.provider(provider_id), _("No such provider."))
    form = await request.form()
    try:
        resident = _uuid(form.get("resident_id", ""), "resident_id", "Choose a resident with the provider role.")
        await commands.add_member(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), provider_id, resident
        )
    except DomainError as error:
        return await _catalog_page(request, error_status(error), member_error=error_text(error))
    flash(request, _("The provider's account is added."), "success")
    return redirect("/services/catalog")


def _rules(form: Any) -> BookingRules:
    return BookingRules(
        whole_number(
            form.get("min_notice_hours", ""), "min_notice_hours", "The minimum notice is between 0 and 168 hours."
        ),
        whole_number(
            form.get("cancel_hours", ""), "cancel_hours", "The cancellation cutoff is between 0 and 168 hours."
        ),
        whole_number(form.get("per_week", ""), "per_week", "Allow between 1 and 20 bookings per resident per week."),
        form.get("confirm") == "1",
    )


SERVICE_FIELDS = ("provider_id", "name", "category", "description", "min_notice_hours", "cancel_hours", "per_week")


@post("/services/new", name="services.create")
async def create_service(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require(request, "service.catalog")
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in SERVICE_FIELDS}
    try:
        provider = _uuid(values["provider_id"], "provider_id", "Choose the provider.")
        done = await commands.create_service(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            provider,
            values["name"],
            values["category"],
            values["description"],
            _rules(form),
        )
    except DomainError as error:
        return await _catalog_page(request, error_status(error), values=values, service_error=error_text(error))
    flash(request, _("The service is in the catalog; its provider publishes the schedule."), "success")
    return redirect(f"/services/{done.result['service_id']}")


@post("/services/{service_id:uuid}/rules", name="services.rules")
async def change_rules(request: Request[Any, Any, Any], service_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "service.catalog")
    await _service_or_404(service_id)
    form = await request.form()
    try:
        await commands.change_rules(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), service_id, _rules(form)
        )
    except DomainError as error:
        return await _catalog_page(request, error_status(error), rules_error=error_text(error))
    flash(request, _("The booking rules are changed."), "success")
    return redirect("/services/catalog")


# -- notifications ------------------------------------------------------------------------------------------------
async def notification_text(row: dict[str, Any]) -> tuple[str, str, str]:
    """A notification's title, text and link, in the current language."""
    slot = await views.slot(row["slot_id"]) if row["slot_id"] else None
    service = await views.service(slot["service_id"]) if slot else None
    if slot is None or service is None:
        return "", _("A booking changed."), "/bookings"
    when = slot["starts_at"].astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M")
    where = slot["place"] or _("home visit")
    name = service["name"]
    texts = {
        "promoted": (
            _("A seat is yours"),
            _("%(service)s on %(when)s: a seat freed and it is yours.", service=name, when=when),
        ),
        "passed": (
            _("Waitlist place passed on"),
            _("%(service)s on %(when)s: %(reason)s", service=name, when=when, reason=_(row["reason"])),
        ),
        "confirmed": (
            _("Booking confirmed"),
            _("%(service)s on %(when)s, %(where)s.", service=name, when=when, where=where),
        ),
        "declined": (
            _("Booking declined"),
            _("%(service)s on %(when)s: %(reason)s", service=name, when=when, reason=row["reason"]),
        ),
        "reminder_day": (_("Tomorrow: %(service)s", service=name), _("%(when)s, %(where)s.", when=when, where=where)),
        "reminder_hour": (
            _("In an hour: %(service)s", service=name),
            _("%(when)s, %(where)s.", when=when, where=where),
        ),
    }
    title, text = texts.get(row["kind"], ("", _("A booking changed.")))
    return title, text, "/bookings"


routes = [
    service_list,
    catalog,
    service_page,
    book,
    cancel,
    reschedule,
    rate,
    bookings,
    calendar_entry,
    provider_day,
    provider_act,
    schedule_page,
    publish_schedule,
    create_provider,
    add_member,
    create_service,
    change_rules,
]
