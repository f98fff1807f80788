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
    rule.name: rule
    for rule in (
        Rule("cosign_threshold", 10, 1, 10_000, "居民议事规则 (community default)"),
        Rule("residents_meeting_notice_days", 10, 0, 60, "村民委员会组织法 Art 21"),
        Rule("representatives_notice_days", 0, 0, 60, "居民议事规则 (community default)"),
        Rule("joint_first_stages", 0, 0, 1, "一肩挑: ① and ② in one sitting where local rules allow (1 = yes)"),
        Rule("residents_ballot_by_household", 0, 0, 1, "城市居民委员会组织法 Art 9: one vote per household (1 = yes)"),
        Rule("notice_period_days", 10, 10, 90, "公示 ≥ 10 days on the board (重庆 implementing rules)"),
        Rule("objection_answer_days", 15, 1, 30, "objection answered within 15 days (上海, 浙江; 3 in 重庆)"),
        Rule(
            "volunteer_consent_age",
            14,
            14,
            18,
            "个人信息保护法 Art 31: guardian consent under 14 (to 18 where local rules say)",
        ),
        *(
            Rule(f"volunteer_star_{n}_hours", hours, 1, 10_000, "民政部 志愿服务记录办法 (2012): star levels in hours")
            for n, hours in enumerate((100, 300, 600, 1000, 1500), start=1)
        ),
        Rule(
            "disclosure_review_days",
            5,
            1,
            30,
            "居务监督委员会 reviews a disclosure within this many days (community default)",
        ),
        Rule(
            "disclosure_review_required",
            1,
            0,
            1,
            "城市居民委员会组织法 (2025) 居务公开: reviewed before publication (1: yes)",
        ),
        Rule(
            "finance_report_day", 15, 1, 28, "村民委员会组织法 Art 30: finance monthly (by the 15th of the next month)"
        ),
        Rule("general_disclosure_months", 3, 1, 3, "村民委员会组织法 Art 30: general matters at least quarterly"),
        Rule("major_disclosure_days", 10, 1, 30, "重庆 implementing rules: major matters disclosed within 10 days"),
        Rule("service_no_show_limit", 3, 0, 20, "community default: no-shows before bookings are paused (0: never)"),
        Rule("service_no_show_days", 60, 1, 365, "community default: days a no-show counts against new bookings"),
    )
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

    class StreetSet(LinliAggregate.Event):
        street: str

        def apply(self, community: Community) -> None:
            community.street = self.street

    def __init__(self, name: str, code: str) -> None:
        self.name = name
        self.code = code
        self.street = ""
        self.rules: list[tuple[str, date, int]] = []

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
        same date, the one set later), else the default — as projections.community.rule reads it."""
        found, latest = RULES[name].default, None
        for rule, since, value in self.rules:  # in the order they were set: a later setting of the same day wins
            if rule == name and since <= on and (latest is None or since >= latest):
                found, latest = value, since
        return found
