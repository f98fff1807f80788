"""The texts of a booking's notifications (a seat from the waitlist, a confirmation, a decline, a reminder), for the
inbox and the push messages."""

from __future__ import annotations

from typing import Any

from backend.i18n import gettext as _
from backend.kernel.zone import LOCAL_ZONE
from projections.services import queries as views


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
