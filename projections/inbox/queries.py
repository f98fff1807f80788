"""What pages and the push round read of the inbox: notifications, what was read, the bell's count and its
channel, the phones subscribed, what is yet to be pushed, and the residents' choices of notices (what the inbox's
sources read of them too: who opted in to a kind)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from backend.inbox.domain.preferences import DEFAULT, Preferences
from projections.deliberation.tables import MeetingView, MeetingVote
from projections.inbox.tables import (
    InboxOptIn,
    InboxPreference,
    InboxState,
    NotificationView,
    PushSubscriptionView,
)
from projections.residents.tables import ResidentView

PUSH_WITHIN = timedelta(hours=1)  # a notification not pushed within the hour it is due is stale: the inbox has it
HELD_AT_MOST = timedelta(hours=24)  # quiet hours hold a push at most this long
CHUNK = 500  # ids in one IN (…): well under either database's limit on parameters


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
    """Notifications not yet pushed that may still be due (made within the last hour, or held by quiet hours since
    the day before), of residents with a subscribed phone, oldest first. The round decides which are due now."""
    subscribed = [r["resident_id"] for r in await PushSubscriptionView.select(PushSubscriptionView.resident_id)]
    if not subscribed:
        return []
    return await (
        NotificationView.select()
        .where(
            (NotificationView.pushed == False)  # noqa: E712 (a Piccolo expression)
            & NotificationView.resident_id.is_in(list(set(subscribed)))
            & (NotificationView.created_at > now - PUSH_WITHIN - HELD_AT_MOST)
        )
        .order_by(NotificationView.position)
        .output(load_json=True)
    )


async def unread_of(resident_ids: Sequence[object]) -> dict[str, int]:
    """The bells' counts of many residents (after a batch that told thousands), a statement per CHUNK of them."""
    counts: dict[str, int] = {}
    ids = list(resident_ids)
    for at in range(0, len(ids), CHUNK):
        part = ids[at : at + CHUNK]
        marks = ", ".join("{}" for _ in part)
        rows = await NotificationView.raw(
            "SELECT n.resident_id AS resident_id, COUNT(*) AS n FROM inbox_notification n "
            "LEFT JOIN inbox_state s ON s.resident_id = n.resident_id "
            f"WHERE n.resident_id IN ({marks}) AND n.position > COALESCE(s.read_up_to, 0) GROUP BY n.resident_id",
            *part,
        )
        counts.update({str(r["resident_id"]): int(r["n"]) for r in rows})
    return {str(r): counts.get(str(r), 0) for r in ids}


def _preferences(row: dict[str, Any] | None, opted: Sequence[str] = ()) -> Preferences:
    if row is None:
        return Preferences(opted_in=frozenset(opted)) if opted else DEFAULT
    off = row["push_off"]
    off = json.loads(off) if isinstance(off, str) else off
    return Preferences(frozenset(off or []), frozenset(opted), int(row["quiet_start"]), int(row["quiet_end"]))


async def preferences(resident_id: object) -> Preferences:
    """A resident's choices as the page shows them (the defaults until they chose)."""
    row = await InboxPreference.select().where(InboxPreference.resident_id == resident_id).first()
    opted = await InboxOptIn.select(InboxOptIn.kind).where(InboxOptIn.resident_id == resident_id)
    return _preferences(row, sorted(o["kind"] for o in opted))


async def preferences_of(resident_ids: Sequence[object]) -> dict[str, Preferences]:
    """What the push round needs of many residents (which kinds they push, their quiet hours)."""
    found: dict[str, Preferences] = {}
    ids = list({str(r) for r in resident_ids})
    for at in range(0, len(ids), CHUNK):
        rows = await InboxPreference.select().where(InboxPreference.resident_id.is_in(ids[at : at + CHUNK]))
        found.update({str(r["resident_id"]): _preferences(r) for r in rows})
    return {r: found.get(r, DEFAULT) for r in ids}


async def opted_in(community_id: object, kind: str) -> list[UUID]:
    """The community's verified residents who asked for this opt-in kind of notice (one indexed read)."""
    rows = await InboxOptIn.raw(
        "SELECT o.resident_id AS resident_id FROM inbox_opt_in o JOIN resident r ON r.id = o.resident_id "
        "WHERE o.community_id = {} AND o.kind = {} AND r.status = {}",
        community_id,
        kind,
        "verified",
    )
    return [r["resident_id"] if isinstance(r["resident_id"], UUID) else UUID(str(r["resident_id"])) for r in rows]


async def ballots_closing(now: datetime, within: timedelta) -> list[dict[str, Any]]:
    """Open online ballots closing within `within` of `now` that the inbox has not yet reminded anyone of."""
    rows = await MeetingView.select(
        MeetingView.id, MeetingView.community_id, MeetingView.online_until, MeetingView.expected,
        MeetingView.per_household,
    ).where(
        (MeetingView.ballot == "open")
        & MeetingView.online_until.is_not_null()
        & (MeetingView.online_until > now)
        & (MeetingView.online_until <= now + within)
    )  # fmt: skip
    if not rows:
        return []
    reminded = await NotificationView.select(NotificationView.subject_id).where(
        (NotificationView.kind == "ballot_closing") & NotificationView.subject_id.is_in([r["id"] for r in rows])
    )
    done = {str(r["subject_id"]) for r in reminded}
    return [r for r in rows if str(r["id"]) not in done]


async def yet_to_vote(ballot: dict[str, Any]) -> list[UUID]:
    """Who may still vote in this ballot and has not: its members without a vote, or on a ballot by household the
    verified residents of the households without one."""
    expected = ballot["expected"]
    expected = {str(e) for e in (json.loads(expected) if isinstance(expected, str) else expected or [])}
    votes = await MeetingVote.select(MeetingVote.resident_id, MeetingVote.household_id).where(
        MeetingVote.meeting_id == ballot["id"]
    )
    if not ballot["per_household"]:
        voted = {str(v["resident_id"]) for v in votes}
        return [UUID(m) for m in sorted(expected - voted)]
    waiting = sorted(expected - {str(v["household_id"]) for v in votes})
    people: list[UUID] = []
    for at in range(0, len(waiting), CHUNK):
        rows = await ResidentView.select(ResidentView.id).where(
            ResidentView.household_id.is_in(waiting[at : at + CHUNK]) & (ResidentView.status == "verified")
        )
        people += [UUID(str(r["id"])) for r in rows]
    return sorted(people, key=str)
