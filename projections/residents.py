"""Residents as the interface needs them: sign-in by phone, masked names for public pages."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from piccolo.columns import JSON, UUID, Varchar
from piccolo.table import Table

from backend.masking import mask_name
from backend.residents.domain import Resident
from projections.db import bulk_insert
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
    handles: ClassVar[Sequence[type]] = (Resident.Registered,)

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        rows = [
            {
                "id": e.originator_id,
                "community_id": e.community_id,
                "name": e.name,
                "name_masked": mask_name(e.name),
                "phone": e.phone,
                "household": e.household,
                "password_hash": e.password_hash,
                "roles": e.roles,
            }
            for e in (item.event for item in items)
        ]
        await bulk_insert(ResidentView, rows)
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
