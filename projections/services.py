"""Service bookings views: providers, the catalog, slots with seat counts, each booking (and waitlist place) with its
status, response, completion and rating; the services' rates for the board."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID as PyUUID

from piccolo.columns import JSON, UUID, BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain import ACTIVE, HELD, WHEN_REMINDED, Provider, Service, Slot, booking_id_for
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage


class ProviderView(Table, tablename="service_provider"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    name = Varchar(length=60)
    description = Text()
    members = JSON()
    created_at = Timestamptz()


class ServiceView(Table, tablename="service_catalog"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    provider_id = UUID(index=True)
    name = Varchar(length=60)
    category = Varchar(length=20)
    description = Text()
    min_notice_hours = Integer()
    cancel_hours = Integer()
    per_week = Integer()
    confirm = Boolean()
    created_at = Timestamptz()


class SlotView(Table, tablename="service_slot"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    service_id = UUID(index=True)
    provider_id = UUID(index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer()
    place = Varchar(length=60)  # "" = a home visit
    booked = Integer(default=0)
    waitlisted = Integer(default=0)


class BookingView(Table, tablename="service_booking"):
    """One row per resident and slot: pending | confirmed | waitlisted | cancelled | passed | declined | done |
    no_show."""

    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    slot_id = UUID(index=True)
    service_id = UUID(index=True)
    resident_id = UUID(index=True)
    status = Varchar(length=12)
    note = Text(default="")
    address = Varchar(length=80, default="")
    reason = Text(default="")  # why declined, or why a waitlist place passed on
    joined_position = BigInt()  # the waitlist's order
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    booked_at = Timestamptz()
    needs_answer = Boolean(default=False)  # booked while the service asks its provider to confirm
    answered_at = Timestamptz(null=True, default=None)
    reminded = Varchar(length=20, default="")
    stars = Integer(null=True, default=None)
    comment = Text(default="")
    assisted_by = UUID(null=True, default=None)


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


def bookings_channel(resident_id: object) -> str:
    return f"bookings:{resident_id}"


def seat_counts(slot: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(slot["id"]),
        "capacity": slot["capacity"],
        "booked": slot["booked"],
        "waitlisted": slot["waitlisted"],
    }


def _uuid(value: object) -> PyUUID:
    return value if type(value) is PyUUID else PyUUID(str(value))  # type: ignore[return-value]


# -- reading ----------------------------------------------------------------------------------------------------
async def provider(provider_id: object) -> dict[str, Any] | None:
    return await ProviderView.select().where(ProviderView.id == provider_id).output(load_json=True).first()


async def providers(community_id: object) -> list[dict[str, Any]]:
    return (
        await ProviderView.select()
        .where(ProviderView.community_id == community_id)
        .order_by(ProviderView.name)
        .output(load_json=True)
    )


async def providers_of(community_id: object, resident_id: object) -> list[dict[str, Any]]:
    return [p for p in await providers(community_id) if str(resident_id) in p["members"]]


async def service(service_id: object) -> dict[str, Any] | None:
    return await ServiceView.select().where(ServiceView.id == service_id).first()


async def services(community_id: object, category: str = "") -> list[dict[str, Any]]:
    query = ServiceView.select().where(ServiceView.community_id == community_id)
    if category:
        query = query.where(ServiceView.category == category)
    return await query.order_by(ServiceView.name)


async def services_of(provider_ids: list[object]) -> list[dict[str, Any]]:
    if not provider_ids:
        return []
    return await ServiceView.select().where(ServiceView.provider_id.is_in(provider_ids)).order_by(ServiceView.name)


async def slot(slot_id: object) -> dict[str, Any] | None:
    return await SlotView.select().where(SlotView.id == slot_id).first()


async def slots_of(service_id: object, after: datetime, until: datetime | None = None) -> list[dict[str, Any]]:
    query = SlotView.select().where((SlotView.service_id == service_id) & (SlotView.ends_at > after))
    if until is not None:
        query = query.where(SlotView.starts_at < until)
    return await query.order_by(SlotView.starts_at)


async def next_free(service_ids: list[object], after: datetime) -> dict[str, datetime]:
    """Each service's next slot with a free seat."""
    found: dict[str, datetime] = {}
    if service_ids:
        for row in (
            await SlotView.select(SlotView.service_id, SlotView.starts_at)
            .where(
                SlotView.service_id.is_in(service_ids)
                & (SlotView.starts_at > after)
                & (SlotView.booked < SlotView.capacity)
            )
            .order_by(SlotView.starts_at)
        ):
            found.setdefault(str(row["service_id"]), row["starts_at"])
    return found


async def booking(booking_id: object) -> dict[str, Any] | None:
    return await BookingView.select().where(BookingView.id == booking_id).first()


async def statuses(slot_ids: list[object], resident_id: object) -> dict[str, str]:
    """The resident's status on each of these slots (slot id -> status), where they have one."""
    if not slot_ids:
        return {}
    rows = await BookingView.select(BookingView.slot_id, BookingView.status).where(
        BookingView.slot_id.is_in(slot_ids) & (BookingView.resident_id == resident_id)
    )
    return {str(r["slot_id"]): r["status"] for r in rows}


