"""A resident, from registration to verification, with their roles and password; and their erasure (注销). Personal
values (names, phones, ID numbers) arrive sealed (backend.kernel.personal). Pure: no I/O, no clock."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from backend.kernel.authz import ROLES, SCOPED, Actor
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics
from backend.kernel.zone import LOCAL_ZONE
from backend.residents.domain.checks import check_reason
from backend.residents.domain.household import Household, moving_day


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
        scope: str = ""  # what a scoped role acts for (department_staff: the department's id); grants before had none

        def apply(self, resident: Resident) -> None:
            resident.roles[self.role] = (self.until, self.street, self.scope)

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

    class MovedOut(LinliAggregate.Event):
        """The resident left the community (迁出): they no longer take part in its decisions, and hold no role in it;
        what they did while they lived here stands (their votes were cast when they had the right)."""

        household_id: UUID
        on: str  # ISO day

        def apply(self, resident: Resident) -> None:
            resident.status = "moved_out"
            resident.roles = {}

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
        self.roles: dict[str, tuple[str, str, str]] = {}  # role -> (until, street, scope)
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
        _lived_in(household)
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
        _lived_in(household)
        self.emit(self.Resubmitted, ctx, household_id=household.id, household=household.label)

    def grant(self, ctx: Ctx, role: str, until: date | None = None, street: str = "", scope: str = "") -> None:
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
        scope = scope.strip()
        if scope and role not in SCOPED:
            raise DomainError("Only department staff act for a department.", "scope")
        term = (until.isoformat() if until else "", street, scope)
        if self.roles.get(role) == term:
            raise DomainError("This resident already has this role.", "role", status=409)
        self.emit(self.RoleGranted, ctx, role=role, until=term[0], street=street, scope=scope)

    def revoke(self, ctx: Ctx, role: str, reason: str) -> None:
        self._in_community(ctx)
        if role not in self.roles:
            raise DomainError("This resident does not have this role.", "role", status=409)
        self.emit(self.RoleRevoked, ctx, role=role, reason=check_reason(reason))

    def set_password(self, ctx: Ctx, password_hash: str) -> None:
        self._in_community(ctx)
        self.emit(self.PasswordSet, ctx, password_hash=password_hash)

    def move_out(self, ctx: Ctx, household: Household, on: date) -> None:
        """Moving out of the household's dwelling: only someone registered there, and living here (pending or
        verified)."""
        self._in_community(ctx)
        if self.status not in ("pending", "verified"):
            raise DomainError("Only a resident living here can move out.", status=409)
        if household.id != self.household_id:
            raise DomainError("This resident is not registered at this household.", "residents", status=409)
        on = moving_day(ctx, on)
        if on < self.created_on.astimezone(LOCAL_ZONE).date():
            raise DomainError("A move cannot be dated before the account was registered.", "on")
        self.emit(self.MovedOut, ctx, household_id=household.id, on=on.isoformat())

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
        held = {role for role, (until, _, _) in self.roles.items() if not until or date.fromisoformat(until) >= day}
        return frozenset(held | {"resident"})

    def actor(self, day: date) -> Actor:
        roles = self.roles_on(day)
        streets = frozenset(s for r, (_u, s, _) in self.roles.items() if r == "street_operator" and r in roles)
        departments = frozenset(d for r, (_u, _s, d) in self.roles.items() if r in SCOPED and r in roles and d)
        return Actor(self.id, self.community_id, roles, streets, departments)


def _lived_in(household: Household) -> None:
    """One registers where the register lists a household: a vacant dwelling's newcomers are recorded as moving in
    first (the clerk verifies against the register)."""
    if household.vacant:
        raise DomainError(
            "The register lists nobody at this address: ask the committee to record your moving in first.", "household"
        )


# The log names these events by the module the aggregate lived in before the architecture step split it.
keep_topics("backend.residents.domain", Resident)
