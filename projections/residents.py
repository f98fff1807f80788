"""Residents and the household register as the interface needs them: sign-in by phone, registrations waiting for
a clerk, roles with their terms, masked names for public pages, and issued sign-in codes (by digest only)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, ClassVar

import anyio
from piccolo.columns import JSON, UUID, Boolean, Date, Timestamptz, Varchar
from piccolo.table import Table

from backend.kernel.masking import mask_name
from backend.kernel.personal import PersonalData, unseal
from backend.residents.domain import Household, Resident, SignInCode, birth_date
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage

TOMBSTONE = "已注销居民"
MUTABLE = ("status", "reject_reason", "household_id", "household", "password_hash", "roles", "decided_by")


class ResidentView(Table, tablename="resident"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    name = Varchar(length=30)
    name_masked = Varchar(length=30)
    phone = Varchar(length=20, index=True)
    household_id = UUID(null=True, default=None, index=True)
    household = Varchar(length=60)
    has_id_number = Boolean(default=False)
    birth_date = Date(null=True, default=None)  # from the ID number: who needs a guardian's consent
    password_hash = Varchar(length=200)
    status = Varchar(length=10, default="pending")  # pending | verified | rejected | erased
    reject_reason = Varchar(length=200, default="")
    roles = JSON()  # [{"role", "until", "street", "since", "by"}]
    registered_at = Timestamptz()
    decided_by = UUID(null=True, default=None)


class HouseholdView(Table, tablename="household"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    building = Varchar(length=20)
    unit = Varchar(length=20)
    room = Varchar(length=20)
    label = Varchar(length=60)
    members = JSON()  # the names the register lists


class SignInCodeView(Table, tablename="signin_code"):
    id = UUID(primary_key=True)  # derived from a keyed digest of the code: the code itself is nowhere
    community_id = UUID(index=True)
    resident_id = UUID(index=True)
    expires_at = Timestamptz()
    used = Boolean(default=False)
    issued_by = UUID(null=True, default=None)


CHANGES_WHO_MAY_ACT = (
    Resident.Verified,
    Resident.Rejected,
    Resident.Resubmitted,
    Resident.RoleGranted,
    Resident.RoleRevoked,
    Resident.Erased,
)
RESIDENT_CHANNEL = "resident:"


def resident_channel(resident_id: uuid.UUID) -> str:
    """Heard by every web process, not by phones: forget what is cached of this resident (their status or roles
    changed, perhaps through another process)."""
    return f"{RESIDENT_CHANNEL}{resident_id}"


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


def roles_in_force(row: dict[str, Any], day: date) -> tuple[str, ...]:
    """ "resident" once verified, and every granted role whose term runs on `day`."""
    if row.get("status") != "verified":
        return ()
    held = [g["role"] for g in row["roles"] if not g["until"] or date.fromisoformat(g["until"]) >= day]
    return ("resident", *sorted(set(held)))


def streets_of(row: dict[str, Any], day: date) -> tuple[str, ...]:
    if "street_operator" not in roles_in_force(row, day):
        return ()
    return tuple(g["street"] for g in row["roles"] if g["role"] == "street_operator")


def natural(value: str) -> list[Any]:
    """ "2栋" before "10栋"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value)]


# -- queries -----------------------------------------------------------------------------------------------------------
async def by_phone(phone: str) -> dict[str, Any] | None:
    if not phone:
        return None
    return await ResidentView.select().where(ResidentView.phone == phone).output(load_json=True).first()


async def by_id(resident_id: object) -> dict[str, Any] | None:
    """A fixed statement: this runs for every signed-in request, and building a Piccolo select of every column cost
    more than the query."""
    return (await by_ids([resident_id])).get(str(resident_id))


async def by_ids(resident_ids: Sequence[object]) -> dict[str, dict[str, Any]]:
    """Several residents' rows in one statement (see by_id), by id."""
    if not resident_ids:
        return {}
    placeholders = ", ".join("{}" for _ in resident_ids)
    rows = await ResidentView.raw(f"SELECT * FROM resident WHERE id IN ({placeholders})", *resident_ids)
    for row in rows:
        if isinstance(row["roles"], str | bytes):
            row["roles"] = json.loads(row["roles"])
    return {str(row["id"]): row for row in rows}


async def masked_names(ids: Iterable[object]) -> dict[str, str]:
    """For public pages: 张*明."""
    return await _names(ids, ResidentView.name_masked)


async def full_names(ids: Iterable[object]) -> dict[str, str]:
    """For the committee's own pages only (attendance lists, the clerk's desk)."""
    return await _names(ids, ResidentView.name)


