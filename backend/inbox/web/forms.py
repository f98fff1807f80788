"""What the inbox's requests send, as the API schema describes them: the form that marks notifications read, and the
push subscription a phone's browser sends as JSON (PushManager.subscribe). Every field is optional and read by the
handler, which answers a wrong one with its own message (backend.web.act)."""

from __future__ import annotations

import msgspec

from backend.web.act import EMPTY, FormBody, Text, Texts, Whole


class ReadForm(FormBody):
    """Everything up to this inbox position is read."""

    up_to: Whole = EMPTY


class PushKeys(msgspec.Struct):
    p256dh: Text = EMPTY
    auth: Text = EMPTY


class PushSubscription(msgspec.Struct):
    """A phone's push subscription, as the browser gives it."""

    endpoint: Text = EMPTY
    keys: PushKeys = msgspec.field(default_factory=PushKeys)


class PushEndpoint(msgspec.Struct):
    """The subscription a phone turns off."""

    endpoint: Text = EMPTY


class NoticesForm(FormBody):
    """The resident's choices of notices: the kinds pushed to their phones (ticked), the opt-in kinds they want in
    the inbox, and their quiet hours (HH:MM, the community's time)."""

    push: Texts = msgspec.field(default_factory=Texts)
    opt_in: Texts = msgspec.field(default_factory=Texts)
    quiet: Text = EMPTY  # "on" to keep quiet hours
    quiet_start: Text = EMPTY
    quiet_end: Text = EMPTY
