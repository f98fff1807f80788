"""Residents as the interface needs them: sign-in by phone, masked names for public pages."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import anyio
from piccolo.columns import JSON, UUID, Varchar
from piccolo.table import Table

from backend.masking import mask_name
from backend.residents.domain import Resident
from backend.residents.personal import PersonalData, unseal
from projections.db import bulk_execute, bulk_insert
from projections.runner import Item, LiveMessage

TOMBSTONE = "已注销居民"


class ResidentView(Table, tablename="resident"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    name = Varchar(length=30)
    name_masked = Varchar(length=30)
    phone = Varchar(length=20, index=True)
    household = Varchar(length=60)
    password_hash = Varchar(length=200)
    roles = JSON()


class ResidentsProjection:
    name = "residents"
    tables: ClassVar[Sequence[type[Table]]] = (ResidentView,)
    handles: ClassVar[Sequence[type]] = (Resident.Registered, Resident.Erased)

    def __init__(self, personal: PersonalData) -> None:
        self.personal = personal

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        registered = [i.event for i in items if isinstance(i.event, Resident.Registered)]
        keys = await anyio.to_thread.run_sync(self.personal.keys, [e.originator_id for e in registered])
        rows = []
        for e in registered:
            key = keys.get(e.originator_id)
            name, phone = unseal(key, e.name_sealed), unseal(key, e.phone_sealed)
            rows.append(
                {
                    "id": e.originator_id,
                    "community_id": e.community_id,
                    "name": name or TOMBSTONE,
                    "name_masked": mask_name(name) if name else TOMBSTONE,
                    "phone": phone or "",
                    "household": e.household if name else "",
                    "password_hash": e.password_hash if name else "",
                    "roles": e.roles,
                }
            )
        erased = [i.event.originator_id for i in items if isinstance(i.event, Resident.Erased)]
        await bulk_insert(ResidentView, rows)
        await bulk_execute(
            ResidentView,
            "UPDATE resident SET name = ?, name_masked = ?, phone = '', household = '', password_hash = '' "
            "WHERE id = ?",
            [(TOMBSTONE, TOMBSTONE, resident_id) for resident_id in erased],
        )
        return []


async def by_phone(phone: str) -> dict[str, Any] | None:
    return await ResidentView.select().where(ResidentView.phone == phone).output(load_json=True).first()


async def by_id(resident_id: object) -> dict[str, Any] | None:
    return await ResidentView.select().where(ResidentView.id == resident_id).output(load_json=True).first()


async def masked_names(ids: Iterable[object]) -> dict[str, str]:
    wanted = {str(i) for i in ids if i}
    if not wanted:
        return {}
    rows = await ResidentView.select(ResidentView.id, ResidentView.name_masked).where(
        ResidentView.id.is_in([uuid.UUID(i) for i in wanted])
    )
    names = {str(r["id"]): r["name_masked"] for r in rows}
    return {i: names.get(i, TOMBSTONE) for i in wanted}


async def in_community(community_id: object) -> list[dict[str, Any]]:
    return await (
        ResidentView.select()
        .where(ResidentView.community_id == community_id)
        .order_by(ResidentView.household)
        .output(load_json=True)
    )


async def all_residents(limit: int = 100) -> list[dict[str, Any]]:
    return await ResidentView.select().order_by(ResidentView.household).limit(limit).output(load_json=True)