async def _names(ids: Iterable[object], column: Varchar) -> dict[str, str]:
    wanted = {str(i) for i in ids if i}
    if not wanted:
        return {}
    rows = await ResidentView.select(ResidentView.id, column.as_alias("shown")).where(
        ResidentView.id.is_in([uuid.UUID(i) for i in wanted])
    )
    names = {str(r["id"]): r["shown"] for r in rows}
    return {i: names.get(i, TOMBSTONE) for i in wanted}


async def in_community(
    community_id: object, status: str | None = None, query: str = "", limit: int = 200
) -> list[dict[str, Any]]:
    select = ResidentView.select().where(ResidentView.community_id == community_id)
    if status:
        select = select.where(ResidentView.status == status)
    query = query.strip()
    if query:
        select = select.where(
            (ResidentView.name.like(f"%{query}%"))
            | (ResidentView.phone.like(f"%{query}%"))
            | (ResidentView.household.like(f"%{query}%"))
        )
    rows = await select.order_by(ResidentView.registered_at).limit(limit).output(load_json=True)
    return sorted(rows, key=lambda r: natural(r["household"]))


async def in_household(household_id: object) -> list[dict[str, Any]]:
    return await ResidentView.select().where(ResidentView.household_id == household_id).output(load_json=True)


async def all_residents(limit: int = 100) -> list[dict[str, Any]]:
    rows = await ResidentView.select().where(ResidentView.status == "verified").limit(limit).output(load_json=True)
    return sorted(rows, key=lambda r: natural(r["household"]))


async def counts(community_id: object) -> dict[str, int]:
    rows = await ResidentView.select(ResidentView.status).where(ResidentView.community_id == community_id)
    result = {"pending": 0, "verified": 0, "rejected": 0, "erased": 0}
    for row in rows:
        result[row["status"]] = result.get(row["status"], 0) + 1
    result["households"] = await HouseholdView.count().where(HouseholdView.community_id == community_id)
    return result


async def households(community_id: object) -> list[dict[str, Any]]:
    rows = await HouseholdView.select().where(HouseholdView.community_id == community_id).output(load_json=True)
    return sorted(rows, key=lambda r: (natural(r["building"]), natural(r["unit"]), natural(r["room"])))


async def household(household_id: object) -> dict[str, Any] | None:
    return await HouseholdView.select().where(HouseholdView.id == household_id).output(load_json=True).first()


async def buildings(community_id: object) -> list[str]:
    rows = (
        await HouseholdView.select(HouseholdView.building).where(HouseholdView.community_id == community_id).distinct()
    )
    return sorted((r["building"] for r in rows), key=natural)


async def units(community_id: object, building: str) -> list[str]:
    rows = await (
        HouseholdView.select(HouseholdView.unit)
        .where(HouseholdView.community_id == community_id, HouseholdView.building == building)
        .distinct()
    )
    return sorted((r["unit"] for r in rows), key=natural)


async def rooms(community_id: object, building: str, unit: str) -> list[dict[str, Any]]:
    rows = await HouseholdView.select(HouseholdView.id, HouseholdView.room).where(
        HouseholdView.community_id == community_id, HouseholdView.building == building, HouseholdView.unit == unit
    )
    return sorted(rows, key=lambda r: natural(r["room"]))


async def signin_code(code_id: object) -> dict[str, Any] | None:
    return await SignInCodeView.select().where(SignInCodeView.id == code_id).first()


async def holding(community_id: object, roles: Iterable[str], day: date) -> list[uuid.UUID]:
    """The verified residents of a community holding any of `roles` on `day` (a body's members, 应到)."""
    wanted = set(roles)
    rows = (
        await ResidentView.select(ResidentView.id, ResidentView.status, ResidentView.roles)
        .where((ResidentView.community_id == community_id) & (ResidentView.status == "verified"))
        .output(load_json=True)
    )
    return [uuid.UUID(str(r["id"])) for r in rows if wanted & set(roles_in_force(r, day))]


async def minors_in_household(household_id: object, born_after: date) -> list[dict[str, Any]]:
    """Verified residents of a household born after a day (younger than an age on a day)."""
    return (
        await ResidentView.select(ResidentView.id, ResidentView.name, ResidentView.birth_date)
        .where(
            (ResidentView.household_id == household_id)
            & (ResidentView.status == "verified")
            & (ResidentView.birth_date > born_after)
        )
        .order_by(ResidentView.birth_date)
    )
