"""The volunteering projection: the log's team, activity, shift, hours, certificate, consent and honours events
into the view tables, and the live messages of a batch (seat counts per activity, each volunteer's own place)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID as PyUUID

from piccolo.table import Table

from backend.volunteering.domain.activity import Activity
from backend.volunteering.domain.certificate import Certificate
from backend.volunteering.domain.consent import GuardianConsent
from backend.volunteering.domain.honours import HonoursChoice
from backend.volunteering.domain.hours import HoursRecord
from backend.volunteering.domain.shift import Shift
from backend.volunteering.domain.team import Team
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage
from projections.volunteering.queries import place_channel, seat_counts
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
