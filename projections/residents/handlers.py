"""The residents' projection: residents and the household register from their events, personal values unsealed
with the residents' keys (an erased resident's key is gone: the row shows a tombstone, never crashes)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import anyio
from piccolo.table import Table

from backend.kernel.masking import mask_name
from backend.kernel.personal import PersonalData, unseal
from backend.residents.domain.checks import birth_date
from backend.residents.domain.household import Household
from backend.residents.domain.resident import Resident
from backend.residents.domain.signin_code import SignInCode
from projections.db import bulk_execute, bulk_insert
from projections.residents.queries import resident_channel
from projections.residents.tables import TOMBSTONE, HouseholdView, ResidentView, SignInCodeView
from projections.types import Item, LiveMessage

MUTABLE = ("status", "reject_reason", "household_id", "household", "password_hash", "roles", "decided_by")
CHANGES_WHO_MAY_ACT = (
    Resident.Verified,
    Resident.Rejected,
    Resident.Resubmitted,
    Resident.RoleGranted,
    Resident.RoleRevoked,
    Resident.Erased,
)


class ResidentsProjection:
    name = "residents"
    tables: ClassVar[Sequence[type[Table]]] = (ResidentView, HouseholdView, SignInCodeView)
    handles: ClassVar[Sequence[type]] = (
        Resident.Registered,
        Resident.Verified,
        Resident.Rejected,
        Resident.Resubmitted,
        Resident.RoleGranted,
        Resident.RoleRevoked,
        Resident.PasswordSet,
        Resident.Erased,
        Household.Registered,
        Household.MembersListed,
        SignInCode.Issued,
        SignInCode.Used,
    )

    def __init__(self, personal: PersonalData) -> None:
        self.personal = personal

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        events = [i.event for i in items]
        await self._households(events)
        await self._residents(events)
        await self._codes(events)
        changed = {e.originator_id for e in events if isinstance(e, CHANGES_WHO_MAY_ACT)}
        return [(resident_channel(rid), {}) for rid in changed]

    async def _keys(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, bytes]:
        return await anyio.to_thread.run_sync(self.personal.keys, list(ids))

    async def _households(self, events: list[Any]) -> None:
        created = [e for e in events if isinstance(e, Household.Registered)]
        listed = [e for e in events if isinstance(e, Household.MembersListed)]
        keys = await self._keys(e.originator_id for e in created + listed)

        def members(e: Any) -> list[str]:
            plain = unseal(keys.get(e.originator_id), e.members_sealed) if e.members_sealed else None
            return json.loads(plain) if plain else []

        await bulk_insert(
            HouseholdView,
            [
                {
                    "id": e.originator_id,
                    "community_id": e.community_id,
                    "building": e.building,
                    "unit": e.unit,
                    "room": e.room,
                    "label": "".join(p for p in (e.building, e.unit, e.room) if p),
                    "members": members(e),
                }
                for e in created
            ],
        )
        await bulk_execute(
            HouseholdView,
            "UPDATE household SET members = ? WHERE id = ?",
            [(members(e), e.originator_id) for e in listed],
        )

    async def _residents(self, events: list[Any]) -> None:
        registered = {e.originator_id: e for e in events if isinstance(e, Resident.Registered)}
        keys = await self._keys(registered)
        new: dict[uuid.UUID, dict[str, Any]] = {}
        for rid, e in registered.items():
            key = keys.get(rid)
            name, phone = unseal(key, e.name_sealed), unseal(key, e.phone_sealed)
            new[rid] = {
                "id": rid,
                "community_id": e.community_id,
                "name": name or TOMBSTONE,
                "name_masked": mask_name(name) if name else TOMBSTONE,
                "phone": phone or "",
                "household_id": e.household_id if name else None,
                "household": e.household if name else "",
                "has_id_number": bool(e.id_number_sealed) and name is not None,
                "birth_date": birth_date(unseal(key, e.id_number_sealed) or "") if name else None,
                "password_hash": e.password_hash if name else "",
                "status": "pending" if name else "erased",
                "reject_reason": "",
                "roles": [],
                "registered_at": e.timestamp,
                "decided_by": None,
            }
        others = [e for e in events if isinstance(e, Resident.Event) and not isinstance(e, Resident.Registered)]
        earlier = {e.originator_id for e in others} - set(new)
        changed: dict[uuid.UUID, dict[str, Any]] = {}
        if earlier:
            for row in (
                await ResidentView.select(ResidentView.id, *(getattr(ResidentView, c) for c in MUTABLE))
                .where(ResidentView.id.is_in(list(earlier)))
                .output(load_json=True)
            ):
                changed[row["id"]] = row
        erased: set[uuid.UUID] = set()
        for e in others:
            row = new.get(e.originator_id) or changed.get(e.originator_id)
            if row is None:
                continue
            _apply(row, e)
            if isinstance(e, Resident.Erased):
                erased.add(e.originator_id)
        await bulk_insert(ResidentView, list(new.values()))
        await bulk_execute(
            ResidentView,
            f"UPDATE resident SET {', '.join(f'{c} = ?' for c in MUTABLE)} WHERE id = ?",
            [(*tuple(row[c] for c in MUTABLE), rid) for rid, row in changed.items()],
        )
        await bulk_execute(
            ResidentView,
            "UPDATE resident SET name = ?, name_masked = ?, phone = '', household = '', household_id = NULL, "
            "password_hash = '', has_id_number = ?, birth_date = NULL, status = 'erased' WHERE id = ?",
            [(TOMBSTONE, TOMBSTONE, False, rid) for rid in erased],
        )

    async def _codes(self, events: list[Any]) -> None:
        await bulk_insert(
            SignInCodeView,
            [
                {
                    "id": e.originator_id,
                    "community_id": e.community_id,
                    "resident_id": e.resident_id,
                    "expires_at": e.expires_at,
                    "used": False,
                    "issued_by": e.actor_id,
                }
                for e in events
                if isinstance(e, SignInCode.Issued)
            ],
        )
        await bulk_execute(
            SignInCodeView,
            "UPDATE signin_code SET used = ? WHERE id = ?",
            [(True, e.originator_id) for e in events if isinstance(e, SignInCode.Used)],
        )


def _apply(row: dict[str, Any], e: Any) -> None:
    if isinstance(e, Resident.Verified):
        row.update(status="verified", decided_by=e.actor_id, reject_reason="")
    elif isinstance(e, Resident.Rejected):
        row.update(status="rejected", decided_by=e.actor_id, reject_reason=e.reason)
    elif isinstance(e, Resident.Resubmitted):
        row.update(status="pending", household_id=e.household_id, household=e.household, reject_reason="")
    elif isinstance(e, Resident.RoleGranted):
        grant = {"role": e.role, "until": e.until, "street": e.street, "since": e.timestamp.isoformat()}
        row["roles"] = [g for g in row["roles"] if g["role"] != e.role] + [{**grant, "by": str(e.actor_id or "")}]
    elif isinstance(e, Resident.RoleRevoked):
        row["roles"] = [g for g in row["roles"] if g["role"] != e.role]
    elif isinstance(e, Resident.PasswordSet) and row.get("status") != "erased":
        row["password_hash"] = e.password_hash
    elif isinstance(e, Resident.Erased):
        row.update(status="erased", roles=[], password_hash="", household="", household_id=None)
