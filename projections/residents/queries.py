"""What pages, the sign-in and other contexts' pages read of residents and the household register: sign-in by
phone, registrations waiting for a clerk, roles with their terms, masked names for public pages, and issued sign-in
codes (by digest only); and the channel a resident's changes are announced on.

The views keep personal values sealed (projections/residents/tables.py). The functions that give them in clear
take the process's `PersonalData` and open them with the residents' keys, for the page that shows them to whom may
see them; a resident whose key is gone reads as the tombstone. Who looked at whose data is in `access`."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import anyio

from backend.kernel.personal import PersonalData, unseal
from backend.residents.domain.checks import birth_date
from projections.residents import blind
from projections.residents.tables import (
    TOMBSTONE,
    AccessView,
    HouseholdView,
    RegisterMoveView,
    ResidentSearch,
    ResidentView,
    SignInCodeView,
)

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
    # the parts \d+ matched are decimal; another part may hold a digit that is no number ("²"), which stays text
    return [int(part) if part.isdecimal() else part for part in re.split(r"(\d+)", value)]


async def by_phone(personal: PersonalData, phone: str) -> dict[str, Any] | None:
    """The resident signing in with this phone, found by its keyed digest."""
    if not phone:
        return None
    key = await anyio.to_thread.run_sync(blind.search_key, personal)
    digest = blind.phone_digest(key, phone)
    return await ResidentView.select().where(ResidentView.phone_digest == digest).output(load_json=True).first()


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
    wanted = {str(i) for i in ids if i}
    if not wanted:
        return {}
    rows = await ResidentView.select(ResidentView.id, ResidentView.name_masked).where(
        ResidentView.id.is_in([uuid.UUID(i) for i in wanted])
    )
    names = {str(r["id"]): r["name_masked"] for r in rows}
    return {i: names.get(i, TOMBSTONE) for i in wanted}


async def full_names(personal: PersonalData, ids: Iterable[object]) -> dict[str, str]:
    """For the committee's own pages only (attendance lists, the clerk's desk): opened at render time."""
    wanted = {str(i) for i in ids if i}
    if not wanted:
        return {}
    rows = await ResidentView.select(ResidentView.id, ResidentView.name_sealed).where(
        ResidentView.id.is_in([uuid.UUID(i) for i in wanted])
    )
    names = {str(r["id"]): r["name"] for r in await opened(personal, rows)}
    return {i: names.get(i, TOMBSTONE) for i in wanted}


async def _keys(personal: PersonalData, ids: Iterable[object]) -> dict[uuid.UUID, bytes]:
    wanted = [uuid.UUID(str(i)) for i in ids]
    return await anyio.to_thread.run_sync(personal.keys, wanted) if wanted else {}


async def opened(personal: PersonalData, rows: list[dict[str, Any]], id_number: bool = False) -> list[dict[str, Any]]:
    """The rows with "name" and "phone" in clear (and "id_number" when asked) from their sealed columns, for a page
    that shows them to someone who may see them: the tombstone and "" where the key is gone (erased)."""
    keys = await _keys(personal, {r["id"] for r in rows})
    for row in rows:
        key = keys.get(uuid.UUID(str(row["id"])))
        row["name"] = unseal(key, row.get("name_sealed") or "") or TOMBSTONE
        row["phone"] = unseal(key, row.get("phone_sealed") or "") or ""
        if id_number:
            row["id_number"] = unseal(key, row.get("id_number_sealed") or "") or ""
    return rows


async def in_community(
    personal: PersonalData, community_id: object, status: str | None = None, query: str = "", limit: int = 200
) -> list[dict[str, Any]]:
    """The community's residents (opened, for the clerk's pages), or those a clerk's query finds: a piece of the
    name, at least four digits of the phone (through the blind index), or a piece of the household's address."""
    select = ResidentView.select().where(ResidentView.community_id == community_id)
    if status:
        select = select.where(ResidentView.status == status)
    query = query.strip()
    if query:
        key = await anyio.to_thread.run_sync(blind.search_key, personal)
        digests = blind.query_digests(key, uuid.UUID(str(community_id)), query)
        found = (
            await ResidentSearch.select(ResidentSearch.resident_id).where(ResidentSearch.digest.is_in(digests))
            if digests
            else []
        )
        ids = list({r["resident_id"] for r in found})
        typed = _like(query)
        address = ResidentView.household.like(f"%{typed}%") if typed else ResidentView.id.is_in([uuid.UUID(int=0)])
        select = select.where((ResidentView.id.is_in(ids) | address) if ids else address)
    rows = await select.order_by(ResidentView.registered_at).limit(limit).output(load_json=True)
    return sorted(await opened(personal, rows), key=lambda r: natural(r["household"]))


