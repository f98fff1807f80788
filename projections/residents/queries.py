"""What pages, the sign-in and other contexts' pages read of residents and the household register: sign-in by
phone, registrations waiting for a clerk, roles with their terms, masked names for public pages, and issued sign-in
codes (by digest only); and the channel a resident's changes are announced on."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from piccolo.columns import Varchar

from projections.residents.tables import TOMBSTONE, HouseholdView, ResidentView, SignInCodeView

RESIDENT_CHANNEL = "resident:"


def resident_channel(resident_id: uuid.UUID) -> str:
    """Heard by every web process, not by phones: forget what is cached of this resident (their status or roles
    changed, perhaps through another process)."""
    return f"{RESIDENT_CHANNEL}{resident_id}"


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
