"""The errands projection: each errand as it stands, and a line per step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from piccolo.table import Table

from backend.workload.domain.errands import COLLECTING, CONFIRMED, DECIDED, HANDED_BACK, MORE_DOCUMENTS, WITH_OFFICE
from backend.workload.domain.errands import Errand as E
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage
from projections.workload.errands.tables import ErrandStep, ErrandView

KINDS: dict[type, str] = {
    E.Opened: "opened",
    E.DocumentReceived: "received",
    E.HandedOver: "handed_over",
    E.Decided: "decided",
    E.HandedBack: "handed_back",
    E.Confirmed: "confirmed",
}


def _detail(e: Any) -> str:
    if isinstance(e, E.DocumentReceived):
        return e.document
    if isinstance(e, E.HandedOver):
        return e.on.isoformat()
    if isinstance(e, E.Decided):
        return f"{e.result}\n{e.reason}"
    return ""


class ErrandsProjection:
    name = "workload_errands"
    tables: ClassVar[Sequence[type[Table]]] = (ErrandView, ErrandStep)
    handles: ClassVar[Sequence[type]] = tuple(KINDS)

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        for item in items:
            e = item.event
            at, where = (e.timestamp, item.position), e.originator_id
            if isinstance(e, E.Opened):
                await bulk_insert(ErrandView, [self._opened(item)])
            elif isinstance(e, E.DocumentReceived):
                await self._set(ErrandView, "received = received || ?", (e.document + "\n", *at, where))
            elif isinstance(e, E.HandedOver):
                await self._set(ErrandView, "status = ?, handed_on = ?", (WITH_OFFICE, e.on, *at, where))
            elif isinstance(e, E.Decided):
                status = COLLECTING if e.result == MORE_DOCUMENTS else DECIDED
                await self._set(
                    ErrandView, "status = ?, result = ?, reason = ?", (status, e.result, e.reason, *at, where)
                )
            elif isinstance(e, E.HandedBack):
                await self._set(ErrandView, "status = ?", (HANDED_BACK, *at, where))
            elif isinstance(e, E.Confirmed):
                await self._set(ErrandView, "status = ?", (CONFIRMED, *at, where))
            step = {
                "errand_id": where,
                "community_id": e.community_id,
                "kind": KINDS[type(e)],
                "detail": _detail(e),
                "at": e.timestamp,
                "actor_id": e.actor_id,
                "position": item.position,
            }
            await bulk_insert(ErrandStep, [step])
        return []

    @staticmethod
    async def _set(table: type[Table], assignments: str, values: tuple[Any, ...]) -> None:
        sql = f"UPDATE workload_errand SET {assignments}, updated_at = ?, position = ? WHERE id = ?"
        await bulk_execute(table, sql, [values])

    @staticmethod
    def _opened(item: Item) -> dict[str, Any]:
        e = item.event
        return {
            "id": e.originator_id,
            "community_id": e.community_id,
            "resident_id": e.resident_id,
            "item_code": e.item_code,
            "item_name": e.item_name,
            "office": e.office,
            "documents": "\n".join(e.documents),
            "received": "",
            "status": COLLECTING,
            "opened_at": e.timestamp,
            "opened_by": e.actor_id,
            "updated_at": e.timestamp,
            "position": item.position,
        }
