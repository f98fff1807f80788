"""What pages and the push round read of the inbox: notifications, what was read, the bell's count and its
channel, the phones subscribed, and what is yet to be pushed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from projections.inbox.tables import InboxState, NotificationView, PushSubscriptionView

PUSH_WITHIN = timedelta(hours=1)  # a notification not pushed by then is stale: the inbox still has it


def bell_channel(resident_id: object) -> str:
    return f"bell:{resident_id}"


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
        .output(load_json=True)
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
        .output(load_json=True)
    )
