"""The inbox's timed pass (registered with the runtime in backend.contexts): the reminder that an online ballot
closes within the day (recorded once a ballot, for those who have not voted), then Web Push of new notifications to
the residents' phones. Each notification is recorded as pushed on the inbox before it is sent, so it goes out at most
once however many processes make rounds (and the Topic header lets the push service replace a repeat). A kind the
resident turned off is not pushed; one due in their quiet hours waits until these end (the inbox has it at once),
unless its kind is an emergency (backend.inbox.domain.kinds)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import anyio
from py_vapid import Vapid
from pywebpush import WebPushException

from backend.i18n import gettext as _
from backend.i18n import speaking
from backend.inbox import commands
from backend.inbox.domain.kinds import kind_of
from backend.inbox.domain.preferences import Preferences
from backend.inbox.push import send, vapid
from backend.inbox.texts import text_of
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.zone import LOCAL_ZONE
from projections.inbox import queries as views
from projections.residents import queries as residents

log = logging.getLogger(__name__)
CLOSING_WITHIN = timedelta(hours=24)


async def remind_closing_ballots(rt: Commands, now: datetime) -> list[UUID]:
    """Each open online ballot closing within the day: its members who have not voted are reminded, once (the
    reminder's id is the ballot's; a second process, or a later round, finds it made)."""
    done = []
    for ballot in await views.ballots_closing(now, CLOSING_WITHIN):
        meeting_id = UUID(str(ballot["id"]))
        ctx = Ctx(ballot["community_id"], None, now, command_id=f"remind-closing-{meeting_id}")
        try:
            await commands.remind_ballot_closing(
                rt, ctx, meeting_id, ballot["online_until"], await views.yet_to_vote(ballot)
            )
        except DomainError:
            continue
        done.append(meeting_id)
    return done


def due_now(row: dict[str, Any], prefs: Preferences, now: datetime) -> bool:
    """Whether this notification is pushed in this round: its kind is pushed, and it is due (held by quiet hours
    unless an emergency) within the last PUSH_WITHIN."""
    kind = kind_of(row["kind"])
    if kind is not None and not prefs.pushes(kind.name):
        return False
    due = prefs.due_at(row["created_at"], LOCAL_ZONE, emergency=kind is not None and kind.emergency)
    return due <= now < due + views.PUSH_WITHIN


async def push_notifications(rt: Commands, now: datetime) -> list[UUID]:
    """A round: every notification due and not yet pushed goes to the resident's phones."""
    pushed: list[UUID] = []
    await remind_closing_ballots(rt, now)
    rows = await views.to_push(now)
    if not rows:
        return pushed
    prefs = await views.preferences_of([r["resident_id"] for r in rows])
    rows = [r for r in rows if due_now(r, prefs[str(r["resident_id"])], now)]
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
