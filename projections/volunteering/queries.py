"""What volunteering's pages, live updates and rounds read: teams, activities and their shifts, rosters and the
volunteer's own places, the hours ledger, certificates, consents and the honours."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID as PyUUID
from uuid import uuid5

from backend.kernel.zone import LOCAL_ZONE
from backend.volunteering.domain.honours import star_level
from backend.volunteering.domain.hours import STAR_RULES
from projections.community import queries as communities
from projections.volunteering.tables import (
    ActivityView,
    CertificateView,
    ConsentView,
    HonoursView,
    HoursEntry,
    HoursRecordView,
    ShiftRoster,
    ShiftView,
    TeamView,
)

PLACE_NAMESPACE = PyUUID("4c2a8e6f-1d3b-4f5a-9e7c-0b2d4f6a8c1e")


def place_channel(volunteer_id: object, activity_id: object) -> str:
    """A volunteer's own channel for one activity; PostgreSQL's LISTEN takes names of at most 63 bytes."""
    return f"place:{uuid5(PLACE_NAMESPACE, f'{volunteer_id}|{activity_id}')}"


def seat_counts(shift: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(shift["id"]),
        "capacity": shift["capacity"],
        "seated": shift["seated"],
        "waitlisted": shift["waitlisted"],
        "offered": shift["offered"],
    }


async def team(team_id: object) -> dict[str, Any] | None:
    return await TeamView.select().where(TeamView.id == team_id).output(load_json=True).first()


async def teams_led_by(community_id: object, resident_id: object) -> list[dict[str, Any]]:
    rows = await TeamView.select().where(TeamView.community_id == community_id).output(load_json=True)
    return [r for r in rows if str(resident_id) in r["leaders"]]


async def activities(
    community_id: object,
    after: datetime,
    category: str = "",
    on: date | None = None,
    published_only: bool = True,
    team_ids: Iterable[object] = (),
) -> list[dict[str, Any]]:
    """Activities with a shift ending after `after`, soonest first; optionally of one category or with a shift on
    a day (China time); the leader's own drafts with `team_ids`."""
    query = ActivityView.select().where((ActivityView.community_id == community_id) & (ActivityView.last_end > after))
    if category:
        query = query.where(ActivityView.category == category)
    rows = await query.order_by(ActivityView.first_start)
    teams_of = {str(t) for t in team_ids}
    rows = [r for r in rows if r["published"] or (not published_only) or str(r["team_id"]) in teams_of]
    if on is not None:
        days = await shift_days([r["id"] for r in rows])
        rows = [r for r in rows if on in days.get(str(r["id"]), set())]
    return rows


async def shift_days(activity_ids: list[object]) -> dict[str, set[date]]:
    found: dict[str, set[date]] = defaultdict(set)
    if activity_ids:
        for row in await ShiftView.select(ShiftView.activity_id, ShiftView.starts_at).where(
            ShiftView.activity_id.is_in(activity_ids)
        ):
            found[str(row["activity_id"])].add(row["starts_at"].astimezone(LOCAL_ZONE).date())
    return found


async def activity(activity_id: object) -> dict[str, Any] | None:
    return await ActivityView.select().where(ActivityView.id == activity_id).first()


async def shifts_of(activity_id: object) -> list[dict[str, Any]]:
    return await ShiftView.select().where(ShiftView.activity_id == activity_id).order_by(ShiftView.starts_at)


async def shift(shift_id: object) -> dict[str, Any] | None:
    return await ShiftView.select().where(ShiftView.id == shift_id).first()


async def roster(shift_id: object) -> list[dict[str, Any]]:
    """Seated first, then offers, then the waitlist in order; cancelled and lapsed ones last."""
    rows = await ShiftRoster.select().where(ShiftRoster.shift_id == shift_id).order_by(ShiftRoster.joined_position)
    order = {"seated": 0, "offered": 1, "waitlisted": 2}
    return sorted(rows, key=lambda r: order.get(r["status"], 3))


