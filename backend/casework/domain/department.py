"""职能部门: a unit of the street (城管, 派出所, 市场监管所, 供电所, a property company) that takes whistled cases of
some categories, acting through the accounts the street appoints to it (each holding the department_staff role
scoped to this department). Registered and kept by the street operator."""

from __future__ import annotations

from uuid import UUID

from backend.casework.domain.rules import (
    CATEGORIES_PER_DEPARTMENT_MAX,
    CODE,
    TOPICS_MODULE,
    check_name,
    department_id_for,
    street_key,
)
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics

KINDS = ("city", "police", "market", "power", "property", "other")  # 城管 派出所 市场监管所 供电所 物业公司 其他


def check_categories(categories: list[str] | tuple[str, ...]) -> list[str]:
    found = sorted(set(categories))
    if len(found) > CATEGORIES_PER_DEPARTMENT_MAX or any(not CODE.match(c) for c in found):
        raise DomainError("Choose the categories from the matter list.", "categories")
    return found


class Department(LinliAggregate):
    """One department of a street: its name, kind, the categories it takes and its staff. `community_id` is the
    community of the operator who registered it (every event carries one); `street` is what it belongs to."""

    class Registered(LinliAggregate.Created):
        street: str
        name: str
        kind: str
        categories: list[str]

    class CategoriesSet(LinliAggregate.Event):
        categories: list[str]

        def apply(self, department: Department) -> None:
            department.categories = list(self.categories)

    class StaffAppointed(LinliAggregate.Event):
        """A resident acts for the department (their role grant is saved with this event)."""

        resident_id: UUID

        def apply(self, department: Department) -> None:
            department.staff.add(self.resident_id)

    class StaffRemoved(LinliAggregate.Event):
        resident_id: UUID
        reason: str

        def apply(self, department: Department) -> None:
            department.staff.discard(self.resident_id)

    def __init__(self, street: str, name: str, kind: str, categories: list[str]) -> None:
        self.street = street
        self.name = name
        self.kind = kind
        self.categories = list(categories)
        self.staff: set[UUID] = set()

    @classmethod
    def register(cls, ctx: Ctx, street: str, name: str, kind: str, categories: list[str]) -> Department:
        street = street_key(street)
        if not street:
            raise DomainError("Departments belong to a street; set the community's street first.", "street")
        name = check_name(name, "name", "A department needs a name of at most 30 characters.")
        if kind not in KINDS:
            raise DomainError("Choose the kind of department.", "kind")
        return cls.start(
            cls.Registered,
            ctx,
            department_id_for(street, name),
            street=street,
            name=name,
            kind=kind,
            categories=check_categories(categories),
        )

    def set_categories(self, ctx: Ctx, categories: list[str]) -> None:
        found = check_categories(categories)
        if found == sorted(self.categories):
            raise DomainError("The department takes these categories already.", "categories", status=409)
        self.emit(self.CategoriesSet, ctx, categories=found)

    def appoint(self, ctx: Ctx, resident_id: UUID) -> None:
        if resident_id in self.staff:
            raise DomainError("This resident acts for the department already.", "resident_id", status=409)
        self.emit(self.StaffAppointed, ctx, resident_id=resident_id)

    def remove(self, ctx: Ctx, resident_id: UUID, reason: str) -> None:
        if resident_id not in self.staff:
            raise DomainError("This resident does not act for the department.", "resident_id", status=409)
        reason = check_text(reason, 500, "reason", "Say why (at most 500 characters).")
        self.emit(self.StaffRemoved, ctx, resident_id=resident_id, reason=reason)


keep_topics(TOPICS_MODULE, Department)
