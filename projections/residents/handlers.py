"""The residents' projection: residents and the household register from their events, and who looked at whose
personal data. Personal values stay sealed as the log has them; they are opened here only to make what may be kept
in clear — the masked forms — and the keyed digests of sign-in and search (`projections.residents.blind`). An
erased resident's key is gone: the row shows a tombstone, never crashes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, ClassVar

import anyio
from piccolo.table import Table

from backend.kernel.masking import mask_name, mask_phone
from backend.kernel.personal import PersonalData, unseal
from backend.residents.domain.access import AccessRecord
from backend.residents.domain.household import Household
from backend.residents.domain.resident import Resident
from backend.residents.domain.signin_code import SignInCode
from projections.db import bulk_execute, bulk_insert
from projections.residents import blind
from projections.residents.queries import resident_channel
from projections.residents.tables import (
    TOMBSTONE,
    AccessView,
    HouseholdView,
    RegisterMoveView,
    ResidentSearch,
    ResidentView,
    SignInCodeView,
)
from projections.types import Item, LiveMessage

MUTABLE = ("status", "reject_reason", "household_id", "household", "password_hash", "roles", "decided_by")
CHANGES_WHO_MAY_ACT = (
    Resident.Verified,
    Resident.Rejected,
    Resident.Resubmitted,
    Resident.RoleGranted,
    Resident.RoleRevoked,
    Resident.Erased,
    Resident.MovedOut,
)


class ResidentsProjection:
    name = "residents"
    tables: ClassVar[Sequence[type[Table]]] = (
        ResidentView, HouseholdView, SignInCodeView, ResidentSearch, AccessView, RegisterMoveView
    )  # fmt: skip
    handles: ClassVar[Sequence[type]] = (
        Resident.Registered,
        Resident.Verified,
        Resident.Rejected,
        Resident.Resubmitted,
        Resident.RoleGranted,
        Resident.RoleRevoked,
        Resident.PasswordSet,
        Resident.Erased,
        Resident.MovedOut,
        Household.Registered,
        Household.MembersListed,
        Household.MovedOut,
        Household.MovedIn,
        SignInCode.Issued,
        SignInCode.Used,
        AccessRecord.Accessed,
    )

    def __init__(self, personal: PersonalData) -> None:
        self.personal = personal

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        events = [i.event for i in items]
        await self._households(events)
        verified_before = await self._residents(events)
        await self._codes(events)
        await _accesses(items)
        await _moves(items, verified_before)
        changed = {e.originator_id for e in events if isinstance(e, CHANGES_WHO_MAY_ACT)}
        return [(resident_channel(rid), {}) for rid in changed]

    async def _keys(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, bytes]:
        return await anyio.to_thread.run_sync(self.personal.keys, list(ids))

    async def _households(self, events: list[Any]) -> None:
        """The member names stay as the log sealed them (with the household's key); pages open them."""
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
                    "members_sealed": e.members_sealed,
                }
                for e in events
                if isinstance(e, Household.Registered)
            ],
        )
        await bulk_execute(
            HouseholdView,
            "UPDATE household SET members_sealed = ?, vacant = ? WHERE id = ?",
            [
                (getattr(e, "members_sealed", ""), isinstance(e, Household.MovedOut), e.originator_id)
                for e in events
                if isinstance(e, Household.MembersListed | Household.MovedOut | Household.MovedIn)
            ],
        )

    async def _residents(self, events: list[Any]) -> dict[uuid.UUID, bool]:
        """The residents' rows; returns, for each account that moved out in the batch, whether it was verified then."""
        registered = {e.originator_id: e for e in events if isinstance(e, Resident.Registered)}
        keys = await self._keys(registered)
        search_key = await anyio.to_thread.run_sync(blind.search_key, self.personal) if registered else b""
        new: dict[uuid.UUID, dict[str, Any]] = {}
        pieces: list[dict[str, Any]] = []
        for rid, e in registered.items():
            key = keys.get(rid)
            name, phone = unseal(key, e.name_sealed), unseal(key, e.phone_sealed)
            kept = name is not None  # else erased before this reading of the log: nothing of them is kept
            new[rid] = {
                "id": rid,
                "community_id": e.community_id,
                "name_masked": mask_name(name) if name else TOMBSTONE,
                "name_sealed": e.name_sealed if kept else "",
                "phone_masked": mask_phone(phone or ""),
                "phone_sealed": e.phone_sealed if kept else "",
                "phone_digest": blind.phone_digest(search_key, phone) if phone else "",
                "id_number_sealed": e.id_number_sealed if kept else "",
                "household_id": e.household_id if kept else None,
                "household": e.household if kept else "",
                "has_id_number": bool(e.id_number_sealed) and kept,
                "password_hash": e.password_hash if kept else "",
                "status": "pending" if kept else "erased",
                "reject_reason": "",
                "roles": [],
                "registered_at": e.timestamp,
                "decided_by": None,
            }
            if name is not None:
                digests = blind.index_digests(search_key, e.community_id, name, phone or "")
                pieces += [{"resident_id": rid, "community_id": e.community_id, "digest": d} for d in sorted(digests)]
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
        moved: set[uuid.UUID] = set()  # their phone is freed for where they live now: no sign-in by it here
        verified_before: dict[uuid.UUID, bool] = {}
        for e in others:
            row = new.get(e.originator_id) or changed.get(e.originator_id)
            if row is None:
                continue
            if isinstance(e, Resident.MovedOut):
                verified_before[e.originator_id] = row["status"] == "verified"
            _apply(row, e)
            if isinstance(e, Resident.Erased):
                erased.add(e.originator_id)
            elif isinstance(e, Resident.MovedOut):
                moved.add(e.originator_id)
        await bulk_insert(ResidentView, list(new.values()))
        await bulk_insert(ResidentSearch, pieces)
        await bulk_execute(
            ResidentView,
            f"UPDATE resident SET {', '.join(f'{c} = ?' for c in MUTABLE)} WHERE id = ?",
            [(*tuple(row[c] for c in MUTABLE), rid) for rid, row in changed.items()],
        )
        await bulk_execute(
            ResidentView,
            "UPDATE resident SET name_masked = ?, name_sealed = '', phone_masked = '', phone_sealed = '', "
            "phone_digest = '', id_number_sealed = '', household = '', household_id = NULL, password_hash = '', "
            "has_id_number = ?, status = 'erased' WHERE id = ?",
            [(TOMBSTONE, False, rid) for rid in erased],
        )
        await bulk_execute(ResidentSearch, "DELETE FROM resident_search WHERE resident_id = ?", [(r,) for r in erased])
        await bulk_execute(ResidentView, "UPDATE resident SET phone_digest = '' WHERE id = ?", [(r,) for r in moved])
        return verified_before

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
    elif isinstance(e, Resident.MovedOut):
        row.update(status="moved_out", roles=[])


