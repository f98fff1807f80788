"""The speaker lists of sittings (发言): the queue in the chair's order, the member speaking and those who spoke. The
rows are keyed by the list's id, which is derived from the sitting's (floor_id); the sitting's page is told (live)
when its list moves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar
from uuid import UUID, uuid5

from piccolo.table import Table

from backend.deliberation.domain.floor import Floor
from projections.db import bulk_execute, bulk_insert
from projections.deliberation.queries import floor_channel
from projections.deliberation.tables import FloorView
from projections.types import Item, LiveMessage

ROW_NAMESPACE = UUID("0e6d5c4b-3a29-4817-9f6e-5d4c3b2a1908")
WAITING = "state = 'waiting'"


class FloorProjection:
    name = "floor"
    tables: ClassVar[Sequence[type[Table]]] = (FloorView,)
    handles: ClassVar[Sequence[type]] = (
        Floor.Asked,
        Floor.Withdrawn,
        Floor.Ordered,
        Floor.TurnStarted,
        Floor.TurnEnded,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        moved: set[UUID] = set()
        for item in items:
            moved.add(item.event.originator_id)
            await self._apply(item)
        return [(floor_channel(f), {"changed": True}) for f in moved]

    @staticmethod
    async def _apply(item: Item) -> None:
        e = item.event
        fid = e.originator_id
        if isinstance(e, Floor.Asked):
            row = {
                "id": uuid5(ROW_NAMESPACE, f"{fid}|{e.originator_version}"),
                "floor_id": fid,
                "resident_id": e.resident_id,
                "state": "waiting",
                "place": item.position,  # after every place the chair gave (0, 1, …): the end of the queue
                "asked_at": e.timestamp,
                "started_at": None,
                "seconds": 0,
                "ended_at": None,
            }
            await bulk_insert(FloorView, [row])
        elif isinstance(e, Floor.Withdrawn):
            sql = f"DELETE FROM meeting_floor WHERE floor_id = ? AND resident_id = ? AND {WAITING}"
            await bulk_execute(FloorView, sql, [(fid, e.resident_id)])
        elif isinstance(e, Floor.Ordered):
            sql = f"UPDATE meeting_floor SET place = ? WHERE floor_id = ? AND resident_id = ? AND {WAITING}"
            await bulk_execute(FloorView, sql, [(index, fid, r) for index, r in enumerate(e.queue)])
        elif isinstance(e, Floor.TurnStarted):
            sql = (
                "UPDATE meeting_floor SET state = 'speaking', started_at = ?, seconds = ? "
                f"WHERE floor_id = ? AND resident_id = ? AND {WAITING}"
            )
            await bulk_execute(FloorView, sql, [(e.timestamp, e.seconds, fid, e.resident_id)])
        elif isinstance(e, Floor.TurnEnded):
            sql = "UPDATE meeting_floor SET state = 'spoke', ended_at = ? WHERE floor_id = ? AND state = 'speaking'"
            await bulk_execute(FloorView, sql, [(e.timestamp, fid)])