def _like(text: str) -> str:
    """The address as typed, without LIKE's wildcards (a clerk typing "%" finds nobody, not everybody)."""
    return text.replace("%", "").replace("_", "")


async def in_household(personal: PersonalData, household_id: object) -> list[dict[str, Any]]:
    rows = await ResidentView.select().where(ResidentView.household_id == household_id).output(load_json=True)
    return await opened(personal, rows)


async def all_residents(personal: PersonalData, limit: int = 100) -> list[dict[str, Any]]:
    """Verified residents who can sign in with a password, opened (the demo's sign-in page lists its accounts; the
    demo's neighbouring communities have residents without one, who would only be refused)."""
    can_sign_in = (ResidentView.status == "verified") & (ResidentView.password_hash != "")
    rows = await ResidentView.select().where(can_sign_in).limit(limit).output(load_json=True)
    return sorted(await opened(personal, rows), key=lambda r: natural(r["household"]))


async def counts(community_id: object) -> dict[str, int]:
    rows = await ResidentView.select(ResidentView.status).where(ResidentView.community_id == community_id)
    result = {"pending": 0, "verified": 0, "rejected": 0, "erased": 0}
    for row in rows:
        result[row["status"]] = result.get(row["status"], 0) + 1
    result["households"] = await HouseholdView.count().where(HouseholdView.community_id == community_id)
    return result


async def households(personal: PersonalData, community_id: object) -> list[dict[str, Any]]:
    """The register, with the member names opened (the clerk's page)."""
    rows = await HouseholdView.select().where(HouseholdView.community_id == community_id)
    rows = await _with_members(personal, rows)
    return sorted(rows, key=lambda r: (natural(r["building"]), natural(r["unit"]), natural(r["room"])))


async def household(personal: PersonalData, household_id: object) -> dict[str, Any] | None:
    row = await HouseholdView.select().where(HouseholdView.id == household_id).first()
    return (await _with_members(personal, [row]))[0] if row else None


