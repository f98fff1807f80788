"""The inbox's notices of the residents' context: one's registration verified or rejected (with the clerk's reason),
a role given (with the end of its term) or ended (with the reason). Each is about the resident the event is on. A
registration verified, or a role given, at the counter in the very step that registers the resident (the clerk's
registration: the resident is there and told in person) makes no notice: the inbox keeps the command that registered
each resident."""

from __future__ import annotations

from typing import ClassVar

from backend.residents.domain.resident import Resident
from projections.db import bulk_insert
from projections.inbox.queries import CHUNK
from projections.inbox.sources import Row, notices
from projections.inbox.tables import InboxRegistration
from projections.types import Item


class ResidentNotices:
    events: ClassVar[tuple[type, ...]] = (
        Resident.Registered,
        Resident.Verified,
        Resident.Rejected,
        Resident.RoleGranted,
        Resident.RoleRevoked,
    )

    def __init__(self) -> None:
        self._registered: dict[str, str] = {}  # resident -> the command that registered them
        self._new: list[Row] = []

    async def load(self, items: list[Item]) -> None:
        """The registering commands of the batch's residents, read at once (a rebuild verifies thousands)."""
        here = {str(i.event.originator_id) for i in items if isinstance(i.event, Resident.Registered)}
        wanted = sorted({str(i.event.originator_id) for i in items} - here)
        for at in range(0, len(wanted), CHUNK):
            rows = await InboxRegistration.select().where(InboxRegistration.resident_id.is_in(wanted[at : at + CHUNK]))
            self._registered.update({str(r["resident_id"]): r["command_id"] for r in rows})

    async def rows(self, item: Item) -> list[Row]:
        e = item.event
        resident = [e.originator_id]
        if isinstance(e, Resident.Registered):
            self._registered[str(e.originator_id)] = e.command_id
            self._new.append({"resident_id": e.originator_id, "command_id": e.command_id})
            return []
        if isinstance(e, Resident.Verified | Resident.RoleGranted) and (
            self._registered.get(str(e.originator_id)) == e.command_id
        ):
            return []
        if isinstance(e, Resident.Verified):
            return notices(item, resident, "reg_verified", None)
        if isinstance(e, Resident.Rejected):
            return notices(item, resident, "reg_rejected", None, reason=e.reason)
        if isinstance(e, Resident.RoleGranted):
            return notices(item, resident, "role_granted", None, {"role": e.role, "until": e.until})
        return notices(item, resident, "role_ended", None, {"role": e.role}, reason=e.reason)

    async def flush(self) -> None:
        await bulk_insert(InboxRegistration, self._new)
