"""The household register, residents from registration to verification, their roles, and one-time sign-in codes.
Pure: no I/O, no clock. Personal values (names, phones, ID numbers) arrive sealed (backend.kernel.personal)."""

from __future__ import annotations

import re
from datetime import date, datetime
from uuid import UUID, uuid5

from backend.kernel.authz import ROLES, Actor
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError

PHONE = re.compile(r"^1[3-9]\d{9}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
HOUSEHOLD_NAMESPACE = UUID("7e4d2b1a-3c5f-4a6e-8b9d-0f1e2d3c4b5a")
ADDRESS_PART_MAX = 20
REASON_MAX = 200


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


def birth_date(id_number: str) -> date | None:
    """The birth date an 18-character ID number carries (checked when it was registered), or None without one."""
    if len(id_number) != 18:
        return None
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def check_id_number(value: str) -> str:
    """An 18-character resident ID (GB 11643): a real birth date and the ISO 7064 check character."""
    value = value.strip().upper()
    if not value:
        return ""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise DomainError("An ID number has 18 characters: 17 digits and a digit or X.", "id_number")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise DomainError("This ID number does not contain a valid birth date.", "id_number") from None
    if ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11] != value[17]:
        raise DomainError("This ID number is not valid (its last character does not match).", "id_number")
    return value


def check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise DomainError("Please give a reason of at most 200 characters.", "reason")
    return reason


def address_parts(building: str, unit: str, room: str) -> tuple[str, str, str]:
    parts = tuple(" ".join(p.split()) for p in (building, unit, room))
    if not parts[0] or not parts[2]:
        raise DomainError("A household needs a building (or village group) and a room (or house number).", "room")
    if any(len(p) > ADDRESS_PART_MAX for p in parts):
        raise DomainError("Each part of the address has at most 20 characters.", "room")
    return parts  # type: ignore[return-value]


def household_id_for(community_id: UUID, building: str, unit: str, room: str) -> UUID:
    """The same address is the same household: importing a register twice adds nothing."""
    return uuid5(HOUSEHOLD_NAMESPACE, f"{community_id}|{building}|{unit}|{room}")


class Household(LinliAggregate):
    """One dwelling in the community's register, with the members the register lists (sealed)."""

    class Registered(LinliAggregate.Created):
        building: str
        unit: str
        room: str
        members_sealed: str

    class MembersListed(LinliAggregate.Event):
        members_sealed: str

        def apply(self, household: Household) -> None:
            household.members_sealed = self.members_sealed

    def __init__(self, building: str, unit: str, room: str, members_sealed: str) -> None:
        self.building = building
        self.unit = unit
        self.room = room
        self.members_sealed = members_sealed

    @property
    def label(self) -> str:
        return household_label(self.building, self.unit, self.room)

    @classmethod
    def register(cls, ctx: Ctx, building: str, unit: str, room: str, members_sealed: str) -> Household:
        building, unit, room = address_parts(building, unit, room)
        household_id = household_id_for(ctx.community_id, building, unit, room)
        return cls.start(
            cls.Registered, ctx, household_id, building=building, unit=unit, room=room, members_sealed=members_sealed
        )

    def list_members(self, ctx: Ctx, members_sealed: str) -> None:
        self.emit(self.MembersListed, ctx, members_sealed=members_sealed)


def household_label(building: str, unit: str, room: str) -> str:
    return "".join(p for p in (building, unit, room) if p)


