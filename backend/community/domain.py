"""A community and its rulebook: rules that vary by place or by law carry an effective date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid5

from backend.eventstore import Ctx, DomainError, LinliAggregate

COMMUNITY_NAMESPACE = UUID("0b1f4c36-3c57-4f43-9d3e-2e7c0f6a9b10")


@dataclass(frozen=True)
class Rule:
    name: str
    default: int
    minimum: int
    maximum: int
    source: str


RULES: dict[str, Rule] = {
    rule.name: rule for rule in (Rule("cosign_threshold", 10, 1, 10_000, "居民议事规则 (community default)"),)
}


def community_id_for(code: str) -> UUID:
    return uuid5(COMMUNITY_NAMESPACE, code)


class Community(LinliAggregate):
    class Founded(LinliAggregate.Created):
        name: str
        code: str

    class RuleSet(LinliAggregate.Event):
        rule: str
        value: int
        effective_from: str
        source: str

        def apply(self, community: Community) -> None:
            community.rules.append((self.rule, date.fromisoformat(self.effective_from), self.value))

    def __init__(self, name: str, code: str) -> None:
        self.name = name
        self.code = code
        self.rules: list[tuple[str, date, int]] = []

    @classmethod
    def found(cls, ctx: Ctx, name: str, code: str) -> Community:
        name, code = name.strip(), code.strip().lower()
        if not name or len(name) > 60:
            raise DomainError("A community needs a name of at most 60 characters.", "name")
        if not code.isascii() or not code.replace("-", "").isalnum() or len(code) > 40:
            raise DomainError("The code may use letters, digits and hyphens only.", "code")
        return cls.start(cls.Founded, ctx, community_id_for(code), name=name, code=code)

    def set_rule(self, ctx: Ctx, name: str, value: int, effective_from: date, source: str = "") -> None:
        rule = RULES.get(name)
        if rule is None:
            raise DomainError("Unknown rule.", "rule")
        if not rule.minimum <= value <= rule.maximum:
            raise DomainError("The value is outside the allowed range.", "value")
        self.emit(
            self.RuleSet,
            ctx,
            rule=name,
            value=value,
            effective_from=effective_from.isoformat(),
            source=source or rule.source,
        )

    def rule(self, name: str, on: date) -> int:
        """The value in force on a day: the latest setting effective on or before it, else the default."""
        in_force = [(since, value) for rule, since, value in self.rules if rule == name and since <= on]
        if not in_force:
            return RULES[name].default
        return max(in_force, key=lambda item: item[0])[1]
