"""四议两公开: a matter passes six stages in order; stages ①–④ are decided by a sitting of the right body, whose
quorum and pass rule come from the community's rulebook (the law's by default, DESIGN 9); votes are one per member
(DESIGN 4.1). Pure: no I/O, no clock.

After ④ the committee publishes the resolution (⑤) with a 公示 period; residents object within it and the committee
answers each objection; implementation (progress with money spent) cannot go on while an objection is unanswered;
the result notice (⑥) closes the matter, with its own 公示 period and objections.

The rules the matter, the meeting and the procedure's views share: the stages, the bodies that decide them, and how
a sitting's result follows from its rule."""

from __future__ import annotations

from enum import StrEnum

from backend.community.domain.rules import VoteRule


class Stage(StrEnum):
    PARTY_PROPOSAL = "party_proposal"  # ① 党组织提议
    COMMITTEES = "committees"  # ② 两委商议
    PARTY_MEETING = "party_meeting"  # ③ 党员大会审议
    RESOLUTION = "resolution"  # ④ 居民(代表)会议决议
    RESOLUTION_NOTICE = "resolution_notice"  # ⑤ 决议公开
    RESULT_NOTICE = "result_notice"  # ⑥ 实施结果公开


STAGES = tuple(Stage)


class Body(StrEnum):
    PARTY_COMMITTEE = "party_committee"  # 党组织 (支部委员会)
    JOINT_COMMITTEES = "joint_committees"  # 两委联席会议
    PARTY_MEETING = "party_meeting"  # 党员大会
    RESIDENTS_MEETING = "residents_meeting"  # 居民会议
    REPRESENTATIVES = "representatives"  # 居民代表会议


STAGE_BODIES: dict[Stage, frozenset[Body]] = {
    Stage.PARTY_PROPOSAL: frozenset({Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES}),
    Stage.COMMITTEES: frozenset({Body.JOINT_COMMITTEES}),
    Stage.PARTY_MEETING: frozenset({Body.PARTY_MEETING}),
    Stage.RESOLUTION: frozenset({Body.RESIDENTS_MEETING, Body.REPRESENTATIVES}),
}
# Who sits in each body (the roles of backend.kernel.authz), fixed from the roles at notice time.
BODY_ROLES: dict[Body, frozenset[str]] = {
    Body.PARTY_COMMITTEE: frozenset({"party_committee"}),
    Body.JOINT_COMMITTEES: frozenset({"party_committee", "committee_member"}),
    Body.PARTY_MEETING: frozenset({"party_member"}),
    Body.RESIDENTS_MEETING: frozenset({"resident"}),
    Body.REPRESENTATIVES: frozenset({"representative"}),
}


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_QUORATE = "not_quorate"


def decide(rule: VoteRule, expected: int, present: int, yes: int) -> Outcome:
    """The result of a sitting by its rule. Closing without quorum is allowed; it is never "passed"."""
    if expected <= 0 or not rule.quorum.reached(present, expected):
        return Outcome.NOT_QUORATE
    return (
        Outcome.PASSED
        if rule.passing.reached(yes, expected if rule.base == "expected" else present)
        else Outcome.FAILED
    )