async def statuses(
    shift_ids: list[object], volunteer_id: object, only: Sequence[str] = ()
) -> dict[str, dict[str, Any]]:
    """The volunteer's row on each of these shifts (shift id -> row); `only` rows in these statuses."""
    if not shift_ids:
        return {}
    query = ShiftRoster.select().where(
        ShiftRoster.shift_id.is_in(shift_ids) & (ShiftRoster.volunteer_id == volunteer_id)
    )
    rows = await (query.where(ShiftRoster.status.is_in(list(only))) if only else query)
    return {str(r["shift_id"]): r for r in rows}


async def waitlist_place(shift_id: object, volunteer_id: object) -> int:
    rows = (
        await ShiftRoster.select(ShiftRoster.volunteer_id)
        .where((ShiftRoster.shift_id == shift_id) & (ShiftRoster.status == "waitlisted"))
        .order_by(ShiftRoster.joined_position)
    )
    ids = [str(r["volunteer_id"]) for r in rows]
    return ids.index(str(volunteer_id)) + 1 if str(volunteer_id) in ids else 0


async def my_shifts(volunteer_id: object, after: datetime) -> list[dict[str, Any]]:
    """The volunteer's seats, offers and waitlist places on shifts that have not ended, soonest first."""
    rows = await ShiftRoster.select().where(
        (ShiftRoster.volunteer_id == volunteer_id) & ShiftRoster.status.is_in(["seated", "offered", "waitlisted"])
    )
    if not rows:
        return []
    shifts = {
        str(s["id"]): s
        for s in await ShiftView.select().where(
            ShiftView.id.is_in([r["shift_id"] for r in rows]) & (ShiftView.ends_at > after)
        )
    }
    titles = {
        str(a["id"]): a["title"]
        for a in await ActivityView.select(ActivityView.id, ActivityView.title).where(
            ActivityView.id.is_in([s["activity_id"] for s in shifts.values()] or [None])
        )
    }
    found = [
        {**r, "shift": shifts[str(r["shift_id"])], "title": titles.get(str(shifts[str(r["shift_id"])]["activity_id"]))}
        for r in rows
        if str(r["shift_id"]) in shifts
    ]
    return sorted(found, key=lambda r: r["shift"]["starts_at"])


async def overlapping(volunteer_id: object, starts_at: datetime, ends_at: datetime, other_than: object) -> bool:
    """Whether the volunteer holds a seat or an offer on another shift overlapping this time."""
    rows = await ShiftRoster.select(ShiftRoster.shift_id).where(
        (ShiftRoster.volunteer_id == volunteer_id) & ShiftRoster.status.is_in(["seated", "offered"])
    )
    ids = [r["shift_id"] for r in rows if str(r["shift_id"]) != str(other_than)]
    if not ids:
        return False
    clash = await ShiftView.count().where(
        ShiftView.id.is_in(ids) & (ShiftView.starts_at < ends_at) & (ShiftView.ends_at > starts_at)
    )
    return clash > 0


async def records_of(volunteer_id: object) -> list[dict[str, Any]]:
    return (
        await HoursRecordView.select()
        .where(HoursRecordView.volunteer_id == volunteer_id)
        .order_by(HoursRecordView.served_on, ascending=False)
    )


async def record(record_id: object) -> dict[str, Any] | None:
    return await HoursRecordView.select().where(HoursRecordView.id == record_id).first()


