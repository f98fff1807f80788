"""The inbox's view tables: each resident's notifications, what they have read, the phones subscribed to Web Push,
their choices of notices (which kinds are pushed, the opt-in kinds wanted, quiet hours), and what the inbox keeps of
other contexts' events to know whom a later one concerns (who raised an objection to a notice, a notice's title)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class NotificationView(Table, tablename="inbox_notification"):
    """One notice to one resident, derived from an event of another context. `kind` says which context's text
    reads it (backend.inbox.texts): services' (promoted | passed | confirmed | declined | reminder_day |
    reminder_hour, about `slot_id`), casework's (case_…, about the case `subject_id`, with small `params`) or the
    inbox's own sources' (sitting_called, ballot_opened, … : backend.inbox.domain.kinds)."""

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


class InboxPreference(Table, tablename="inbox_preference"):
    """A resident's choices (Inbox.PreferencesSet); no row: the defaults (everything pushed, quiet 22:00–07:00)."""

    resident_id = UUID(primary_key=True)
    community_id = UUID()
    push_off = JSON(default="[]")  # kinds (backend.inbox.domain.kinds) not pushed
    quiet_start = Integer(default=22 * 60)  # minutes after midnight, in the community's zone
    quiet_end = Integer(default=7 * 60)


class InboxOptIn(Table, tablename="inbox_opt_in"):
    """An opt-in kind a resident wants in their inbox (a notice published on their community's board): read by
    community and kind (a raw index in the migration) when such an event comes."""

    resident_id = UUID(index=True)
    community_id = UUID()
    kind = Varchar(length=30)


class InboxObjection(Table, tablename="inbox_objection"):
    """Who raised objection `number` to a board notice: its answer is for them (the disclosure views come after the
    inbox's, so the inbox keeps this itself)."""

    notice_id = UUID(index=True)
    number = Integer()
    resident_id = UUID()


class InboxSubject(Table, tablename="inbox_subject"):
    """A board notice's title as last published, for the texts of the notices about it."""

    id = UUID(primary_key=True)
    title = Varchar(length=80)


class InboxRegistration(Table, tablename="inbox_registration"):
    """The command that registered a resident: a verification or a role given in that same command (the clerk's
    registration at the counter, the resident present) makes no notice."""

    resident_id = UUID(primary_key=True)
    command_id = Varchar(length=64)
