"""Resident commands: the household register, registration and verification, roles, passwords, one-time sign-in
codes and erasure (注销). `authorize`, which every command runs against the acting resident, is in reads.py."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID, uuid5

import anyio
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError

from backend.kernel.changes import resident_changed
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.personal import unseal
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp
from backend.residents.domain.access import AccessRecord, access_record_id
from backend.residents.domain.checks import check_id_number, check_name, normalise_phone
from backend.residents.domain.household import Household, HouseholdRow, address_parts, household_id_for
from backend.residents.domain.phone_claim import PhoneClaim
from backend.residents.domain.resident import Resident
from backend.residents.domain.signin_code import SignInCode
from backend.residents.reads import authorize, load_resident

PHONE_NAMESPACE = UUID("5a0c2d1e-8f3b-4c6a-9e7d-3b2a1c0d9e8f")
RESIDENT_NAMESPACE = UUID("c3a1f0e2-6b7d-4e8f-9a0b-1c2d3e4f5a6b")
CODE_NAMESPACE = UUID("2f8e6d4c-1b3a-4958-8776-a5b4c3d2e1f0")
REGISTER_NAMESPACE = UUID("d1c2b3a4-9e8f-4a7b-8c6d-5e4f3a2b1c0d")
SIGNIN_CODE_DAYS = 7


def _hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile). Inside the test suite only — pytest
    imported and LINLI_TEST_CHEAP_HASHES=1, which tests/conftest.py sets — the library's CHEAPEST profile, which it
    offers for tests: the same code paths at a ten-thousandth of the cost (the suite registers and signs in
    thousands of accounts; hashing was a third of its time). A server never imports pytest, so the setting cannot
    weaken a deployment's hashes."""
    if os.environ.get("LINLI_TEST_CHEAP_HASHES") == "1" and "pytest" in sys.modules:
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


hasher = _hasher()


def check_password_strength(password: str) -> None:
    if len(password) < 8 or password.isdigit() or password.isalpha():
        raise DomainError("Use at least 8 characters with letters and digits.", "password")


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(password_hash) and hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def phone_claim_id(rt: Commands, phone: str) -> UUID:
    return uuid5(PHONE_NAMESPACE, rt.personal.digest(phone))


def load_household(app: LinliApp, ctx: Ctx, household_id: UUID) -> Household:
    try:
        household = app.repository.get(household_id)
    except AggregateNotFoundError:
        raise DomainError("No such household in the register.", "household") from None
    if not isinstance(household, Household) or household.community_id != ctx.community_id:
        raise DomainError("No such household in the register.", "household")
    return household


# -- the household register ---------------------------------------------------------------------------------------
def _seal_members(rt: Commands, household_id: UUID, members: tuple[str, ...]) -> str:
    return rt.personal.seal(household_id, json.dumps(list(members), ensure_ascii=False)) if members else ""


def register_members(rt: Commands, household: Household) -> list[str]:
    if not household.members_sealed:
        return []
    plain = unseal(rt.personal.keys([household.id]).get(household.id), household.members_sealed)
    return json.loads(plain) if plain else []


