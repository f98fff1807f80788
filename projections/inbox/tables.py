"""The inbox's view tables: each resident's notifications, what they have read, and the phones subscribed to Web
Push."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Boolean, Text, Timestamptz, Varchar
from piccolo.table import Table


class NotificationView(Table, tablename="inbox_notification"):
    """One notice to one resident, derived from an event of another context. `kind` says which context's text
    reads it (backend.inbox.texts): services' (promoted | passed | confirmed | declined | reminder_day |
    reminder_hour, about `slot_id`) or casework's (case_…, about the case `subject_id`, with small `params`)."""

    id = UUID(primary_key=True)
    resident_id = UUID(index=True)
    kind = Varchar(length=20)
    slot_id = UUID(null=True, default=None)
    reason = Text(default="")
    created_at = Timestamptz()
    position = BigInt(index=True)
    pushed = Boolean(default=False)
    subject_id = UUID(null=True, default=None)  # what it is about, when not a slot (a case)
    params = JSON(default="{}")  # what its text needs besides (a deadline's kind and time, a label)


class InboxState(Table, tablename="inbox_state"):
    resident_id = UUID(primary_key=True)
    read_up_to = BigInt(default=0)


class PushSubscriptionView(Table, tablename="inbox_push_subscription"):
    resident_id = UUID(index=True)
    endpoint = Text()
    p256dh = Varchar(length=200)
    auth = Varchar(length=200)
