"""Residents and their roles. (Foundation slice: demo accounts with phone + password.)"""

from __future__ import annotations

import re
from uuid import UUID

from backend.eventstore import Ctx, DomainError, LinliAggregate

ROLES = (
    "resident",
    "representative",
    "party_member",
    "party_committee",
    "committee_member",
    "supervisor",
    "volunteer_leader",
    "service_provider",
    "clerk",
    "street_operator",
)

PHONE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"[\s-]", "", phone.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    if not PHONE.match(digits):
        raise DomainError("Please enter an 11-digit mainland mobile number.", "phone")
    return digits


class Resident(LinliAggregate):
    class Registered(LinliAggregate.Created):
        name: str
        phone: str
        household: str
        password_hash: str
        roles: list[str]

    def __init__(self, name: str, phone: str, household: str, password_hash: str, roles: list[str]) -> None:
        self.name = name
        self.phone = phone
        self.household = household
        self.password_hash = password_hash
        self.roles = list(roles)

    @classmethod
    def register(
        cls,
        ctx: Ctx,
        resident_id: UUID,
        name: str,
        phone: str,
        household: str,
        password_hash: str,
        roles: list[str],
    ) -> Resident:
        name = name.strip()
        if not name or len(name) > 30:
            raise DomainError("Please enter a name of at most 30 characters.", "name")
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise DomainError("Unknown role.", "roles")
        return cls.start(
            cls.Registered,
            ctx,
            resident_id,
            name=name,
            phone=normalise_phone(phone),
            household=household.strip(),
            password_hash=password_hash,
            roles=sorted(set(roles) | {"resident"}),
        )


class PhoneClaim(LinliAggregate):
    """One phone number, one account: its id is derived from the phone, so a second claim collides."""

    class Claimed(LinliAggregate.Created):
        resident_id: UUID

    def __init__(self, resident_id: UUID) -> None:
        self.resident_id = resident_id