async def _accesses(items: list[Item]) -> None:
    """Each access as a row, its id the event's (its record and version): a batch applied again is refused by the
    position, never doubled."""
    await bulk_insert(
        AccessView,
        [
            {
                "id": uuid.uuid5(e.originator_id, str(e.originator_version)),
                "resident_id": e.resident_id,
                "community_id": e.community_id,
                "actor_id": e.actor_id,
                "kind": e.kind,
                "reason": e.reason,
                "at": e.timestamp,
            }
            for e in (i.event for i in items)
            if isinstance(e, AccessRecord.Accessed)
        ],
    )


MOVES = {Household.MovedIn: "household_in", Household.MovedOut: "household_out", Resident.MovedOut: "resident_out"}


async def _moves(items: list[Item], verified_before: dict[uuid.UUID, bool]) -> None:
    """Each move as a row (its id the event's: a batch applied again is refused by the position, never doubled)."""
    await bulk_insert(
        RegisterMoveView,
        [
            {
                "id": uuid.uuid5(e.originator_id, str(e.originator_version)),
                "community_id": e.community_id,
                "household_id": e.household_id if isinstance(e, Resident.MovedOut) else e.originator_id,
                "resident_id": e.originator_id if isinstance(e, Resident.MovedOut) else None,
                "kind": MOVES[type(e)],
                "was_verified": verified_before.get(e.originator_id, False)
                if isinstance(e, Resident.MovedOut)
                else False,
                "moved_on": date.fromisoformat(e.on),
                "at": e.timestamp,
                "position": item.position,
            }
            for item in items
            if type(e := item.event) in MOVES
        ],
    )
