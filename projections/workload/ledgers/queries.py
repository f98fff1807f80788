"""What the ledger pages read (台账), one community and one period at a time, in the order a ledger is kept: the
meeting book (会议记录簿: every sitting), the disclosure ledger (居务公开台账: every version put on the board), the
volunteering ledger (志愿服务台账: every service record) and the visit diary (民情日志: visits logged). Each row says
where it comes from in the record (its page), so that an inspector can follow it."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from projections.casework.care_tables import VisitView
from projections.deliberation.tables import MeetingView
from projections.disclosure.tables import BoardEntry
from projections.volunteering.tables import HoursRecordView
from projections.workload.one_table.queries import Window


def _count(value: Any) -> int:
    """A JSON list column's length (text on SQLite)."""
    return len(json.loads(value) if isinstance(value, str | bytes) else (value or []))


async def meetings(community_id: UUID, w: Window) -> list[dict[str, Any]]:
    rows = await (
        MeetingView.select()
        .where(
            (MeetingView.community_id == community_id)
            & (MeetingView.starts_at >= w.start)
            & (MeetingView.starts_at < w.end)
        )
        .order_by(MeetingView.starts_at)
    )
    return [
        {
            "id": r["id"],
            "starts_at": r["starts_at"],
            "body": r["body"],
            "place": r["place"],
            "motion": r["motion"],
            "expected": _count(r["expected"]),
            "present": r["present_count"],
            "outcome": r["outcome"],
            "votes": f"{r['yes']}/{r['no']}/{r['abstain']}",
            "minutes": r["minutes"],
            "signed": _count(r["signed"]),
        }
        for r in rows
    ]


async def disclosures(community_id: UUID, w: Window) -> list[dict[str, Any]]:
    return await (
        BoardEntry.select(
            BoardEntry.notice_id,
            BoardEntry.published_at,
            BoardEntry.category,
            BoardEntry.title,
            BoardEntry.version,
            BoardEntry.published_on,
            BoardEntry.until,
            BoardEntry.correction_reason,
            BoardEntry.superseded_at,
        )
        .where(
            (BoardEntry.community_id == community_id)
            & (BoardEntry.published_at >= w.start)
            & (BoardEntry.published_at < w.end)
        )
        .order_by(BoardEntry.published_at)
    )


async def volunteering(community_id: UUID, w: Window) -> list[dict[str, Any]]:
    return await (
        HoursRecordView.select(
            HoursRecordView.served_on,
            HoursRecordView.volunteer_id,
            HoursRecordView.activity,
            HoursRecordView.place,
            HoursRecordView.content,
            HoursRecordView.beneficiary,
            HoursRecordView.minutes,
        )
        .where(
            (HoursRecordView.community_id == community_id)
            & (HoursRecordView.served_on >= w.period.start)
            & (HoursRecordView.served_on < w.period.end)
        )
        .order_by(HoursRecordView.served_on)
    )


async def visits(community_id: UUID, w: Window) -> list[dict[str, Any]]:
    return await (
        VisitView.select(
            VisitView.visited_on,
            VisitView.household,
            VisitView.visitor_id,
            VisitView.found,
            VisitView.case_id,
        )
        .where(
            (VisitView.community_id == community_id)
            & (VisitView.visited_on >= w.period.start)
            & (VisitView.visited_on < w.period.end)
        )
        .order_by(VisitView.visited_on)
    )


LEDGERS = {"meetings": meetings, "disclosure": disclosures, "volunteering": volunteering, "visits": visits}
