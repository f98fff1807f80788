"""What the certificates' pages read: the lists in force for a street (the defaults where it wrote nothing) and
their history of edits; a resident's requests; the clerk's queue and the register (证明开具登记); a certificate by
id or by the digest of its check code (never by its number); and the counts the 一表通 takes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from statistics import median
from typing import Any
from uuid import UUID

from backend.workload.domain.certificate_lists import NEGATIVE, POSITIVE, Line, ListItem, items_in_force
from backend.workload.domain.certificates import CANCELLED, ISSUED, REFUSALS, REQUESTED
from projections.workload.certificates.tables import CertificateListLine, CertificateView

LIMIT = 200


def _item(row: dict[str, Any]) -> ListItem:
    return ListItem(
        row["code"],
        row["name"],
        row["side"],
        row["basis"],
        row["instead"],
        row["purpose"],
        row["procedure"],
        row["sample"],
        row["valid_days"],
    )


async def lines(street: str) -> list[dict[str, Any]]:
    """Every edit of the street's lists, oldest first, with the rule each follows."""
    if not street:
        return []
    return await (
        CertificateListLine.select().where(CertificateListLine.street == street).order_by(CertificateListLine.position)
    )


async def lists_on(street: str, day: date) -> dict[str, list[ListItem]]:
    """The two lists in force on `day`: {"negative": [...], "positive": [...]}, in the order they were listed."""
    written: list[Line] = [
        (r["effective_from"], r["code"], None if r["dropped"] else _item(r)) for r in await lines(street)
    ]
    items = items_in_force(written, day)
    return {side: [i for i in items.values() if i.side == side] for side in (NEGATIVE, POSITIVE)}


async def certificate(certificate_id: object) -> dict[str, Any] | None:
    return await CertificateView.select().where(CertificateView.id == certificate_id).first()


async def by_check(lookup: str) -> dict[str, Any] | None:
    """The certificate whose check code has this digest (backend.kernel.codes.check_lookup)."""
    if len(lookup) != 64:
        return None
    return await CertificateView.select().where(CertificateView.check_lookup == lookup).first()


async def requests_of(resident_id: object) -> list[dict[str, Any]]:
    return await (
        CertificateView.select()
        .where(CertificateView.resident_id == resident_id)
        .order_by(CertificateView.requested_at, ascending=False)
        .limit(LIMIT)
    )


async def queue(community_id: object) -> list[dict[str, Any]]:
    """The requests waiting for the clerk, oldest first."""
    return await (
        CertificateView.select()
        .where((CertificateView.community_id == community_id) & (CertificateView.status == REQUESTED))
        .order_by(CertificateView.requested_at)
        .limit(LIMIT)
    )


async def answered(community_id: object, limit: int = 30) -> list[dict[str, Any]]:
    """The latest answered requests (issued, refused, cancelled), newest first."""
    return await (
        CertificateView.select()
        .where((CertificateView.community_id == community_id) & (CertificateView.status != REQUESTED))
        .order_by(CertificateView.answered_at, ascending=False)
        .limit(limit)
    )


async def register(community_id: object, year: int) -> list[dict[str, Any]]:
    """证明开具登记: the year's numbered certificates in number order (cancelled ones keep their line)."""
    return await (
        CertificateView.select()
        .where(
            (CertificateView.community_id == community_id)
            & (CertificateView.year == year)
            & (CertificateView.number > 0)
        )
        .order_by(CertificateView.number)
    )


def _within(at: datetime | None, start: datetime, end: datetime) -> bool:
    return at is not None and start <= at < end


async def _rows(community_ids: Iterable[object]) -> list[dict[str, Any]]:
    ids = [UUID(str(i)) for i in community_ids]
    if not ids:
        return []
    return await CertificateView.select(
        CertificateView.community_id,
        CertificateView.status,
        CertificateView.refusal,
        CertificateView.item_name,
        CertificateView.number,
        CertificateView.requested_at,
        CertificateView.answered_at,
        CertificateView.cancelled_at,
    ).where(CertificateView.community_id.is_in(ids))


def _summary(rows: list[dict[str, Any]], start: datetime, end: datetime) -> dict[str, Any]:
    issued = [r for r in rows if r["number"] > 0 and _within(r["answered_at"], start, end)]
    refused = [r for r in rows if r["refusal"] and _within(r["answered_at"], start, end)]
    hours = [(r["answered_at"] - r["requested_at"]).total_seconds() / 3600 for r in issued]
    return {
        "issued": len(issued),
        "refused": len(refused),
        "refused_by_kind": dict(Counter(r["refusal"] for r in refused)),
        "refused_by_item": dict(Counter(r["item_name"] for r in refused)),
        "cancelled": sum(1 for r in rows if r["status"] == CANCELLED and _within(r["cancelled_at"], start, end)),
        "median_hours_to_issue": round(median(hours), 1) if hours else None,
        "hours_to_issue": hours,
        "standing": sum(1 for r in rows if r["status"] == ISSUED),
    }


async def certificate_counts(community_ids: Iterable[object], start: datetime, end: datetime) -> dict[str, Any]:
    """For the 一表通, over [start, end) and all the communities together: certificates issued (cancelled later or
    not), requests refused by the kind of refusal (the basis: 不应出具, ask the street, 告知承诺, the register) and by
    the certificate asked for, certificates cancelled, and the median hours from request to issue (None when nothing
    was issued). One statement for all the communities."""
    summary = _summary(await _rows(community_ids), start, end)
    summary.pop("hours_to_issue")
    return summary


async def certificate_counts_by_community(
    community_ids: Iterable[object], start: datetime, end: datetime
) -> dict[str, dict[str, int]]:
    """The same per community (id as text), as whole numbers the way the 一表通's sources give them: issued,
    refused, refused_<kind> for each kind, cancelled, and issue_minutes_total (with issued, a pooled mean over any
    set of communities or months). One statement for all of them; a community with nothing has zeros."""
    ids = [str(i) for i in community_ids]
    grouped: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in await _rows(ids):
        grouped.setdefault(str(row["community_id"]), []).append(row)
    out: dict[str, dict[str, int]] = {}
    for community_id, rows in grouped.items():
        s = _summary(rows, start, end)
        out[community_id] = {
            "issued": s["issued"],
            "refused": s["refused"],
            **{f"refused_{kind}": s["refused_by_kind"].get(kind, 0) for kind in REFUSALS},
            "cancelled": s["cancelled"],
            "issue_minutes_total": round(sum(s["hours_to_issue"]) * 60),
        }
    return out
