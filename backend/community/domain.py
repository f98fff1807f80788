"""A community and its rulebook: rules that vary by place or by law carry an effective date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError

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


@dataclass(frozen=True)
class Share:
    """ "More than 1/2" (strict) or "at least 2/3": compared in integers, so exactly 2/3 and exactly half are exact."""

    fraction: Fraction
    strict: bool

    def reached(self, count: int, of: int) -> bool:
        left, right = count * self.fraction.denominator, self.fraction.numerator * of
        return left > right if self.strict else left >= right

    @property
    def text(self) -> str:
        return f"{'>' if self.strict else '>='}{self.fraction.numerator}/{self.fraction.denominator}"

    @classmethod
    def parse(cls, text: str, field: str) -> Share:
        found = re.fullmatch(r"\s*(>=|≥|>)\s*(\d{1,3})\s*/\s*(\d{1,3})\s*", text)
        if found is None:
            raise DomainError("Write a share as >1/2 (more than half) or >=2/3 (at least two thirds).", field)
        sign, numerator, denominator = found.group(1), int(found.group(2)), int(found.group(3))
        if denominator == 0 or not 0 < numerator <= denominator:
            raise DomainError("A share lies above 0 and at most 1 (for example >1/2 or >=2/3).", field)
        return cls(Fraction(numerator, denominator), sign == ">")


BASES = ("expected", "present")  # yes votes counted against 应到 or against 实到


@dataclass(frozen=True)
class VoteRule:
    """A body's quorum (present against expected, 应到) and pass rule (yes against expected or present)."""

    quorum: Share
    passing: Share
    base: str
    source: str

    @property
    def text(self) -> str:
        return f"present {self.quorum.text} of expected; yes {self.passing.text} of {self.base}"

    @classmethod
    def parse(cls, text: str, source: str) -> VoteRule:
        """The form `text` gives (as the log keeps it)."""
        found = re.fullmatch(r"present (\S+) of expected; yes (\S+) of (expected|present)", text)
        if found is None:
            raise DomainError("Not a vote rule.", "rule")
        return cls(Share.parse(found.group(1), "quorum"), Share.parse(found.group(2), "pass"), found.group(3), source)


HALF, AT_LEAST_TWO_THIRDS = Share(Fraction(1, 2), True), Share(Fraction(2, 3), False)
# By body (the deliberation's Body values) and for collective-asset matters, which the resolution (④) decides by
# their own rule whichever body sits.
VOTE_RULES: dict[str, VoteRule] = {
    "party_committee": VoteRule(HALF, HALF, "expected", "中国共产党支部工作条例 Art 12 (少数服从多数)"),
    "joint_committees": VoteRule(HALF, HALF, "expected", "两委联席会议 (majority of members)"),
    "party_meeting": VoteRule(HALF, HALF, "expected", "中国共产党支部工作条例 Art 11"),
    "residents_meeting": VoteRule(HALF, HALF, "present", "城市居民委员会组织法 Arts 9–10"),
    "representatives": VoteRule(AT_LEAST_TWO_THIRDS, HALF, "present", "村民委员会组织法 Art 26"),
    "collective_asset": VoteRule(AT_LEAST_TWO_THIRDS, AT_LEAST_TWO_THIRDS, "expected", "农村集体经济组织法 (2025)"),
}
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
        same date, the one set later), else the default — as projections.community.rule reads it."""
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
