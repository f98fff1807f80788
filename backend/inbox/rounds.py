"""The inbox's timed pass (registered with the runtime in backend.contexts): Web Push of new notifications to the
residents' phones. Each notification is recorded as pushed on the inbox before it is sent, so it goes out at most
once however many processes make rounds (and the Topic header lets the push service replace a repeat)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio
from py_vapid import Vapid
from pywebpush import WebPushException

from backend.i18n import gettext as _
from backend.i18n import speaking
from backend.inbox import commands
from backend.inbox.push import send, vapid
from backend.inbox.texts import text_of
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from projections.inbox import queries as views
from projections.residents import queries as residents

log = logging.getLogger(__name__)


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
    found = await residents.by_id(row["resident_id"])
    return UUID(str(found["community_id"])) if found else UUID(int=0)


async def message(row: dict[str, Any]) -> dict[str, Any]:
    """The push's title, body and link, in Chinese (the phone shows it as it is)."""
    with speaking("zh"):
        title, body, url = await text_of(row)
        return {"title": title or _("Linli"), "body": body, "url": url, "tag": str(row["id"])}
