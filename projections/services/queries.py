"""What pages, live updates and the reminders' round read of the service bookings views; and the shapes of the live
messages (a service's seat counts, a resident's own channel)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain.rules import ACTIVE, HELD, WHEN_REMINDED
from projections.services.tables import BookingView, ProviderView, ServiceView, SlotView


def bookings_channel(resident_id: object) -> str:
    return f"bookings:{resident_id}"


def seat_counts(slot: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(slot["id"]),
        "capacity": slot["capacity"],
        "booked": slot["booked"],
        "waitlisted": slot["waitlisted"],
    }


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
