"""Volunteering views: teams, activities and their shifts with seat counts, each shift's roster (seats, waitlist in
order, offers, check-in and check-out), the hours ledger and the certificates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID as PyUUID
from uuid import uuid5

from piccolo.columns import JSON, UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.kernel.zone import LOCAL_ZONE
from backend.volunteering.domain import (
    Activity,
    Certificate,
    GuardianConsent,
    HonoursChoice,
    HoursRecord,
    Shift,
    Team,
    star_level,
)
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage


class TeamView(Table, tablename="volunteer_team"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    name = Varchar(length=60)
    description = Text()
    leaders = JSON()
    founded_at = Timestamptz()


class ActivityView(Table, tablename="volunteer_activity"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    team_id = UUID(index=True)
    title = Varchar(length=60)
    description = Text()
    place = Varchar(length=60)
    category = Varchar(length=20)
    beneficiary = Varchar(length=60)
    min_age = Integer()
    risky = Boolean()
    insured = Boolean(default=False)
    insurance = Text(default="")
    published = Boolean(default=False)
    offer_hours = Integer()
    first_start = Timestamptz(null=True, default=None)
    last_end = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class ShiftView(Table, tablename="volunteer_shift"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    activity_id = UUID(index=True)
    team_id = UUID()
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer()
    seated = Integer(default=0)
    waitlisted = Integer(default=0)
    offered = Integer(default=0)


class ShiftRoster(Table, tablename="volunteer_roster"):
    """One row per volunteer and shift: seated | waitlisted | offered | cancelled | lapsed."""

    shift_id = UUID(index=True)
    volunteer_id = UUID(index=True)
    status = Varchar(length=12)
    joined_position = BigInt()  # the waitlist's order
    offer_until = Timestamptz(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)
    checked_out_at = Timestamptz(null=True, default=None)
    forgotten = Boolean(default=False)
    record_id = UUID(null=True, default=None)
    assisted_by = UUID(null=True, default=None)  # the clerk who signed them up at the counter


class HoursRecordView(Table, tablename="volunteer_record"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    volunteer_id = UUID(index=True)
    team_id = UUID(index=True)
    activity_id = UUID()
    shift_id = UUID()
    served_on = Date()
    activity = Varchar(length=60)
    place = Varchar(length=60)
    content = Text()
    beneficiary = Varchar(length=60)
    minutes = Integer()  # the ledger's total
    leader_id = UUID(null=True)
    recorder_id = UUID(null=True)
    request_minutes = Integer(null=True, default=None)
    request_reason = Text(default="")
    rejected_reason = Text(default="")


class HoursEntry(Table, tablename="volunteer_hours_entry"):
    record_id = UUID(index=True)
    entry = Integer()
    delta_minutes = Integer()
    reason = Text(default="")
    refers_to = Integer(default=0)
    actor_id = UUID(null=True)
    at = Timestamptz()
    position = BigInt()


class CertificateView(Table, tablename="volunteer_certificate"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    team_id = UUID()
    volunteer_id = UUID(index=True)
    number = Varchar(length=40, index=True)  # unique in the log: the certificate's id is derived from it
    period_from = Date()
    period_to = Date()
    minutes = Integer()
    lines = JSON()
    issued_at = Timestamptz()
    position = BigInt()


class ConsentView(Table, tablename="volunteer_consent"):
    activity_id = UUID(index=True)
    minor_id = UUID(index=True)
    guardian_id = UUID()
    given_at = Timestamptz()


class HonoursView(Table, tablename="volunteer_honours"):
    """Volunteers who agreed to appear in the honours (absent or False: never shown)."""

    id = UUID(primary_key=True)  # the choice's
    volunteer_id = UUID(index=True)
    community_id = UUID(index=True)
    show = Boolean(default=False)


PLACE_NAMESPACE = PyUUID("4c2a8e6f-1d3b-4f5a-9e7c-0b2d4f6a8c1e")
ROSTER_STATUS = {
    Shift.Cancelled: "cancelled",
    Shift.Offered: "offered",
    Shift.OfferLapsed: "lapsed",
    Shift.Seated: "seated",
}


class VolunteeringProjection:
    name = "volunteering"
    tables: ClassVar[Sequence[type[Table]]] = (
        TeamView,
        ActivityView,
        ShiftView,
        ShiftRoster,
        HoursRecordView,
        HoursEntry,
        CertificateView,
        ConsentView,
        HonoursView,
    )
    handles: ClassVar[Sequence[type]] = (
        Team.Founded,
        Team.LeaderAdded,
        Activity.Created,
        Activity.InsuranceConfirmed,
        Activity.Published,
        Shift.Scheduled,
        Shift.SignedUp,
        Shift.Cancelled,
        Shift.Offered,
        Shift.OfferLapsed,
        Shift.Seated,
        Shift.CheckedIn,
        Shift.CheckedOut,
        HoursRecord.Recorded,
        HoursRecord.CorrectionRequested,
        HoursRecord.CorrectionRejected,
        HoursRecord.Corrected,
        Certificate.Issued,
        GuardianConsent.Given,
        HonoursChoice.Chosen,
        HonoursChoice.Changed,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        touched: set[PyUUID] = set()
        places: set[tuple[PyUUID, PyUUID]] = set()
        for item in items:
            e = item.event
            if isinstance(e, Shift.Event):
                await self._shift(item)
                touched.add(e.originator_id)
                if hasattr(e, "volunteer_id"):
                    places.add((e.originator_id, e.volunteer_id))
            elif isinstance(e, HoursRecord.Event):
                await self._record(item)
            elif isinstance(e, Activity.Event):
                await self._activity(item)
            elif isinstance(e, Team.Founded):
                await bulk_insert(
                    TeamView,
                    [
                        {
                            "id": e.originator_id,
                            "community_id": e.community_id,
                            "name": e.name,
                            "description": e.description,
                            "leaders": [str(e.actor_id)] if e.actor_id else [],
                            "founded_at": e.timestamp,
                        }
                    ],
                )
            elif isinstance(e, Team.LeaderAdded):
                row = (
                    await TeamView.select(TeamView.leaders)
                    .where(TeamView.id == e.originator_id)
                    .output(load_json=True)
                    .first()
                )
                leaders = [*(row["leaders"] if row else []), str(e.resident_id)]
                await bulk_execute(
                    TeamView, "UPDATE volunteer_team SET leaders = ? WHERE id = ?", [(leaders, e.originator_id)]
                )
            elif isinstance(e, HonoursChoice.Chosen):
                row = {"id": e.originator_id, "volunteer_id": e.volunteer_id, "community_id": e.community_id}
                row["show"] = e.show
                await bulk_insert(HonoursView, [row])
            elif isinstance(e, HonoursChoice.Changed):
                await bulk_execute(
                    HonoursView,
                    "UPDATE volunteer_honours SET show = ? WHERE id = ?",
                    [(e.show, e.originator_id)],
                )
            elif isinstance(e, GuardianConsent.Given):
                row = {"activity_id": e.activity_id, "minor_id": e.minor_id, "guardian_id": e.guardian_id}
                await bulk_insert(ConsentView, [{**row, "given_at": e.timestamp}])
            elif isinstance(e, Certificate.Issued):
                await bulk_insert(
                    CertificateView,
                    [
                        {
                            "id": e.originator_id,
                            "community_id": e.community_id,
                            "team_id": e.team_id,
                            "volunteer_id": e.volunteer_id,
                            "number": e.number,
                            "period_from": e.period_from,
                            "period_to": e.period_to,
                            "minutes": e.minutes,
                            "lines": e.lines,
                            "issued_at": e.timestamp,
                            "position": item.position,
                        }
                    ],
                )
        return await self._counts(touched, places)

    async def _activity(self, item: Item) -> None:
        e, aid = item.event, item.event.originator_id
        if isinstance(e, Activity.Created):
            await bulk_insert(
                ActivityView,
                [
                    {
                        "id": aid,
                        "community_id": e.community_id,
                        "team_id": e.team_id,
                        "title": e.title,
                        "description": e.description,
                        "place": e.place,
                        "category": e.category,
                        "beneficiary": e.beneficiary,
                        "min_age": e.min_age,
                        "risky": e.risky,
                        "insured": False,
                        "insurance": "",
                        "published": False,
                        "offer_hours": e.offer_hours,
                        "first_start": None,
                        "last_end": None,
                        "created_at": e.timestamp,
                    }
                ],
            )
        elif isinstance(e, Activity.InsuranceConfirmed):
            await bulk_execute(
                ActivityView,
                "UPDATE volunteer_activity SET insured = ?, insurance = ? WHERE id = ?",
                [(True, e.note, aid)],
            )
        else:
            await bulk_execute(ActivityView, "UPDATE volunteer_activity SET published = ? WHERE id = ?", [(True, aid)])

    async def _shift(self, item: Item) -> None:
        e, sid = item.event, item.event.originator_id
        if isinstance(e, Shift.Scheduled):
            await bulk_insert(
                ShiftView,
                [
                    {
                        "id": sid,
                        "community_id": e.community_id,
                        "activity_id": e.activity_id,
                        "team_id": e.team_id,
                        "starts_at": e.starts_at,
                        "ends_at": e.ends_at,
                        "capacity": e.capacity,
                        "seated": 0,
                        "waitlisted": 0,
                        "offered": 0,
                    }
                ],
            )
            await bulk_execute(
                ActivityView,
                "UPDATE volunteer_activity SET first_start = CASE WHEN first_start IS NULL OR first_start > ? "
                "THEN ? ELSE first_start END, last_end = CASE WHEN last_end IS NULL OR last_end < ? THEN ? "
                "ELSE last_end END WHERE id = ?",
                [(e.starts_at, e.starts_at, e.ends_at, e.ends_at, e.activity_id)],
            )
            return
        where = "WHERE shift_id = ? AND volunteer_id = ?"
        if isinstance(e, Shift.SignedUp):
            await bulk_execute(ShiftRoster, f"DELETE FROM volunteer_roster {where}", [(sid, e.volunteer_id)])
            row = {
                "shift_id": sid,
                "volunteer_id": e.volunteer_id,
                "status": "seated" if e.seated else "waitlisted",
                "joined_position": item.position,
                "offer_until": None,
                "checked_in_at": None,
                "checked_out_at": None,
                "forgotten": False,
                "record_id": None,
                "assisted_by": e.actor_id if e.on_behalf_of else None,
            }
            await bulk_insert(ShiftRoster, [row])
        elif isinstance(e, Shift.CheckedIn):
            await bulk_execute(
                ShiftRoster, f"UPDATE volunteer_roster SET checked_in_at = ? {where}", [(e.at, sid, e.volunteer_id)]
            )
        elif isinstance(e, Shift.CheckedOut):
            await bulk_execute(
                ShiftRoster,
                f"UPDATE volunteer_roster SET checked_out_at = ?, forgotten = ? {where}",
                [(e.at, e.forgotten, sid, e.volunteer_id)],
            )
        else:
            until = e.until if isinstance(e, Shift.Offered) else None
            await bulk_execute(
                ShiftRoster,
                f"UPDATE volunteer_roster SET status = ?, offer_until = ? {where}",
                [(ROSTER_STATUS[type(e)], until, sid, e.volunteer_id)],
            )

    async def _record(self, item: Item) -> None:
        e, rid = item.event, item.event.originator_id
        if isinstance(e, HoursRecord.Recorded):
            await bulk_insert(
                HoursRecordView,
                [
                    {
                        "id": rid,
                        "community_id": e.community_id,
                        "volunteer_id": e.volunteer_id,
                        "team_id": e.team_id,
                        "activity_id": e.activity_id,
                        "shift_id": e.shift_id,
                        "served_on": e.served_on,
                        "activity": e.activity,
                        "place": e.place,
                        "content": e.content,
                        "beneficiary": e.beneficiary,
                        "minutes": e.minutes,
                        "leader_id": e.leader_id,
                        "recorder_id": e.recorder_id,
                        "request_minutes": None,
                        "request_reason": "",
                        "rejected_reason": "",
                    }
                ],
            )
            await bulk_insert(HoursEntry, [_entry(item, 1, e.minutes, "", 0)])
            await bulk_execute(
                ShiftRoster,
                "UPDATE volunteer_roster SET record_id = ? WHERE shift_id = ? AND volunteer_id = ?",
                [(rid, e.shift_id, e.volunteer_id)],
            )
        elif isinstance(e, HoursRecord.CorrectionRequested):
            await bulk_execute(
                HoursRecordView,
                "UPDATE volunteer_record SET request_minutes = ?, request_reason = ?, rejected_reason = '' "
                "WHERE id = ?",
                [(e.minutes, e.reason, rid)],
            )
        elif isinstance(e, HoursRecord.CorrectionRejected):
            await bulk_execute(
                HoursRecordView,
                "UPDATE volunteer_record SET request_minutes = NULL, rejected_reason = ? WHERE id = ?",
                [(e.reason, rid)],
            )
        else:
            await bulk_insert(HoursEntry, [_entry(item, e.entry, e.delta_minutes, e.reason, e.refers_to)])
            await bulk_execute(
                HoursRecordView,
                "UPDATE volunteer_record SET minutes = minutes + ?, request_minutes = NULL WHERE id = ?",
                [(e.delta_minutes, rid)],
            )

    async def _counts(self, shifts: set[PyUUID], places: set[tuple[PyUUID, PyUUID]]) -> list[LiveMessage]:
        """Seat counts of the shifts this batch touched, one message per activity (small, whatever the shift's
        size: PostgreSQL's NOTIFY takes at most 8,000 bytes); and to each volunteer whose place changed, on their
        own channel for that activity, where they now stand."""
        if not shifts:
            return []
        counts: dict[PyUUID, dict[str, int]] = defaultdict(dict)
        status: dict[tuple[PyUUID, PyUUID], str] = {}  # one roster row per shift and volunteer
        for row in await ShiftRoster.select(ShiftRoster.shift_id, ShiftRoster.volunteer_id, ShiftRoster.status).where(
            ShiftRoster.shift_id.is_in(list(shifts))
        ):
            sid = _uuid(row["shift_id"])
            counts[sid][row["status"]] = counts[sid].get(row["status"], 0) + 1
            status[(sid, _uuid(row["volunteer_id"]))] = row["status"]
        await bulk_execute(
            ShiftView,
            "UPDATE volunteer_shift SET seated = ?, waitlisted = ?, offered = ? WHERE id = ?",
            [(c.get("seated", 0), c.get("waitlisted", 0), c.get("offered", 0), s) for s in shifts for c in [counts[s]]],
        )
        by_activity: dict[str, list[dict[str, Any]]] = defaultdict(list)
        activity_of: dict[PyUUID, str] = {}
        for shift in await ShiftView.select().where(ShiftView.id.is_in(list(shifts))):
            activity_of[_uuid(shift["id"])] = str(shift["activity_id"])
            by_activity[str(shift["activity_id"])].append(seat_counts(shift))
        messages: list[LiveMessage] = [(f"activity:{a}", {"shifts": s}) for a, s in by_activity.items()]
        mine: dict[str, list[dict[str, str]]] = defaultdict(list)
        for shift_id, volunteer_id in places:
            channel = place_channel(volunteer_id, activity_of[shift_id])
            mine[channel].append({"shift": str(shift_id), "status": status.get((shift_id, volunteer_id), "")})
        messages += [(channel, {"mines": m}) for channel, m in mine.items()]
        return messages


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


def _entry(item: Item, entry: int, delta: int, reason: str, refers_to: int) -> dict[str, Any]:
    e = item.event
    return {
        "record_id": e.originator_id,
        "entry": entry,
        "delta_minutes": delta,
        "reason": reason,
        "refers_to": refers_to,
        "actor_id": e.actor_id,
        "at": e.timestamp,
        "position": item.position,
    }


def _uuid(value: object) -> PyUUID:
    return value if type(value) is PyUUID else PyUUID(str(value))  # type: ignore[return-value]


# -- reading ----------------------------------------------------------------------------------------------------
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
