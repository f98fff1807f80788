"""The inbox's notices of bookings (services): a reminder of a booking, a seat from the waitlist, a booking confirmed
or declined, a waitlist place passed on — each to the resident the slot's event names. Their texts are services'
(backend.services.web.notices)."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID, uuid5

from backend.services.domain.slot import Slot
from projections.inbox.sources import Row, Stateless, row
from projections.types import Item

NOTIFICATION_NAMESPACE = UUID("f6a8c0e2-4b6d-4f8a-a2c4-6e8f0a2c4e6b")
KINDS = {Slot.Promoted: "promoted", Slot.Passed: "passed", Slot.Confirmed: "confirmed", Slot.Declined: "declined"}


def notification_id_for(item: Item) -> UUID:
    """One notice an event (each names one resident): the ids rows had before the sources were split out."""
    return uuid5(NOTIFICATION_NAMESPACE, f"{item.event.originator_id}|{item.event.originator_version}")


def kind_of(e: Any) -> str:
    if isinstance(e, Slot.Reminded):
        return f"reminder_{e.kind}"
    return KINDS[type(e)]


class BookingNotices(Stateless):
    events: ClassVar[tuple[type, ...]] = (Slot.Promoted, Slot.Passed, Slot.Confirmed, Slot.Declined, Slot.Reminded)

    async def rows(self, item: Item) -> list[Row]:
        e = item.event
        return [
            row(item, e.resident_id, kind_of(e), None, None, getattr(e, "reason", ""), e.originator_id,
                notification_id_for(item))
        ]  # fmt: skip
