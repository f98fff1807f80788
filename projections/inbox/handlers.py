"""The inbox projection: each resident's notifications, derived from the events that concern them (a reminder of a
booking, a seat from the waitlist, a booking confirmed or declined, a waitlist place passed on; a step of a case they
raised or handle: projections/inbox/cases.py), what they have read, and the phones subscribed to Web Push."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID as PyUUID
from uuid import uuid5

from piccolo.table import Table

from backend.casework.domain.case import Case
from backend.inbox.domain.inbox import Inbox
from backend.services.domain.slot import Slot
from projections.db import bulk_execute, bulk_insert
from projections.inbox.cases import EVENTS as CASE_EVENTS
from projections.inbox.cases import CaseNotices
from projections.inbox.queries import bell_channel, unread
from projections.inbox.tables import InboxState, NotificationView, PushSubscriptionView
from projections.types import Item, LiveMessage

NOTIFICATION_NAMESPACE = PyUUID("f6a8c0e2-4b6d-4f8a-a2c4-6e8f0a2c4e6b")


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
        *CASE_EVENTS,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        told: set[PyUUID] = set()
        cases, of_cases = CaseNotices(), []
        await cases.load(items)
        for item in items:
            e = item.event
            if isinstance(e, Case.Event):
                of_cases += await cases.rows(item)
            elif isinstance(e, Slot.Event):
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
        await bulk_insert(NotificationView, of_cases)  # one statement for the batch's notices of cases
        told.update(r["resident_id"] for r in of_cases)
        return [(bell_channel(r), {"unread": await unread(r)}) for r in told]

    async def _unsubscribe(self, endpoint: str) -> None:
        await bulk_execute(
            PushSubscriptionView, "DELETE FROM inbox_push_subscription WHERE endpoint = ?", [(endpoint,)]
        )
