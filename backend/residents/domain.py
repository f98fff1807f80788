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


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 30:
        raise DomainError("Please enter a name of at most 30 characters.", "name")
    return name


class Resident(LinliAggregate):
    """Name and phone arrive sealed with the resident's own key (backend.residents.personal): the log never
    holds them in the clear, and erasing the key erases them."""

    class Registered(LinliAggregate.Created):
        name_sealed: str
        phone_sealed: str
        household: str
        password_hash: str
        roles: list[str]

    class Erased(LinliAggregate.Event):
        def apply(self, resident: Resident) -> None:
            resident.erased = True

    def __init__(
        self, name_sealed: str, phone_sealed: str, household: str, password_hash: str, roles: list[str]
    ) -> None:
        self.name_sealed = name_sealed
        self.phone_sealed = phone_sealed
        self.household = household
        self.password_hash = password_hash
        self.roles = list(roles)
        self.erased = False

    @classmethod
    def register(
        cls,
        ctx: Ctx,
        resident_id: UUID,
        name_sealed: str,
        phone_sealed: str,
        household: str,
        password_hash: str,
        roles: list[str],
    ) -> Resident:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise DomainError("Unknown role.", "roles")
        household = household.strip()
        if len(household) > 60:
            raise DomainError("The household is too long (at most 60 characters).", "household")
        return cls.start(
            cls.Registered,
            ctx,
            resident_id,
            name_sealed=name_sealed,
            phone_sealed=phone_sealed,
            household=household,
            password_hash=password_hash,
            roles=sorted(set(roles) | {"resident"}),
        )

    def erase(self, ctx: Ctx) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("Not found.", status=404)
        if self.erased:
            raise DomainError("This resident has already been erased.", status=409)
        self.emit(self.Erased, ctx)


class PhoneClaim(LinliAggregate):
    """One phone number, one account: its id is derived from a keyed digest of the phone, so a second claim
    collides; erasing the resident releases it."""

    class Claimed(LinliAggregate.Created):
        resident_id: UUID

    class Released(LinliAggregate.Event):
        def apply(self, claim: PhoneClaim) -> None:
            claim.released = True

    def __init__(self, resident_id: UUID) -> None:
        self.resident_id = resident_id
        self.released = False

    class Reclaimed(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, claim: PhoneClaim) -> None:
            claim.resident_id = self.resident_id
            claim.released = False

    def release(self, ctx: Ctx) -> None:
        if not self.released:
            self.emit(self.Released, ctx)

    def reclaim(self, ctx: Ctx, resident_id: UUID) -> None:
        if not self.released:
            raise DomainError("This phone number is already registered.", "phone", status=409)
        self.emit(self.Reclaimed, ctx, resident_id=resident_id)
