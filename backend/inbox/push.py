"""Web Push (RFC 8030/8291/8292) to subscribed phones: the VAPID key is made at first start and kept beside the
residents' keys; each notification is recorded as pushed on the inbox before it is sent, so it goes out at most
once however many processes make rounds (and the Topic header lets the push service replace a repeat)."""

from __future__ import annotations

import base64
import json
import logging
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from backend.i18n import gettext as _
from backend.i18n import speaking
from backend.inbox import commands
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from projections import inbox as views

log = logging.getLogger(__name__)
TTL_SECONDS = 3600
CONTACT = "mailto:linli@localhost"


def _new_key() -> bytes:
    vapid = Vapid()
    vapid.generate_keys()
    return vapid.private_pem()


def vapid(rt: Commands) -> Vapid:
    return Vapid.from_pem(rt.personal.secret("vapid", _new_key))


def application_server_key(rt: Commands) -> str:
    """The public key a phone subscribes with (URL-safe base64 of the uncompressed point)."""
    raw = vapid(rt).public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def send(key: Vapid, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any], topic: str) -> int:
    """One push; the HTTP status of the push service (raises WebPushException on an error status)."""
    response = webpush(
        {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
        json.dumps(payload, ensure_ascii=False),
        vapid_private_key=key,
        vapid_claims={"sub": CONTACT},
        ttl=TTL_SECONDS,
        headers={"Topic": topic, "Urgency": "high"},
        timeout=10,
    )
    return int(getattr(response, "status_code", 201))


async def push_notifications(rt: Commands, now: datetime) -> list[UUID]:
    """A round: every notification of the last hour not yet pushed goes to the resident's phones."""
    pushed = []
    rows = await views.to_push(now)
    if not rows:
        return pushed
    key = vapid(rt)
    phones: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        resident_id, notification_id = UUID(str(row["resident_id"])), UUID(str(row["id"]))
        ctx = Ctx(await _community_of(row), None, now, command_id=f"push-{notification_id}")
        try:
            result = await commands.push(rt, ctx, resident_id, notification_id)
        except DomainError:
            continue
        if result.duplicate:  # another process recorded it, and sends it
            continue
        if str(resident_id) not in phones:
            phones[str(resident_id)] = await views.phones(resident_id)
        payload = await message(row)
        for phone in phones[str(resident_id)]:
            if phone["endpoint"] not in result.result["result"].split():
                continue
            await _deliver(rt, ctx, key, resident_id, phone, payload, notification_id.hex)
        pushed.append(notification_id)
    return pushed


async def _deliver(
    rt: Commands, ctx: Ctx, key: Vapid, resident_id: UUID, phone: dict[str, Any], payload: dict[str, Any], topic: str
) -> None:
    try:
        await anyio.to_thread.run_sync(
            lambda: send(key, phone["endpoint"], phone["p256dh"], phone["auth"], payload, topic)
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in (404, 410):  # the phone unsubscribed or the browser was reset
            gone = Ctx(ctx.community_id, None, ctx.now, command_id=f"gone-{topic}-{phone['endpoint'][-40:]}")
            await commands.unsubscribe(rt, gone, resident_id, phone["endpoint"], gone=True)
        log.info("push to a phone failed: %s", status)
    except Exception as error:  # the push service is unreachable: the notification stays in the inbox
        log.info("push failed: %s", type(error).__name__)


async def _community_of(row: dict[str, Any]) -> UUID:
    from projections import residents

    found = await residents.by_id(row["resident_id"])
    return UUID(str(found["community_id"])) if found else UUID(int=0)


async def message(row: dict[str, Any]) -> dict[str, Any]:
    """The push's title, body and link, in Chinese (the phone shows it as it is)."""
    from backend.services.web import notification_text

    with speaking("zh"):
        title, body, url = await notification_text(row)
        return {"title": title or _("Linli"), "body": body, "url": url, "tag": str(row["id"])}