async def import_households(rt: Commands, ctx: Ctx, rows: list[HouseholdRow]) -> CommandResult:
    """Add the households not yet in the register and update changed member lists, all in one save: a file is
    imported whole or not at all, and importing it again changes nothing."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "household.edit")
        changed: list[LinliAggregate] = []
        counts = {"added": 0, "updated": 0, "unchanged": 0, "vacant": 0}
        for row in rows:
            building, unit, room = address_parts(row.building, row.unit, row.room)
            household_id = household_id_for(ctx.community_id, building, unit, room)
            try:
                household: Household = app.repository.get(household_id)
            except AggregateNotFoundError:
                sealed = _seal_members(rt, household_id, row.members)
                changed.append(Household.register(ctx, building, unit, room, sealed))
                counts["added"] += 1
                continue
            if tuple(register_members(rt, household)) == row.members:
                counts["unchanged"] += 1
            elif household.vacant:  # a file listing a household that moved out: not brought back (a move in is dated)
                counts["vacant"] += 1
            else:
                household.list_members(ctx, _seal_members(rt, household_id, row.members))
                changed.append(household)
                counts["updated"] += 1
        return changed, {k: str(v) for k, v in counts.items()}

    return await rt.execute("household.import", ctx, uuid5(REGISTER_NAMESPACE, str(ctx.community_id)), action)


# -- registration and verification --------------------------------------------------------------------------------
async def register(
    rt: Commands,
    ctx: Ctx,
    name: str,
    phone: str,
    household_id: UUID,
    password: str,
    id_number: str = "",
    verified: bool = False,
    roles: tuple[str, ...] = (),
) -> CommandResult:
    """Self-registration (waits for a clerk), or with `verified` a clerk's registration at the counter, which
    verifies in the same save and may grant roles. An empty password is allowed only at the counter (the resident
    then signs in with a one-time code)."""
    name = check_name(name)
    phone = normalise_phone(phone)
    id_number = check_id_number(id_number)
    if password or not verified:
        check_password_strength(password)
    password_hash = hasher.hash(password) if password else ""
    resident_id = uuid5(RESIDENT_NAMESPACE, ctx.command_id)
    if not verified and ctx.actor_id is None:
        ctx = replace(ctx, actor_id=resident_id)  # who registered: the newcomer themselves (DESIGN 4.4)
    claim_id = phone_claim_id(rt, phone)  # a second registration of the same phone collides on this aggregate
    seal = rt.personal.seal
    sealed = (seal(resident_id, name), seal(resident_id, phone), seal(resident_id, id_number) if id_number else "")

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        if verified:
            authorize(app, ctx, "resident.register_at_counter")
        try:
            claim: PhoneClaim | None = app.repository.get(claim_id)
        except AggregateNotFoundError:
            claim = None
        if claim is not None and not claim.released:
            raise DomainError("This phone number is already registered.", "phone", status=409)
        household = load_household(app, ctx, household_id)
        resident = Resident.register(ctx, resident_id, household, *sealed, password_hash)
        if verified:
            resident.verify(ctx)
            for role in roles:
                resident.grant(ctx, role)
        if claim is None:
            claim = PhoneClaim.start(PhoneClaim.Claimed, ctx, claim_id, resident_id=resident_id)
        else:
            claim.reclaim(ctx, resident_id)
        return [resident, claim], {"resident_id": str(resident_id)}

    try:
        return await rt.execute("resident.register", ctx, claim_id, action)
    except DomainError:
        rt.personal.forget(resident_id)
        raise


async def verify(rt: Commands, ctx: Ctx, resident_id: UUID) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "resident.verify")
        resident = load_resident(app, ctx, resident_id)
        resident.verify(ctx)
        return [resident], {}

    done = await rt.execute("resident.verify", ctx, resident_id, action)
    resident_changed(resident_id)
    return done


async def reject(rt: Commands, ctx: Ctx, resident_id: UUID, reason: str) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "resident.verify")
        resident = load_resident(app, ctx, resident_id)
        resident.reject(ctx, reason)
        return [resident], {}

    done = await rt.execute("resident.reject", ctx, resident_id, action)
    resident_changed(resident_id)
    return done


async def resubmit(rt: Commands, ctx: Ctx, household_id: UUID) -> CommandResult:
    """The resident corrects the household of a rejected registration and sends it again."""
    resident_id = ctx.actor_id
    if resident_id is None:
        raise DomainError("Please sign in first.", status=403)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        resident = load_resident(app, ctx, resident_id)
        resident.resubmit(ctx, load_household(app, ctx, household_id))
        return [resident], {}

    done = await rt.execute("resident.resubmit", ctx, resident_id, action)
    resident_changed(resident_id)
    return done


# -- roles and passwords --------------------------------------------------------------------------------------------
async def _change_role(
    rt: Commands, name: str, ctx: Ctx, resident_id: UUID, role: str, change: Callable[[Resident], None]
) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "resident.grant_role")
        if role == "street_operator" and ctx.actor_id is not None:
            raise DomainError("Street operators are appointed by the street.", "role", status=403)
        if role == "department_staff" and ctx.actor_id is not None:  # the street appoints them (casework)
            raise DomainError("Department staff are appointed by the street.", "role", status=403)
        resident = load_resident(app, ctx, resident_id)
        change(resident)
        return [resident], {}

    done = await rt.execute(name, ctx, resident_id, action)
    resident_changed(resident_id)
    return done


async def grant_role(
    rt: Commands, ctx: Ctx, resident_id: UUID, role: str, until: date | None = None, street: str = "", scope: str = ""
) -> CommandResult:
    """`scope`: for department_staff, the department's id (the CLI; the street appoints through casework)."""
    return await _change_role(
        rt, "resident.grant_role", ctx, resident_id, role, lambda r: r.grant(ctx, role, until, street, scope)
    )


