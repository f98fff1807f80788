"""The pages of service bookings (what each shows, built from the views) and the labels of a booking's status."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from icalendar import Calendar, Event
from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.response import Template

from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain.rules import CATEGORIES, EARLY_SERVICE
from backend.web.act import day_shown
from backend.web.auth import User, current_user, require
from backend.web.pages import found, now, render, today
from projections.residents import queries as residents
from projections.services import queries as views

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


async def service_or_404(service_id: object) -> dict[str, Any]:
    return found(await views.service(service_id), _("No such service."))


async def slot_or_404(slot_id: object) -> dict[str, Any]:
    return found(await views.slot(slot_id), _("No such slot."))


async def provider_of(request: Request[Any, Any, Any], provider_id: object) -> User:
    """The signed-in member of this provider's staff (anyone else is refused)."""
    user = await require(request, "service.provide")
    provider = await views.provider(provider_id)
    if provider is None or str(user.id) not in provider["members"]:
        raise PermissionDeniedException(_("Only the provider's own staff do this."))
    return user


# -- the resident -------------------------------------------------------------------------------------------------
async def show_service(
    request: Request[Any, Any, Any], service_id: UUID, status_code: int = 200, start: str = "", **extra: Any
) -> Template:
    service = await service_or_404(service_id)
    user = await current_user(request)
    first = max(day_shown(start) or today(), today())
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


async def show_bookings(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
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


def calendar_of(booking_id: UUID, row: dict[str, Any], slot: dict[str, Any], service: dict[str, Any]) -> bytes:
    """The booking as an iCalendar file."""
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
    return cal.to_ical()


# -- the provider ---------------------------------------------------------------------------------------------------
async def show_day(
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
        names=await residents.full_names(request.app.state.runtime.personal, people),
        on=on,
        previous=on - timedelta(days=1),
        following=on + timedelta(days=1),
        started=now(),
        early=EARLY_SERVICE,
        **extra,
    )


async def show_schedule(
    request: Request[Any, Any, Any], service_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    service = await service_or_404(service_id)
    await provider_of(request, service["provider_id"])
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


# -- the clerk ------------------------------------------------------------------------------------------------------
async def show_catalog(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
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
        names=await residents.full_names(
            request.app.state.runtime.personal, [*holders, *(m for p in providers for m in p["members"])]
        ),
        holders=holders,
        categories=CATEGORIES,
        values=extra.pop("values", {"min_notice_hours": "2", "cancel_hours": "2", "per_week": "2"}),
        **extra,
    )
