"""A community and its rulebook: rules that vary by place or by law carry an effective date."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from backend.community.domain.rules import BASES, RULES, VOTE_RULES, Share, VoteRule
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics

COMMUNITY_NAMESPACE = UUID("0b1f4c36-3c57-4f43-9d3e-2e7c0f6a9b10")
SOURCE_MAX = 60  # the view keeps "source: rule" in 120 characters


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

    class VoteRuleSet(LinliAggregate.Event):
        key: str  # a body, or collective_asset
        rule: str  # VoteRule.text
        effective_from: str
        source: str

        def apply(self, community: Community) -> None:
            since = date.fromisoformat(self.effective_from)
            community.vote_rules.append((self.key, since, VoteRule.parse(self.rule, self.source)))

    class StreetSet(LinliAggregate.Event):
        street: str

        def apply(self, community: Community) -> None:
            community.street = self.street

    def __init__(self, name: str, code: str) -> None:
        self.name = name
        self.code = code
        self.street = ""
        self.rules: list[tuple[str, date, int]] = []
        self.vote_rules: list[tuple[str, date, VoteRule]] = []

    @classmethod
    def found(cls, ctx: Ctx, name: str, code: str) -> Community:
        name, code = name.strip(), code.strip().lower()
        if not name or len(name) > 60:
            raise DomainError("A community needs a name of at most 60 characters.", "name")
        if not code.isascii() or not code.replace("-", "").isalnum() or len(code) > 40:
            raise DomainError("The code may use letters, digits and hyphens only.", "code")
        return cls.start(cls.Founded, ctx, community_id_for(code), name=name, code=code)

    def set_street(self, ctx: Ctx, street: str) -> None:
        """The street (街道) or township whose operator oversees this community."""
        street = " ".join(street.split())
        if not street or len(street) > 40:
            raise DomainError("A street needs a name of at most 40 characters.", "street")
        self.emit(self.StreetSet, ctx, street=street)

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
        """The value in force on a day: the setting with the latest effective date on or before it (of two with the
        same date, the one set later), else the default — as projections.community.queries.rule reads it."""
        found, latest = RULES[name].default, None
        for rule, since, value in self.rules:  # in the order they were set: a later setting of the same day wins
            if rule == name and since <= on and (latest is None or since >= latest):
                found, latest = value, since
        return found

    def set_vote_rule(
        self, ctx: Ctx, key: str, quorum: str, passing: str, base: str, effective_from: date, source: str = ""
    ) -> None:
        """A body's quorum and pass rule from a day on, e.g. quorum ">=2/3", passing ">1/2", base "present"."""
        if key not in VOTE_RULES:
            raise DomainError("Unknown body.", "body")
        if base not in BASES:
            raise DomainError("Count yes votes against the expected (应到) or the present (实到).", "base")
        source = " ".join(source.split())
        if len(source) > SOURCE_MAX:
            raise DomainError("The source may have at most 60 characters.", "source")
        rule = VoteRule(Share.parse(quorum, "quorum"), Share.parse(passing, "pass"), base, source or "居民议事规则")
        self.emit(
            self.VoteRuleSet,
            ctx,
            key=key,
            rule=rule.text,
            effective_from=effective_from.isoformat(),
            source=rule.source,
        )

    def vote_rule(self, key: str, on: date) -> VoteRule:
        """The rule in force on a day, as `rule` chooses among settings; else the law's default (DESIGN 9)."""
        found, latest = VOTE_RULES[key], None
        for rule_key, since, rule in self.vote_rules:
            if rule_key == key and since <= on and (latest is None or since >= latest):
                found, latest = rule, since
        return found


# The log names these events by the module the aggregate lived in before the architecture step split it.
keep_topics("backend.community.domain", Community)