async def revoke_role(rt: Commands, ctx: Ctx, resident_id: UUID, role: str, reason: str) -> CommandResult:
    return await _change_role(rt, "resident.revoke_role", ctx, resident_id, role, lambda r: r.revoke(ctx, role, reason))


async def set_password(rt: Commands, ctx: Ctx, password: str) -> CommandResult:
    """A signed-in resident (e.g. one who came in with a sign-in code) sets their own password."""
    resident_id = ctx.actor_id
    if resident_id is None:
        raise DomainError("Please sign in first.", status=403)
    check_password_strength(password)
    password_hash = hasher.hash(password)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        resident = load_resident(app, ctx, resident_id)
        resident.set_password(ctx, password_hash)
        return [resident], {}

    return await rt.execute("resident.set_password", ctx, resident_id, action)


# -- one-time sign-in codes -----------------------------------------------------------------------------------------
def signin_code_id(rt: Commands, code: str) -> UUID:
    return uuid5(CODE_NAMESPACE, rt.personal.digest("signin-code|" + code))


async def issue_signin_code(rt: Commands, ctx: Ctx, resident_id: UUID, days: int = SIGNIN_CODE_DAYS) -> str:
    """A fresh random code; only its keyed digest reaches the log. Returned once, to be printed on the slip."""
    code = secrets.token_urlsafe(16)
    code_id = signin_code_id(rt, code)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "resident.issue_signin_code")
        resident = load_resident(app, ctx, resident_id)
        return [SignInCode.issue(ctx, code_id, resident, ctx.now + timedelta(days=days))], {}

    await rt.execute("resident.issue_signin_code", ctx, code_id, action)
    return code


async def use_signin_code(rt: Commands, ctx: Ctx, code: str) -> UUID:
    """Spend the code (once, before it expires); the resident it was issued for."""
    code_id = signin_code_id(rt, code)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        try:
            found: SignInCode = app.repository.get(code_id)
        except AggregateNotFoundError:
            raise DomainError("This sign-in code is not valid.", status=404) from None
        found.use(replace(ctx, actor_id=found.resident_id))  # the resident signs themselves in
        resident = load_resident(app, ctx, found.resident_id)
        if resident.erased or resident.status != "verified":
            raise DomainError("This sign-in code is not valid.", status=404)
        return [found], {"resident_id": str(found.resident_id)}

    done = await rt.execute("resident.use_signin_code", ctx, code_id, action)
    return UUID(done.result["resident_id"])


# -- who looked at personal data, and erasure ---------------------------------------------------------------------
def _access_record(app: LinliApp, ctx: Ctx, resident_id: UUID) -> AccessRecord:
    try:
        record: AccessRecord = app.repository.get(access_record_id(resident_id))
    except AggregateNotFoundError:
        return AccessRecord.open(ctx, resident_id)
    return record


