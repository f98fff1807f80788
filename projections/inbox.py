"""Inbox views: each resident's notifications, derived from the events that concern them (a reminder of a booking,
a seat from the waitlist, a booking confirmed or declined, a waitlist place passed on), what they have read, and
the phones subscribed to Web Push."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID as PyUUID
from uuid import uuid5

from piccolo.columns import UUID, BigInt, Boolean, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.inbox.domain import Inbox
from backend.services.domain import Slot
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage

NOTIFICATION_NAMESPACE = PyUUID("f6a8c0e2-4b6d-4f8a-a2c4-6e8f0a2c4e6b")
PUSH_WITHIN = timedelta(hours=1)  # a notification not pushed by then is stale: the inbox still has it


class NotificationView(Table, tablename="inbox_notification"):
    id = UUID(primary_key=True)
    resident_id = UUID(index=True)
    kind = Varchar(length=20)  # promoted | passed | confirmed | declined | reminder_day | reminder_hour
    slot_id = UUID(null=True, default=None)
    reason = Text(default="")
    created_at = Timestamptz()
    position = BigInt(index=True)
    pushed = Boolean(default=False)


class InboxState(Table, tablename="inbox_state"):
    resident_id = UUID(primary_key=True)
    read_up_to = BigInt(default=0)


class PushSubscriptionView(Table, tablename="inbox_push_subscription"):
    resident_id = UUID(index=True)
    endpoint = Text()
    p256dh = Varchar(length=200)
    auth = Varchar(length=200)


def notification_id_for(item: Item) -> PyUUID:
    return uuid5(NOTIFICATION_NAMESPACE, f"{item.event.originator_id}|{item.event.originator_version}")


def kind_of(e: Any) -> str:
    if isinstance(e, Slot.Reminded):
        return f"reminder_{e.kind}"
    return {Slot.Promoted: "promoted", Slot.Passed: "passed", Slot.Confirmed: "confirmed", Slot.Declined: "declined"}[
        type(e)
    ]


class InboxProjection:
    name = "inbox"
    tables: ClassVar[Sequence[type[Table]]] = (NotificationView, InboxState, PushSubscriptionView)
    handles: ClassVar[Sequence[type]] = (
        Slot.Promoted,
        Slot.Passed,
        Slot.Confirmed,
        Slot.Declined,
        Slot.Reminded,
        Inbox.Read,
        Inbox.Subscribed,
        Inbox.Unsubscribed,
        Inbox.Pushed,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        told: set[PyUUID] = set()
        for item in items:
            e = item.event
            if isinstance(e, Slot.Event):
                row = {
                    "id": notification_id_for(item),
                    "resident_id": e.resident_id,
                    "kind": kind_of(e),
                    "slot_id": e.originator_id,
                    "reason": getattr(e, "reason", ""),
                    "created_at": e.timestamp,
                    "position": item.position,
                    "pushed": False,
                }
                await bulk_insert(NotificationView, [row])
                told.add(e.resident_id)
            elif isinstance(e, Inbox.Read):
                await bulk_execute(InboxState, "DELETE FROM inbox_state WHERE resident_id = ?", [(e.actor_id,)])
                await bulk_insert(InboxState, [{"resident_id": e.actor_id, "read_up_to": e.up_to}])
                told.add(e.actor_id)
            elif isinstance(e, Inbox.Subscribed):
                await self._unsubscribe(e.endpoint)
                row = {"resident_id": e.actor_id, "endpoint": e.endpoint, "p256dh": e.p256dh, "auth": e.auth}
                await bulk_insert(PushSubscriptionView, [row])
            elif isinstance(e, Inbox.Unsubscribed):
                await self._unsubscribe(e.endpoint)
            elif isinstance(e, Inbox.Pushed):
                await bulk_execute(
                    NotificationView,
                    "UPDATE inbox_notification SET pushed = ? WHERE id = ?",
                    [(True, e.notification_id)],
                )
        return [(bell_channel(r), {"unread": await unread(r)}) for r in told]

    async def _unsubscribe(self, endpoint: str) -> None:
        await bulk_execute(
            PushSubscriptionView, "DELETE FROM inbox_push_subscription WHERE endpoint = ?", [(endpoint,)]
        )


def bell_channel(resident_id: object) -> str:
    return f"bell:{resident_id}"


# -- reading ----------------------------------------------------------------------------------------------------
async def read_up_to(resident_id: object) -> int:
    row = await InboxState.select(InboxState.read_up_to).where(InboxState.resident_id == resident_id).first()
    return int(row["read_up_to"]) if row else 0


async def unread(resident_id: object) -> int:
    """The bell's count, in one query (it is on every page a signed-in resident opens)."""
    rows = await NotificationView.raw(
        "SELECT COUNT(*) AS n FROM inbox_notification WHERE resident_id = {} AND position > "
        "COALESCE((SELECT read_up_to FROM inbox_state WHERE resident_id = {}), 0)",
        resident_id,
        resident_id,
    )
    return int(rows[0]["n"])


async def notifications(resident_id: object, limit: int = 50) -> list[dict[str, Any]]:
    return await (
        NotificationView.select()
        .where(NotificationView.resident_id == resident_id)
        .order_by(NotificationView.position, ascending=False)
        .limit(limit)
    )


async def phones(resident_id: object) -> list[dict[str, Any]]:
    return await PushSubscriptionView.select().where(PushSubscriptionView.resident_id == resident_id)


async def to_push(now: datetime) -> list[dict[str, Any]]:
    """Notifications of the last hour not yet pushed, of residents with a subscribed phone, oldest first."""
    subscribed = [r["resident_id"] for r in await PushSubscriptionView.select(PushSubscriptionView.resident_id)]
    if not subscribed:
        return []
    return await (
        NotificationView.select()
        .where(
            (NotificationView.pushed == False)  # noqa: E712 (a Piccolo expression)
            & NotificationView.resident_id.is_in(list(set(subscribed)))
            & (NotificationView.created_at > now - PUSH_WITHIN)
        )
        .order_by(NotificationView.position)
    )
