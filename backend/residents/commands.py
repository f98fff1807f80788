"""Resident commands (foundation: registering accounts with a password)."""

from __future__ import annotations

from uuid import UUID, uuid4, uuid5

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError

from backend.eventstore import CommandResult, Ctx, DomainError, LinliApp
from backend.residents.domain import PhoneClaim, Resident, normalise_phone
from backend.runtime import Runtime

PHONE_NAMESPACE = UUID("5a0c2d1e-8f3b-4c6a-9e7d-3b2a1c0d9e8f")
hasher = PasswordHasher()


def check_password_strength(password: str) -> None:
    if len(password) < 8 or password.isdigit() or password.isalpha():
        raise DomainError("Use at least 8 characters with letters and digits.", "password")


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def exists(app: LinliApp, aggregate_id: UUID) -> bool:
    try:
        app.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return False
    return True


async def register(
    rt: Runtime, ctx: Ctx, name: str, phone: str, household: str, password: str, roles: list[str]
) -> CommandResult:
    phone = normalise_phone(phone)
    check_password_strength(password)
    password_hash = hasher.hash(password)
    resident_id = uuid4()
    # A second registration of the same phone collides on this lock key's aggregate and is refused.
    phone_key = uuid5(PHONE_NAMESPACE, phone)

    def action(app: LinliApp) -> tuple[list[Resident], dict[str, str]]:
        if exists(app, phone_key):
            raise DomainError("This phone number is already registered.", "phone", status=409)
        resident = Resident.register(ctx, resident_id, name, phone, household, password_hash, roles)
        claim = PhoneClaim.start(PhoneClaim.Claimed, ctx, phone_key, resident_id=resident_id)
        return [resident, claim], {"resident_id": str(resident_id)}

    return await rt.execute("resident.register", ctx, phone_key, action)