async def waitlist_place(slot_id: object, resident_id: object) -> int:
    rows = (
        await BookingView.select(BookingView.resident_id)
        .where((BookingView.slot_id == slot_id) & (BookingView.status == "waitlisted"))
        .order_by(BookingView.joined_position)
    )
    ids = [str(r["resident_id"]) for r in rows]
    return ids.index(str(resident_id)) + 1 if str(resident_id) in ids else 0


async def my_bookings(resident_id: object, since: datetime) -> list[dict[str, Any]]:
    """The resident's bookings (all statuses) of slots ending after `since`, soonest first, with service and slot."""
    rows = await (
        BookingView.select()
        .where((BookingView.resident_id == resident_id) & (BookingView.ends_at > since))
        .order_by(BookingView.starts_at)
    )
    return await _with_slots(rows)


async def _with_slots(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    slots = {str(s["id"]): s for s in await SlotView.select().where(SlotView.id.is_in([r["slot_id"] for r in rows]))}
    names = {
        str(s["id"]): s["name"]
        for s in await ServiceView.select(ServiceView.id, ServiceView.name).where(
            ServiceView.id.is_in([r["service_id"] for r in rows])
        )
    }
    return [{**r, "slot": slots[str(r["slot_id"])], "service": names.get(str(r["service_id"]), "")} for r in rows]


async def to_rate(resident_id: object) -> list[dict[str, Any]]:
    """Bookings done and not yet rated."""
    rows = await (
        BookingView.select()
        .where((BookingView.resident_id == resident_id) & (BookingView.status == "done") & BookingView.stars.is_null())
        .order_by(BookingView.starts_at, ascending=False)
        .limit(20)
    )
    return await _with_slots(rows)


async def day_of(provider_ids: list[object], day: date) -> list[dict[str, Any]]:
    """The providers' slots on a day (China time) with their bookings and waitlists in order."""
    if not provider_ids:
        return []
    start = datetime.combine(day, datetime.min.time(), LOCAL_ZONE)
    slots = await (
        SlotView.select()
        .where(
            SlotView.provider_id.is_in(provider_ids)
            & (SlotView.starts_at >= start)
            & (SlotView.starts_at < start + timedelta(days=1))
        )
        .order_by(SlotView.starts_at)
    )
    if not slots:
        return []
    names = {str(s["id"]): s["name"] for s in await services_of(provider_ids)}
    bookings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        await BookingView.select()
        .where(BookingView.slot_id.is_in([s["id"] for s in slots]))
        .order_by(BookingView.joined_position)
    ):
        bookings[str(row["slot_id"])].append(row)
    order = {"pending": 0, "confirmed": 0, "done": 0, "no_show": 0, "waitlisted": 1}
    return [
        {
            **s,
            "service": names.get(str(s["service_id"]), ""),
            "bookings": sorted(bookings[str(s["id"])], key=lambda b: order.get(b["status"], 2)),
        }
        for s in slots
    ]


async def rates(community_id: object, now: datetime) -> dict[str, dict[str, Any]]:
    """Each service's 响应率 (bookings needing the provider's answer that got one), 办结率 (bookings kept whose
    time has come, no-shows aside, that were marked done) and 满意率 (ratings of 4 or 5 stars), with the counts
    behind them. A rate with nothing to count is None."""
    rows = await BookingView.select(
        BookingView.service_id,
        BookingView.status,
        BookingView.needs_answer,
        BookingView.answered_at,
        BookingView.starts_at,
        BookingView.stars,
    ).where((BookingView.community_id == community_id) & BookingView.status.is_in([*HELD, "declined"]))
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        c = found[str(r["service_id"])]
        if r["needs_answer"]:
            c["asked"] += 1
            c["answered"] += r["answered_at"] is not None
        if r["status"] == "done" or (r["status"] in ACTIVE and r["starts_at"] <= now):
            c["due"] += 1
            c["done"] += r["status"] == "done"
        if r["stars"] is not None:
            c["rated"] += 1
            c["satisfied"] += r["stars"] >= 4
            c["stars"] += r["stars"]
    return {
        service_id: {
            **c,
            "response": _share(c["answered"], c["asked"]),
            "completion": _share(c["done"], c["due"]),
            "satisfaction": _share(c["satisfied"], c["rated"]),
            "average": round(c["stars"] / c["rated"], 1) if c["rated"] else None,
        }
        for service_id, c in found.items()
    }


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


async def reminders_due(now: datetime) -> list[dict[str, Any]]:
    """Slots with an active booking whose day-before or hour-before reminder is due and not yet recorded (the slot
    decides again when it records them)."""
    rows = await BookingView.select(
        BookingView.slot_id,
        BookingView.community_id,
        BookingView.reminded,
        BookingView.starts_at,
        BookingView.booked_at,
    ).where(
        BookingView.status.is_in(list(ACTIVE))
        & (BookingView.starts_at > now)
        & (BookingView.starts_at <= now + WHEN_REMINDED["day"])
    )
    due: dict[str, dict[str, Any]] = {}
    for r in rows:
        kind = "hour" if r["starts_at"] - now <= WHEN_REMINDED["hour"] else "day"
        if kind not in r["reminded"] and r["booked_at"] < r["starts_at"] - WHEN_REMINDED[kind]:
            due.setdefault(str(r["slot_id"]), r)
    return list(due.values())
