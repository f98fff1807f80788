"""Resident commands: registering an account with a password, and erasure (注销)."""

from __future__ import annotations

from uuid import UUID, uuid5

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError

from backend.eventstore import CommandResult, Ctx, DomainError, LinliAggregate, LinliApp
from backend.residents.domain import PhoneClaim, Resident, check_name, normalise_phone
from backend.residents.personal import unseal
from backend.runtime import Runtime

PHONE_NAMESPACE = UUID("5a0c2d1e-8f3b-4c6a-9e7d-3b2a1c0d9e8f")
RESIDENT_NAMESPACE = UUID("c3a1f0e2-6b7d-4e8f-9a0b-1c2d3e4f5a6b")
hasher = PasswordHasher()


def check_password_strength(password: str) -> None:
    if len(password) < 8 or password.isdigit() or password.isalpha():
        raise DomainError("Use at least 8 characters with letters and digits.", "password")


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def phone_claim_id(rt: Runtime, phone: str) -> UUID:
    return uuid5(PHONE_NAMESPACE, rt.personal.digest(phone))


async def register(
    rt: Runtime, ctx: Ctx, name: str, phone: str, household: str, password: str, roles: list[str]
) -> CommandResult:
    name = check_name(name)
    phone = normalise_phone(phone)
    check_password_strength(password)
    password_hash = hasher.hash(password)
    resident_id = uuid5(RESIDENT_NAMESPACE, ctx.command_id)
    # A second registration of the same phone collides on this aggregate (and lock key) and is refused.
    claim_id = phone_claim_id(rt, phone)
    name_sealed, phone_sealed = rt.personal.seal(resident_id, name), rt.personal.seal(resident_id, phone)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        try:
            claim: PhoneClaim | None = app.repository.get(claim_id)
        except AggregateNotFoundError:
            claim = None
        if claim is not None and not claim.released:
            raise DomainError("This phone number is already registered.", "phone", status=409)
        resident = Resident.register(ctx, resident_id, name_sealed, phone_sealed, household, password_hash, roles)
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


async def erase(rt: Runtime, ctx: Ctx, resident_id: UUID) -> None:
    """注销: record the erasure and release the phone, then delete the key. Repeating it finishes a half-done one."""
    key = rt.personal.keys([resident_id]).get(resident_id)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        try:
            resident: Resident = app.repository.get(resident_id)
        except AggregateNotFoundError:
            raise DomainError("Not found.", status=404) from None
        if not isinstance(resident, Resident) or resident.community_id != ctx.community_id:
            raise DomainError("Not found.", status=404)
        resident.erase(ctx)
        changed: list[LinliAggregate] = [resident]
        phone = unseal(key, resident.phone_sealed)
        if phone is not None:
            try:
                claim: PhoneClaim = app.repository.get(phone_claim_id(rt, phone))
                claim.release(ctx)
                changed.append(claim)
            except AggregateNotFoundError:
                pass
        return changed, {}

    try:
        await rt.execute("resident.erase", ctx, resident_id, action)
    except DomainError as refused:
        if refused.status != 409:  # 409: erased already; still make sure the key is gone
            raise
    rt.personal.forget(resident_id)
