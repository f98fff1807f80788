"""The resident's inbox (通知): what they have read, the phones subscribed to Web Push, and which notifications were
pushed. The notifications themselves are derived from the other contexts' events (a reminder, a seat from the
waitlist, a confirmed or declined booking) by the inbox projection. Pure: no I/O, no clock."""

from __future__ import annotations

import ipaddress
from collections import deque
from urllib.parse import urlparse
from uuid import UUID, uuid5

from backend.inbox.domain.preferences import DEFAULT, Preferences, checked
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics

INBOX_NAMESPACE = UUID("d2f4a6c8-0e1b-4d3f-a5c7-9e1b3d5f7a9c")
ENDPOINT_MAX = 1000
KEY_MAX = 200
PHONES_MAX = 5
PUSHED_KEPT = 500  # notifications are pushed within the hour they appear; older ids need not be remembered


def inbox_id_for(resident_id: UUID) -> UUID:
    return uuid5(INBOX_NAMESPACE, str(resident_id))


class Inbox(LinliAggregate):
    class Opened(LinliAggregate.Created):
        resident_id: UUID

    class Read(LinliAggregate.Event):
        up_to: int  # the position of the newest notification seen

        def apply(self, inbox: Inbox) -> None:
            inbox.read_up_to = self.up_to

    class Subscribed(LinliAggregate.Event):
        endpoint: str
        p256dh: str
        auth: str

        def apply(self, inbox: Inbox) -> None:
            inbox.phones[self.endpoint] = (self.p256dh, self.auth)

    class Unsubscribed(LinliAggregate.Event):
        endpoint: str
        gone: bool  # the push service said the subscription no longer exists

        def apply(self, inbox: Inbox) -> None:
            inbox.phones.pop(self.endpoint, None)

    class Pushed(LinliAggregate.Event):
        """Recorded before the push is sent: a notification is pushed at most once, whichever process sends it."""

        notification_id: UUID
        endpoints: list[str]

        def apply(self, inbox: Inbox) -> None:
            inbox.pushed.append(self.notification_id)

    class PreferencesSet(LinliAggregate.Event):
        """The resident's choices on /me/notices: kinds not pushed, opt-in kinds wanted, quiet hours (minutes after
        midnight in the community's zone; equal: none)."""

        push_off: list[str]
        opted_in: list[str]
        quiet_start: int
        quiet_end: int

        def apply(self, inbox: Inbox) -> None:
            inbox.preferences = Preferences(
                frozenset(self.push_off), frozenset(self.opted_in), self.quiet_start, self.quiet_end
            )

    def __init__(self, resident_id: UUID) -> None:
        self.resident_id = resident_id
        self.preferences = DEFAULT
        self.read_up_to = 0
        self.phones: dict[str, tuple[str, str]] = {}
        self.pushed: deque[UUID] = deque(maxlen=PUSHED_KEPT)

    @classmethod
    def open(cls, ctx: Ctx, resident_id: UUID) -> Inbox:
        return cls.start(cls.Opened, ctx, inbox_id_for(resident_id), resident_id=resident_id)

    def read(self, ctx: Ctx, up_to: int, last: int) -> None:
        """Read up to the position `up_to` of the log, whose last position is `last`: a notification past it does
        not exist (and past 64 bits no view could even store the position)."""
        if up_to > last:
            raise DomainError("No such notification.", status=404)
        if up_to <= self.read_up_to:
            raise DomainError("Nothing new to mark read.", status=409)
        self.emit(self.Read, ctx, up_to=up_to)

    def subscribe(self, ctx: Ctx, endpoint: str, p256dh: str, auth: str, local: bool = False) -> None:
        """`local`: endpoints on this machine or a private network are allowed (development and tests only: the
        server posts to the endpoint, which must not be a way into the local network)."""
        if len(endpoint) > ENDPOINT_MAX or not push_service(endpoint, local):
            raise DomainError("This is not a push subscription.", "endpoint")
        if not p256dh or not auth or len(p256dh) > KEY_MAX or len(auth) > KEY_MAX:
            raise DomainError("This is not a push subscription.", "keys")
        if self.phones.get(endpoint) == (p256dh, auth):
            return
        if endpoint not in self.phones and len(self.phones) >= PHONES_MAX:
            raise DomainError("At most 5 phones receive notifications; turn one off first.", status=409)
        self.emit(self.Subscribed, ctx, endpoint=endpoint, p256dh=p256dh, auth=auth)

    def unsubscribe(self, ctx: Ctx, endpoint: str, gone: bool = False) -> None:
        if endpoint in self.phones:
            self.emit(self.Unsubscribed, ctx, endpoint=endpoint, gone=gone)

    def set_preferences(self, ctx: Ctx, prefs: Preferences, known: frozenset[str], opt_in: frozenset[str]) -> bool:
        """The resident's own choices (nobody sets them for another); False when nothing changed (no event)."""
        if ctx.actor_id != self.resident_id or ctx.on_behalf_of is not None:
            raise DomainError("Only the resident chooses their notices.", status=403)
        prefs = checked(prefs, known, opt_in)
        if prefs == self.preferences:
            return False
        self.emit(
            self.PreferencesSet,
            ctx,
            push_off=sorted(prefs.push_off),
            opted_in=sorted(prefs.opted_in),
            quiet_start=prefs.quiet_start,
            quiet_end=prefs.quiet_end,
        )
        return True

    def push(self, ctx: Ctx, notification_id: UUID) -> list[str]:
        """The endpoints to push this notification to (recorded first); none when already pushed or no phone."""
        if notification_id in self.pushed:
            raise DomainError("Already pushed.", status=409)
        if not self.phones:
            raise DomainError("No phone subscribed.", status=409)
        endpoints = sorted(self.phones)
        self.emit(self.Pushed, ctx, notification_id=notification_id, endpoints=endpoints)
        return endpoints


def push_service(endpoint: str, local: bool) -> bool:
    """A push service's address: https on a public host (http and private addresses only when `local`)."""
    url = urlparse(endpoint)
    if url.scheme not in (("https", "http") if local else ("https",)) or not url.hostname:
        return False
    if local:
        return True
    if url.hostname == "localhost" or url.hostname.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(url.hostname)
    except ValueError:
        return True  # a name: the browser's push service (fcm.googleapis.com, updates.push.services.mozilla.com …)
    return address.is_global


# The log names these events by the module the aggregate lived in before the architecture step split it.
keep_topics("backend.inbox.domain", Inbox)