async def entries(record_ids: list[object]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if record_ids:
        for row in await HoursEntry.select().where(HoursEntry.record_id.is_in(record_ids)).order_by(HoursEntry.entry):
            found[str(row["record_id"])].append(row)
    return found


async def team_records(team_id: object) -> list[dict[str, Any]]:
    return (
        await HoursRecordView.select()
        .where(HoursRecordView.team_id == team_id)
        .order_by(HoursRecordView.served_on, ascending=False)
    )


async def certificates_of(volunteer_id: object) -> list[dict[str, Any]]:
    return (
        await CertificateView.select()
        .where(CertificateView.volunteer_id == volunteer_id)
        .order_by(CertificateView.issued_at, ascending=False)
        .output(load_json=True)
    )


async def certificate(certificate_id: object) -> dict[str, Any] | None:
    return await CertificateView.select().where(CertificateView.id == certificate_id).output(load_json=True).first()


async def certificate_by_number(number: str) -> dict[str, Any] | None:
    return await CertificateView.select().where(CertificateView.number == number).output(load_json=True).first()


async def shifts_due(now: datetime) -> list[dict[str, Any]]:
    """Shifts where an offer has lapsed or someone is still checked in after the end: the system's rounds."""
    lapsed = await ShiftRoster.select(ShiftRoster.shift_id).where(
        (ShiftRoster.status == "offered") & (ShiftRoster.offer_until < now)
    )
    still_in = await ShiftRoster.select(ShiftRoster.shift_id).where(
        ShiftRoster.checked_in_at.is_not_null() & ShiftRoster.checked_out_at.is_null()
    )
    ids = {r["shift_id"] for r in lapsed}
    if still_in:
        ended = await ShiftView.select(ShiftView.id).where(
            ShiftView.id.is_in([r["shift_id"] for r in still_in]) & (ShiftView.ends_at <= now)
        )
        ids |= {r["id"] for r in ended}
    if not ids:
        return []
    return await ShiftView.select(ShiftView.id, ShiftView.community_id).where(ShiftView.id.is_in(list(ids)))


async def consents(activity_id: object, minor_ids: list[object]) -> set[str]:
    """Which of these minors have a guardian's consent for the activity."""
    if not minor_ids:
        return set()
    rows = await ConsentView.select(ConsentView.minor_id).where(
        (ConsentView.activity_id == activity_id) & ConsentView.minor_id.is_in(minor_ids)
    )
    return {str(r["minor_id"]) for r in rows}


async def shows_in_honours(volunteer_id: object) -> bool:
    row = await HonoursView.select(HonoursView.show).where(HonoursView.volunteer_id == volunteer_id).first()
    return bool(row and row["show"])


async def honours(community_id: object, month_start: date, thresholds: list[int], top: int = 10) -> dict[str, Any]:
    """This month's most hours, and who reached a new star level this month: only volunteers who agreed."""
    shown = {
        str(r["volunteer_id"])
        for r in await HonoursView.select(HonoursView.volunteer_id).where(
            (HonoursView.community_id == community_id) & (HonoursView.show == True)  # noqa: E712
        )
    }
    if not shown:
        return {"month": [], "stars": []}
    month: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for r in await HoursRecordView.select(
        HoursRecordView.volunteer_id, HoursRecordView.served_on, HoursRecordView.minutes
    ).where(HoursRecordView.community_id == community_id):
        volunteer = str(r["volunteer_id"])
        if volunteer not in shown:
            continue
        total[volunteer] += r["minutes"]
        if r["served_on"] >= month_start:
            month[volunteer] += r["minutes"]
        else:
            before[volunteer] += r["minutes"]
    leaders = sorted(((m, v) for v, m in month.items() if m > 0), key=lambda item: (-item[0], item[1]))[:top]
    stars = []
    for volunteer, minutes in total.items():
        level, earlier = star_level(minutes, thresholds), star_level(before[volunteer], thresholds)
        if level > earlier:
            stars.append((level, volunteer))
    return {"month": [(v, m) for m, v in leaders], "stars": sorted(stars, reverse=True)}


async def open_shifts(community_id: object, after: datetime, limit: int = 20) -> list[dict[str, Any]]:
    """The next shifts of published activities, soonest first, with their activity's title."""
    published = {
        str(a["id"]): a["title"]
        for a in await ActivityView.select(ActivityView.id, ActivityView.title).where(
            (ActivityView.community_id == community_id) & (ActivityView.published == True)  # noqa: E712
        )
    }
    if not published:
        return []
    rows = (
        await ShiftView.select()
        .where(ShiftView.activity_id.is_in(list(published)) & (ShiftView.starts_at > after))
        .order_by(ShiftView.starts_at)
        .limit(limit)
    )
    return [{**r, "title": published[str(r["activity_id"])]} for r in rows]


async def star_thresholds(community_id: object, day: date) -> list[int]:
    """The star levels' hours in force on `day` (the community's rulebook)."""
    return [await communities.rule(community_id, name, day) for name in STAR_RULES]
