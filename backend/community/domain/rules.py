"""The rulebook's rules: each numeric rule with its default, its allowed range and the source of the default, and
the bodies' vote rules (quorum and pass share). Pure values; a community's settings of them are its events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from backend.kernel.errors import DomainError


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
        Rule("speaking_minutes", 3, 1, 30, "议事规则 community default: each speaker's turn (发言) in minutes"),
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
        # casework (诉求, 接诉即办): working time for acceptance and answers, the clock for the rest (DESIGN 10)
        Rule("case_accept_hours", 2, 1, 24, "接诉即办 community default: accepted within 2 working hours"),
        Rule("case_urgent_accept_minutes", 30, 5, 240, "接诉即办 community default: an urgent case within 30 minutes"),
        Rule("case_extension_days", 15, 1, 60, "接诉即办 community default: one extension of at most 15 days"),
        Rule("whistle_report_hours", 24, 1, 168, "吹哨报到 community default: a department reports in within 24 hours"),
        Rule("case_rating_days", 3, 1, 30, "接诉即办 community default: the raiser rates within 3 days"),
        Rule("proposal_answer_days", 15, 1, 60, "community default: a proposal off the agenda is answered in 15 days"),
        Rule("work_morning_start", 510, 0, 1439, "机关 working hours: the morning starts at 08:30 (minute of the day)"),
        Rule("work_morning_end", 720, 0, 1439, "机关 working hours: the morning ends at 12:00 (minute of the day)"),
        Rule("work_afternoon_start", 840, 0, 1439, "机关 working hours: the afternoon starts at 14:00 (minute of day)"),
        Rule("work_afternoon_end", 1050, 0, 1440, "机关 working hours: the afternoon ends at 17:30 (minute of day)"),
        Rule("care_visit_days_alone", 7, 1, 90, "community default: 独居 (and 独居高龄) visited weekly"),
        Rule("care_visit_days_empty_nest", 14, 1, 90, "community default: 空巢 visited every two weeks"),
        Rule("care_visit_days_elderly", 14, 1, 90, "community default: 高龄 visited every two weeks"),
        Rule("care_visit_days_disabled", 30, 1, 90, "“十四五”老龄规划: 特殊困难老年人 visited monthly"),
        Rule("care_visit_days_hardship", 30, 1, 90, "“十四五”老龄规划: 特殊困难老年人 visited monthly"),
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