async def _with_members(personal: PersonalData, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = await _keys(personal, {r["id"] for r in rows if r["members_sealed"]})
    for row in rows:
        plain = unseal(keys.get(uuid.UUID(str(row["id"]))), row["members_sealed"]) if row["members_sealed"] else None
        row["members"] = json.loads(plain) if plain else []
    return rows


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
    """The rooms a newcomer may register at: those the register lists a household at (not vacant)."""
    rows = await HouseholdView.select(HouseholdView.id, HouseholdView.room).where(
        HouseholdView.community_id == community_id,
        HouseholdView.building == building,
        HouseholdView.unit == unit,
        HouseholdView.vacant == False,  # noqa: E712 (a column comparison, not a truth test)
    )
    return sorted(rows, key=lambda r: natural(r["room"]))


async def signin_code(code_id: object) -> dict[str, Any] | None:
    return await SignInCodeView.select().where(SignInCodeView.id == code_id).first()


async def holding(community_id: object, roles: Iterable[str], day: date) -> list[uuid.UUID]:
    """The verified residents of a community holding any of `roles` on `day` (a body's members, 应到)."""
    return holding_among(await verified_roles(community_id), roles, day)


async def verified_roles(community_id: object) -> list[dict[str, Any]]:
    """The verified residents of a community with their roles (what `holding_among` reads): read once for many
    days (the inbox's notices of a batch of cases)."""
    return await (
        ResidentView.select(ResidentView.id, ResidentView.status, ResidentView.roles)
        .where((ResidentView.community_id == community_id) & (ResidentView.status == "verified"))
        .output(load_json=True)
    )


def holding_among(rows: list[dict[str, Any]], roles: Iterable[str], day: date) -> list[uuid.UUID]:
    """Those of `rows` (verified_roles) holding any of `roles` on `day`."""
    wanted = set(roles)
    return [uuid.UUID(str(r["id"])) for r in rows if wanted & set(roles_in_force(r, day))]


async def birth_dates(personal: PersonalData, rows: list[dict[str, Any]]) -> dict[str, date]:
    """The birth dates in the (sealed) ID numbers of these residents' rows, by id; none where no ID number was given
    or it is erased."""
    keys = await _keys(personal, {r["id"] for r in rows if r.get("id_number_sealed")})
    found: dict[str, date] = {}
    for row in rows:
        number = unseal(keys.get(uuid.UUID(str(row["id"]))), row.get("id_number_sealed") or "") if keys else None
        born = birth_date(number) if number else None
        if born is not None:
            found[str(row["id"])] = born
    return found


async def minors_in_household(personal: PersonalData, household_id: object, born_after: date) -> list[dict[str, Any]]:
    """Verified residents of a household born after a day (younger than an age on a day), youngest last, with
    their names opened (their guardian's page)."""
    rows = await ResidentView.select(
        ResidentView.id, ResidentView.name_sealed, ResidentView.phone_sealed, ResidentView.id_number_sealed
    ).where((ResidentView.household_id == household_id) & (ResidentView.status == "verified"))
    born = await birth_dates(personal, rows)
    young = [{**r, "birth_date": born[str(r["id"])]} for r in rows if born.get(str(r["id"]), date.min) > born_after]
    return sorted(await opened(personal, young), key=lambda r: r["birth_date"])


async def living_in(personal: PersonalData, household_id: object) -> list[dict[str, Any]]:
    """The accounts registered at a household and living here (pending or verified), names opened (the clerk's
    moving-out form)."""
    rows = await ResidentView.select(
        ResidentView.id, ResidentView.name_sealed, ResidentView.phone_masked, ResidentView.status
    ).where((ResidentView.household_id == household_id) & ResidentView.status.is_in(["pending", "verified"]))
    return sorted(await opened(personal, rows), key=lambda r: r["name"])  # the phone stays masked, as on every list


async def moves(community_id: object, household_id: object | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The register's moves (迁入, 迁出), latest first, with the dwelling's address: the community's or one
    household's."""
    select = RegisterMoveView.select().where(RegisterMoveView.community_id == community_id)
    if household_id is not None:
        select = select.where(RegisterMoveView.household_id == household_id)
    rows = await select.order_by(RegisterMoveView.position, ascending=False).limit(limit)
    labels = {
        str(h["id"]): h["label"]
        for h in await HouseholdView.select(HouseholdView.id, HouseholdView.label).where(
            HouseholdView.id.is_in(list({r["household_id"] for r in rows}) or [uuid.uuid4()])
        )
    }
    return [{**r, "household": labels.get(str(r["household_id"]), "")} for r in rows]


# -- who looked at personal data -----------------------------------------------------------------------------------
async def accesses_of(resident_id: object, limit: int = 200) -> list[dict[str, Any]]:
    """Who looked at a resident's personal data, newest first (their own 我的数据 page)."""
    return (
        await AccessView.select()
        .where(AccessView.resident_id == resident_id)
        .order_by(AccessView.at, ascending=False)
        .limit(limit)
    )


async def access_totals(community_id: object) -> dict[str, Any]:
    """For the supervisory committee: how often personal data was looked at, exported and erased, by why, and by
    whom (no resident named)."""
    rows = await AccessView.select(AccessView.kind, AccessView.reason, AccessView.actor_id).where(
        AccessView.community_id == community_id
    )
    by_kind: dict[str, int] = {}
    by_reason: dict[tuple[str, str], int] = {}
    by_actor: dict[str, int] = {}
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + 1
        by_reason[(row["kind"], row["reason"])] = by_reason.get((row["kind"], row["reason"]), 0) + 1
        if row["kind"] == "viewed":
            actor = str(row["actor_id"] or "")
            by_actor[actor] = by_actor.get(actor, 0) + 1
    return {"total": len(rows), "by_kind": by_kind, "by_reason": by_reason, "by_actor": by_actor}