async def record_access(rt: Commands, ctx: Ctx, resident_id: UUID, kind: str, reason: str) -> CommandResult:
    """Record that personal data of a resident is being seen ("viewed": a clerk, with a reason) or exported (the
    resident's own download, or a clerk's), before it is shown: no record, nothing shown."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        if kind != "exported" or ctx.actor_id != resident_id:  # a resident's own download needs no role
            authorize(app, ctx, "resident.read_private")
        resident = load_resident(app, ctx, resident_id)
        if resident.erased:
            raise DomainError("This resident has been erased.", status=409)
        record = _access_record(app, ctx, resident_id)
        record.record(ctx, kind, reason)
        return [record], {"count": str(record.count)}

    return await rt.execute("resident.record_access", ctx, access_record_id(resident_id), action)


def _released_phone(
    rt: Commands, app: LinliApp, ctx: Ctx, resident: Resident, key: bytes | None
) -> list[LinliAggregate]:
    """The resident's phone claim, released (so that the number may register again), if it can be found and is
    still theirs: a number freed when its account moved out may hold a newer account since."""
    phone = unseal(key, resident.phone_sealed)
    if phone is None:
        return []
    try:
        claim: PhoneClaim = app.repository.get(phone_claim_id(rt, phone))
    except AggregateNotFoundError:
        return []
    if claim.resident_id != resident.id or claim.released:
        return []
    claim.release(ctx)
    return [claim]


# -- moving in and out (迁入, 迁出) ----------------------------------------------------------------------------------
async def move_out(
    rt: Commands, ctx: Ctx, household_id: UUID, on: date, resident_ids: list[UUID], whole: bool
) -> CommandResult:
    """迁出: the whole household (the dwelling left vacant) or some of its people, in one save. Each account that
    moves out stops taking part (no roles, no votes from that day) and frees its phone number, so that the person
    can register where they now live; what they did here stands."""
    if not whole and not resident_ids:
        raise DomainError("Choose who moves out, or the whole household.", "residents")
    keys = rt.personal.keys(resident_ids)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "household.edit")
        household = load_household(app, ctx, household_id)
        changed: list[LinliAggregate] = []
        if whole:
            household.move_out(ctx, on)
            changed.append(household)
        for resident_id in dict.fromkeys(resident_ids):
            resident = load_resident(app, ctx, resident_id)
            resident.move_out(ctx, household, on)
            changed += [resident, *_released_phone(rt, app, ctx, resident, keys.get(resident_id))]
        return changed, {"moved": str(len(set(resident_ids)))}

    done = await rt.execute("household.move_out", ctx, household_id, action)
    for resident_id in resident_ids:
        resident_changed(resident_id)
    return done


async def move_in(rt: Commands, ctx: Ctx, household_id: UUID, on: date, members: tuple[str, ...]) -> CommandResult:
    """迁入: a new household at a vacant dwelling of the register, its members listed. Their accounts are registered
    as anyone's (online, or at the counter)."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "household.edit")
        household = load_household(app, ctx, household_id)
        household.move_in(ctx, on, _seal_members(rt, household_id, members))
        return [household], {}

    return await rt.execute("household.move_in", ctx, household_id, action)


async def erase(rt: Commands, ctx: Ctx, resident_id: UUID, reason: str = "own_request") -> None:
    """注销: record the erasure (in the resident's access record too) and release the phone, then delete the key.
    Repeating it finishes a half-done one."""
    key = rt.personal.keys([resident_id]).get(resident_id)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        resident = load_resident(app, ctx, resident_id)
        resident.erase(ctx)
        record = _access_record(app, ctx, resident_id)
        record.record(ctx, "erased", reason)
        return [resident, record, *_released_phone(rt, app, ctx, resident, key)], {}

    try:
        await rt.execute("resident.erase", ctx, resident_id, action)
    except DomainError as refused:
        if refused.status != 409:  # 409: erased already; still make sure the key is gone
            raise
    # Final on disk when it returns (the key store zeroes the key and truncates its WAL; on PostgreSQL it rewrites the
    # keys table): file work, so off the event loop.
    await anyio.to_thread.run_sync(rt.personal.erase, resident_id)
    resident_changed(resident_id)
