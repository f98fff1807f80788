"""The projection of service bookings: the catalog, slots and each booking's status from the events of providers,
services and slots; after each batch, the touched slots' seat counts and each resident's new place, for live
pages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID as PyUUID

from piccolo.table import Table

from backend.services.domain.provider import Provider
from backend.services.domain.rules import HELD, booking_id_for
from backend.services.domain.service import Service
from backend.services.domain.slot import Slot
from projections.db import bulk_execute, bulk_insert
from projections.services.queries import bookings_channel, provider, seat_counts
from projections.services.tables import BookingView, ProviderView, ServiceView, SlotView
from projections.types import Item, LiveMessage


class ServicesProjection:
    name = "services"
    tables: ClassVar[Sequence[type[Table]]] = (ProviderView, ServiceView, SlotView, BookingView)
    handles: ClassVar[Sequence[type]] = (
        Provider.Created,
        Provider.MemberAdded,
        Service.Created,
        Service.RulesChanged,
        Slot.Published,
        Slot.Booked,
        Slot.Waitlisted,
        Slot.Cancelled,
        Slot.Promoted,
        Slot.Passed,
        Slot.Confirmed,
        Slot.Declined,
        Slot.Completed,
        Slot.Rated,
        Slot.Reminded,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        touched: dict[PyUUID, set[PyUUID]] = defaultdict(set)  # slot -> residents whose place changed
        for item in items:
            e = item.event
            if isinstance(e, Slot.Event):
                await self._slot(item)
                touched[e.originator_id].update([e.resident_id] if hasattr(e, "resident_id") else [])
            elif isinstance(e, Service.Event):
                await self._service(item)
            elif isinstance(e, Provider.Created):
                row = {"id": e.originator_id, "community_id": e.community_id, "name": e.name}
                await bulk_insert(
                    ProviderView, [{**row, "description": e.description, "members": [], "created_at": e.timestamp}]
                )
            elif isinstance(e, Provider.MemberAdded):
                found = await provider(e.originator_id)
                members = [*(found["members"] if found else []), str(e.resident_id)]
                await bulk_execute(
                    ProviderView, "UPDATE service_provider SET members = ? WHERE id = ?", [(members, e.originator_id)]
                )
        return await self._counts(touched)

    async def _service(self, item: Item) -> None:
        e = item.event
        if isinstance(e, Service.Created):
            await bulk_insert(
                ServiceView,
                [
                    {
                        "id": e.originator_id,
                        "community_id": e.community_id,
                        "provider_id": e.provider_id,
                        "name": e.name,
                        "category": e.category,
                        "description": e.description,
                        "min_notice_hours": e.min_notice_hours,
                        "cancel_hours": e.cancel_hours,
                        "per_week": e.per_week,
                        "confirm": e.confirm,
                        "created_at": e.timestamp,
                    }
                ],
            )
        elif isinstance(e, Service.RulesChanged):
            await bulk_execute(
                ServiceView,
                "UPDATE service_catalog SET min_notice_hours = ?, cancel_hours = ?, per_week = ?, confirm = ? "
                "WHERE id = ?",
                [(e.min_notice_hours, e.cancel_hours, e.per_week, e.confirm, e.originator_id)],
            )

    async def _slot(self, item: Item) -> None:
        e, sid = item.event, item.event.originator_id
        if isinstance(e, Slot.Published):
            await bulk_insert(
                SlotView,
                [
                    {
                        "id": sid,
                        "community_id": e.community_id,
                        "service_id": e.service_id,
                        "provider_id": e.provider_id,
                        "starts_at": e.starts_at,
                        "ends_at": e.ends_at,
                        "capacity": e.capacity,
                        "place": e.place,
                        "booked": 0,
                        "waitlisted": 0,
                    }
                ],
            )
            return
        bid = booking_id_for(sid, e.resident_id)
        if isinstance(e, Slot.Booked | Slot.Waitlisted):
            found = await SlotView.select(SlotView.service_id, SlotView.starts_at, SlotView.ends_at).where(
                SlotView.id == sid
            )
            await bulk_execute(BookingView, "DELETE FROM service_booking WHERE id = ?", [(bid,)])
            status = e.status if isinstance(e, Slot.Booked) else "waitlisted"
            await bulk_insert(
                BookingView,
                [
                    {
                        "id": bid,
                        "community_id": e.community_id,
                        "slot_id": sid,
                        "service_id": found[0]["service_id"],
                        "resident_id": e.resident_id,
                        "status": status,
                        "note": e.note,
                        "address": e.address,
                        "reason": "",
                        "joined_position": item.position,
                        "starts_at": found[0]["starts_at"],
                        "ends_at": found[0]["ends_at"],
                        "booked_at": e.timestamp,
                        "needs_answer": status == "pending",
                        "answered_at": None,
                        "reminded": "",
                        "stars": None,
                        "comment": "",
                        "assisted_by": e.actor_id if e.on_behalf_of else None,
                    }
                ],
            )
        elif isinstance(e, Slot.Promoted):
            await bulk_execute(
                BookingView,
                "UPDATE service_booking SET status = ?, booked_at = ?, needs_answer = ? WHERE id = ?",
                [(e.status, e.timestamp, e.status == "pending", bid)],
            )
        elif isinstance(e, Slot.Passed | Slot.Declined):
            await bulk_execute(
                BookingView,
                "UPDATE service_booking SET status = ?, reason = ?, answered_at = ? WHERE id = ?",
                [("passed" if isinstance(e, Slot.Passed) else "declined", e.reason, e.timestamp, bid)],
            )
        elif isinstance(e, Slot.Confirmed):
            await bulk_execute(
                BookingView,
                "UPDATE service_booking SET status = ?, answered_at = ? WHERE id = ?",
                [("confirmed", e.timestamp, bid)],
            )
        elif isinstance(e, Slot.Completed):
            await bulk_execute(
                BookingView,
                "UPDATE service_booking SET status = ?, answered_at = COALESCE(answered_at, ?) WHERE id = ?",
                [("no_show" if e.no_show else "done", e.timestamp, bid)],
            )
        elif isinstance(e, Slot.Rated):
            await bulk_execute(
                BookingView,
                "UPDATE service_booking SET stars = ?, comment = ? WHERE id = ?",
                [(e.stars, e.comment, bid)],
            )
        elif isinstance(e, Slot.Reminded):
            await bulk_execute(
                BookingView,
                "UPDATE service_booking SET reminded = reminded || ? WHERE id = ?",
                [(f"{e.kind} ", bid)],
            )
        else:  # Cancelled
            await bulk_execute(BookingView, "UPDATE service_booking SET status = ? WHERE id = ?", [("cancelled", bid)])

    async def _counts(self, touched: dict[PyUUID, set[PyUUID]]) -> list[LiveMessage]:
        """Seat counts of the slots this batch touched, one small message per service; and to each resident whose
        place changed, where they now stand (their own channel)."""
        if not touched:
            return []
        slots = list(touched)
        counts: dict[PyUUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        status: dict[tuple[PyUUID, PyUUID], str] = {}
        for row in await BookingView.select(BookingView.slot_id, BookingView.resident_id, BookingView.status).where(
            BookingView.slot_id.is_in(slots)
        ):
            sid = _uuid(row["slot_id"])
            if row["status"] == "waitlisted":
                counts[sid]["waitlisted"] += 1
            elif row["status"] in HELD:
                counts[sid]["booked"] += 1
            status[(sid, _uuid(row["resident_id"]))] = row["status"]
        await bulk_execute(
            SlotView,
            "UPDATE service_slot SET booked = ?, waitlisted = ? WHERE id = ?",
            [(counts[s]["booked"], counts[s]["waitlisted"], s) for s in slots],
        )
        by_service: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for slot in await SlotView.select().where(SlotView.id.is_in(slots)):
            by_service[str(slot["service_id"])].append(seat_counts(slot))
        messages: list[LiveMessage] = [(f"service:{s}", {"slots": rows}) for s, rows in by_service.items()]
        mine: dict[str, list[dict[str, str]]] = defaultdict(list)
        for slot_id, residents in touched.items():
            for resident_id in residents:
                mine[bookings_channel(resident_id)].append(
                    {"slot": str(slot_id), "status": status.get((slot_id, resident_id), "")}
                )
        return [*messages, *((channel, {"mines": m}) for channel, m in mine.items())]


def _uuid(value: object) -> PyUUID:
    return value if type(value) is PyUUID else PyUUID(str(value))  # type: ignore[return-value]
