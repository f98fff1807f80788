"""The certificates projection: the street's list lines as written, and each request as it stands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from piccolo.table import Table

from backend.workload.domain.certificate_lists import CertificateLists
from backend.workload.domain.certificates import CANCELLED, ISSUED, REFUSED, REQUESTED, Certificate
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage
from projections.workload.certificates.tables import CertificateListLine, CertificateView

ITEM_FIELDS = ("side", "name", "basis", "instead", "purpose", "procedure", "sample", "valid_days")


class CertificatesProjection:
    name = "workload_certificates"
    tables: ClassVar[Sequence[type[Table]]] = (CertificateListLine, CertificateView)
    handles: ClassVar[Sequence[type]] = (
        CertificateLists.ItemSet,
        CertificateLists.ItemDropped,
        Certificate.Requested,
        Certificate.Refused,
        Certificate.Issued,
        Certificate.Cancelled,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        for item in items:
            e = item.event
            if isinstance(e, CertificateLists.ItemSet | CertificateLists.ItemDropped):
                await self._line(item)
            elif isinstance(e, Certificate.Requested):
                await bulk_insert(CertificateView, [self._requested(item)])
            elif isinstance(e, Certificate.Refused):
                await bulk_execute(
                    CertificateView,
                    "UPDATE workload_certificate SET status = ?, refusal = ?, basis = ?, instead = ?, note = ?, "
                    "answered_at = ?, answered_by = ?, position = ? WHERE id = ?",
                    [
                        (
                            REFUSED,
                            e.kind,
                            e.basis,
                            e.instead,
                            e.note,
                            e.timestamp,
                            e.actor_id,
                            item.position,
                            e.originator_id,
                        )
                    ],
                )
            elif isinstance(e, Certificate.Issued):
                await bulk_execute(
                    CertificateView,
                    "UPDATE workload_certificate SET status = ?, year = ?, number = ?, item_name = ?, basis = ?, "
                    "text = ?, name_sealed = ?, household = ?, valid_until = ?, check_lookup = ?, answered_at = ?, "
                    "answered_by = ?, position = ? WHERE id = ?",
                    [
                        (
                            ISSUED,
                            e.year,
                            e.number,
                            e.item_name,
                            e.basis,
                            e.text,
                            e.name_sealed,
                            e.household,
                            e.valid_until,
                            e.check_lookup,
                            e.timestamp,
                            e.actor_id,
                            item.position,
                            e.originator_id,
                        )
                    ],
                )
            elif isinstance(e, Certificate.Cancelled):
                await bulk_execute(
                    CertificateView,
                    "UPDATE workload_certificate SET status = ?, cancelled_at = ?, cancel_reason = ?, position = ? "
                    "WHERE id = ?",
                    [(CANCELLED, e.timestamp, e.reason, item.position, e.originator_id)],
                )
        return []

    @staticmethod
    def _requested(item: Item) -> dict[str, object]:
        e = item.event
        return {
            "id": e.originator_id,
            "community_id": e.community_id,
            "resident_id": e.resident_id,
            "item_code": e.item_code,
            "item_name": e.item_name,
            "purpose": e.purpose,
            "channel": e.channel,
            "status": REQUESTED,
            "requested_at": e.timestamp,
            "requested_by": e.actor_id,
            "position": item.position,
        }

    async def _line(self, item: Item) -> None:
        e = item.event
        dropped = isinstance(e, CertificateLists.ItemDropped)
        row = {
            "street": e.street,
            "code": e.code,
            "dropped": int(dropped),
            **{f: ("" if f != "valid_days" else 0) if dropped else getattr(e, f) for f in ITEM_FIELDS},
            "effective_from": e.effective_from,
            "rule": e.rule,
            "at": e.timestamp,
            "position": item.position,
        }
        await bulk_insert(CertificateListLine, [row])
