"""The inbox projection: each resident's notifications, derived from the events that concern them by one source a
context (projections/inbox/sources.py says what a source is: bookings.py, cases.py, deliberation.py, residents.py,
disclosure.py, volunteering.py); what they have read, the phones subscribed to Web Push, and their choices of notices
(which kinds are pushed, the opt-in kinds they want, quiet hours)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID as PyUUID

from piccolo.table import Table

from backend.inbox.domain.inbox import Inbox
from projections.db import bulk_execute, bulk_insert
from projections.inbox.bookings import BookingNotices
from projections.inbox.cases import CaseNotices
from projections.inbox.deliberation import DeliberationNotices
from projections.inbox.disclosure import DisclosureNotices
from projections.inbox.news import NewsNotices
from projections.inbox.queries import bell_channel, unread_of
from projections.inbox.residents import ResidentNotices
from projections.inbox.sources import Row, Source
from projections.inbox.tables import (
    InboxObjection,
    InboxOptIn,
    InboxPreference,
    InboxRegistration,
    InboxState,
    InboxSubject,
    NotificationView,
    PushSubscriptionView,
)
from projections.inbox.volunteering import VolunteeringNotices
from projections.runner import ProjectionPosition
from projections.types import Item, LiveMessage

# Every source of notices, made afresh for each batch (a source may cache what it read for the batch).
SOURCES: tuple[type[Source], ...] = (
    BookingNotices,
    CaseNotices,
    DeliberationNotices,
    ResidentNotices,
    DisclosureNotices,
    VolunteeringNotices,
    NewsNotices,
)
OWN_EVENTS = (Inbox.Read, Inbox.Subscribed, Inbox.Unsubscribed, Inbox.Pushed, Inbox.PreferencesSet)
# The views the sources read (applied before the inbox in the registry). When one of them failed on this batch (the
# projector lets the others go on), the inbox must not run ahead of it and read what it has not written yet: it fails
# the batch too, and both are tried again together.
READS = ("residents", "deliberation", "procedure", "volunteering", "casework")


class ViewsBehind(Exception):
    """A view the inbox's sources read has not applied this batch."""


class InboxProjection:
    name = "inbox"
    tables: ClassVar[Sequence[type[Table]]] = (
        NotificationView,
        InboxState,
        PushSubscriptionView,
        InboxPreference,
        InboxOptIn,
        InboxObjection,
        InboxSubject,
        InboxRegistration,
    )
    handles: ClassVar[Sequence[type]] = (*OWN_EVENTS, *(e for source in SOURCES for e in source.events))

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        await _not_ahead(items[-1].position)
        told: set[PyUUID] = set()
        sources: list[Source] = [source() for source in SOURCES]
        by_event: dict[type, Source] = {e: source for source in sources for e in source.events}
        for source in sources:
            await source.load([i for i in items if type(i.event) in source.events])
        made: list[Row] = []
        choices: dict[PyUUID, Any] = {}  # each resident's last choice of the batch, written together
        pushed: list[tuple[bool, PyUUID]] = []  # marked after the batch's notices are in (a rebuild has both)
        for item in items:
            e = item.event
            source = by_event.get(type(e))
            if source is not None:
                if choices and getattr(source, "reads_choices", False):  # it reads who opted in: as of this event
                    await self._choices(choices)
                    for reader in sources:  # what they read of the choices before is stale
                        getattr(reader, "choices_changed", _nothing)()
                made += await source.rows(item)
            elif isinstance(e, Inbox.PreferencesSet):
                choices[e.actor_id] = e  # only the resident sets their own (Inbox.set_preferences)
            elif isinstance(e, Inbox.Pushed):
                pushed.append((True, e.notification_id))
            elif isinstance(e, Inbox.Event):
                told.update(await self._own(e))
        await self._choices(choices)
        for source in sources:
            await source.flush()
        await bulk_insert(NotificationView, made)  # one statement for the batch's notices
        await bulk_execute(NotificationView, "UPDATE inbox_notification SET pushed = ? WHERE id = ?", pushed)
        told.update(r["resident_id"] for r in made)
        counts = await unread_of(sorted(told, key=str))
        return [(bell_channel(r), {"unread": n}) for r, n in counts.items()]

    async def _own(self, e: Any) -> list[PyUUID]:
        """The inbox's own events; the residents whose bell changed."""
        if isinstance(e, Inbox.Read):
            await bulk_execute(InboxState, "DELETE FROM inbox_state WHERE resident_id = ?", [(e.actor_id,)])
            await bulk_insert(InboxState, [{"resident_id": e.actor_id, "read_up_to": e.up_to}])
            return [e.actor_id]
        if isinstance(e, Inbox.Subscribed):
            await self._unsubscribe(e.endpoint)
            row = {"resident_id": e.actor_id, "endpoint": e.endpoint, "p256dh": e.p256dh, "auth": e.auth}
            await bulk_insert(PushSubscriptionView, [row])
        elif isinstance(e, Inbox.Unsubscribed):
            await self._unsubscribe(e.endpoint)
        return []

    async def _choices(self, choices: dict[PyUUID, Any]) -> None:
        """The residents' choices (Inbox.PreferencesSet) kept so far, a statement each for all of them (a rebuild
        reads thousands); emptied."""
        ids = [(r,) for r in choices]
        await bulk_execute(InboxPreference, "DELETE FROM inbox_preference WHERE resident_id = ?", ids)
        await bulk_insert(
            InboxPreference,
            [{"resident_id": r, "community_id": e.community_id, "push_off": list(e.push_off),
              "quiet_start": e.quiet_start, "quiet_end": e.quiet_end} for r, e in choices.items()],
        )  # fmt: skip
        await bulk_execute(InboxOptIn, "DELETE FROM inbox_opt_in WHERE resident_id = ?", ids)
        await bulk_insert(
            InboxOptIn,
            [
                {"resident_id": r, "community_id": e.community_id, "kind": k}
                for r, e in choices.items()
                for k in e.opted_in
            ],
        )
        choices.clear()

    async def _unsubscribe(self, endpoint: str) -> None:
        await bulk_execute(
            PushSubscriptionView, "DELETE FROM inbox_push_subscription WHERE endpoint = ?", [(endpoint,)]
        )


def _nothing() -> None:
    return None


async def _not_ahead(position: int) -> None:
    rows = await ProjectionPosition.select(ProjectionPosition.name, ProjectionPosition.position).where(
        ProjectionPosition.name.is_in(list(READS))
    )
    behind = [r["name"] for r in rows if int(r["position"]) < position]
    if behind:
        raise ViewsBehind(f"{', '.join(sorted(behind))} behind position {position}")