class Resident(LinliAggregate):
    """A person with an account in one community: pending until a clerk verifies them against the register.
    Roles are granted and revoked by events, each with who, when and (optionally) the last day of the term."""

    class Registered(LinliAggregate.Created):
        name_sealed: str
        phone_sealed: str
        id_number_sealed: str
        household_id: UUID
        household: str
        password_hash: str

    class Verified(LinliAggregate.Event):
        def apply(self, resident: Resident) -> None:
            resident.status = "verified"

    class Rejected(LinliAggregate.Event):
        reason: str

        def apply(self, resident: Resident) -> None:
            resident.status = "rejected"

    class Resubmitted(LinliAggregate.Event):
        household_id: UUID
        household: str

        def apply(self, resident: Resident) -> None:
            resident.status = "pending"
            resident.household_id = self.household_id
            resident.household = self.household

    class RoleGranted(LinliAggregate.Event):
        role: str
        until: str  # ISO date of the last day of the term, or "" for no end
        street: str  # the street a street operator oversees

        def apply(self, resident: Resident) -> None:
            resident.roles[self.role] = (self.until, self.street)

    class RoleRevoked(LinliAggregate.Event):
        role: str
        reason: str

        def apply(self, resident: Resident) -> None:
            resident.roles.pop(self.role, None)

    class PasswordSet(LinliAggregate.Event):
        password_hash: str

        def apply(self, resident: Resident) -> None:
            resident.password_hash = self.password_hash

    class Erased(LinliAggregate.Event):
        def apply(self, resident: Resident) -> None:
            resident.erased = True

    def __init__(
        self,
        name_sealed: str,
        phone_sealed: str,
        id_number_sealed: str,
        household_id: UUID,
        household: str,
        password_hash: str,
    ) -> None:
        self.name_sealed = name_sealed
        self.phone_sealed = phone_sealed
        self.id_number_sealed = id_number_sealed
        self.household_id = household_id
        self.household = household
        self.password_hash = password_hash
        self.status = "pending"
        self.roles: dict[str, tuple[str, str]] = {}
        self.erased = False

    @classmethod
    def register(
        cls,
        ctx: Ctx,
        resident_id: UUID,
        household: Household,
        name_sealed: str,
        phone_sealed: str,
        id_number_sealed: str,
        password_hash: str,
    ) -> Resident:
        if household.community_id != ctx.community_id:
            raise DomainError("No such household in the register.", "household")
        return cls.start(
            cls.Registered,
            ctx,
            resident_id,
            name_sealed=name_sealed,
            phone_sealed=phone_sealed,
            id_number_sealed=id_number_sealed,
            household_id=household.id,
            household=household.label,
            password_hash=password_hash,
        )

    def _in_community(self, ctx: Ctx) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("No such resident.", status=404)
        if self.erased:
            raise DomainError("This resident has been erased.", status=409)

    def verify(self, ctx: Ctx) -> None:
        self._in_community(ctx)
        if self.status != "pending":
            raise DomainError("Only a registration waiting for verification can be verified.", status=409)
        self.emit(self.Verified, ctx)

    def reject(self, ctx: Ctx, reason: str) -> None:
        self._in_community(ctx)
        if self.status != "pending":
            raise DomainError("Only a registration waiting for verification can be rejected.", status=409)
        self.emit(self.Rejected, ctx, reason=check_reason(reason))

    def resubmit(self, ctx: Ctx, household: Household) -> None:
        self._in_community(ctx)
        if self.status != "rejected":
            raise DomainError("Only a rejected registration can be sent again.", status=409)
        if household.community_id != self.community_id:
            raise DomainError("No such household in the register.", "household")
        self.emit(self.Resubmitted, ctx, household_id=household.id, household=household.label)

    def grant(self, ctx: Ctx, role: str, until: date | None = None, street: str = "") -> None:
        self._in_community(ctx)
        if role not in ROLES or role == "resident":
            raise DomainError("Unknown role.", "role")
        if self.status != "verified":
            raise DomainError("Roles can only be given to verified residents.", "role", status=409)
        if until is not None and until < ctx.today:
            raise DomainError("The term cannot end in the past.", "until")
        street = street.strip()
        if (role == "street_operator") != bool(street):
            raise DomainError("A street operator needs a street, and only a street operator has one.", "street")
        term = (until.isoformat() if until else "", street)
        if self.roles.get(role) == term:
            raise DomainError("This resident already has this role.", "role", status=409)
        self.emit(self.RoleGranted, ctx, role=role, until=term[0], street=street)

    def revoke(self, ctx: Ctx, role: str, reason: str) -> None:
        self._in_community(ctx)
        if role not in self.roles:
            raise DomainError("This resident does not have this role.", "role", status=409)
        self.emit(self.RoleRevoked, ctx, role=role, reason=check_reason(reason))

    def set_password(self, ctx: Ctx, password_hash: str) -> None:
        self._in_community(ctx)
        self.emit(self.PasswordSet, ctx, password_hash=password_hash)

    def erase(self, ctx: Ctx) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("No such resident.", status=404)
        if self.erased:
            raise DomainError("This resident has already been erased.", status=409)
        self.emit(self.Erased, ctx)

    def roles_on(self, day: date) -> frozenset[str]:
        """The roles in force on a day: "resident" once verified, and every granted role whose term runs."""
        if self.erased or self.status != "verified":
            return frozenset()
        held = {role for role, (until, _street) in self.roles.items() if not until or date.fromisoformat(until) >= day}
        return frozenset(held | {"resident"})

    def actor(self, day: date) -> Actor:
        roles = self.roles_on(day)
        streets = frozenset(s for r, (_u, s) in self.roles.items() if r == "street_operator" and r in roles)
        return Actor(self.id, self.community_id, roles, streets)


class PhoneClaim(LinliAggregate):
    """One phone number, one account: its id is derived from a keyed digest of the phone, so a second claim
    collides; erasing the resident releases it."""

    class Claimed(LinliAggregate.Created):
        resident_id: UUID

    class Released(LinliAggregate.Event):
        def apply(self, claim: PhoneClaim) -> None:
            claim.released = True

    class Reclaimed(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, claim: PhoneClaim) -> None:
            claim.resident_id = self.resident_id
            claim.released = False

    def __init__(self, resident_id: UUID) -> None:
        self.resident_id = resident_id
        self.released = False

    def release(self, ctx: Ctx) -> None:
        if not self.released:
            self.emit(self.Released, ctx)

    def reclaim(self, ctx: Ctx, resident_id: UUID) -> None:
        if not self.released:
            raise DomainError("This phone number is already registered.", "phone", status=409)
        self.emit(self.Reclaimed, ctx, resident_id=resident_id)


class SignInCode(LinliAggregate):
    """A one-time sign-in code printed on a slip for a resident who cannot manage a password. The log keeps only
    a keyed digest of the code (it is the aggregate's id); the code works once, before it expires."""

    class Issued(LinliAggregate.Created):
        resident_id: UUID
        expires_at: datetime

    class Used(LinliAggregate.Event):
        def apply(self, code: SignInCode) -> None:
            code.used = True

    def __init__(self, resident_id: UUID, expires_at: datetime) -> None:
        self.resident_id = resident_id
        self.expires_at = expires_at
        self.used = False

    @classmethod
    def issue(cls, ctx: Ctx, code_id: UUID, resident: Resident, expires_at: datetime) -> SignInCode:
        if resident.community_id != ctx.community_id or resident.erased:
            raise DomainError("No such resident.", status=404)
        if resident.status != "verified":
            raise DomainError("Sign-in codes are only for verified residents.", status=409)
        return cls.start(cls.Issued, ctx, code_id, resident_id=resident.id, expires_at=expires_at)

    def use(self, ctx: Ctx) -> None:
        if self.used:
            raise DomainError("This sign-in code has already been used. Ask the committee for a new one.", status=410)
        if ctx.now >= self.expires_at:
            raise DomainError("This sign-in code has expired. Ask the committee for a new one.", status=410)
        self.emit(self.Used, ctx)
