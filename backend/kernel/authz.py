"""The one place that decides who may do what (DESIGN 1): routes ask it with the signed-in user's roles, commands
ask it with the acting resident's aggregate. A role counts in its own community only; a street operator oversees
the communities of its street and acts in none of them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

# action -> the roles that may take it ("resident" is held by every verified resident)
POLICY: dict[str, frozenset[str]] = {
    "proposal.submit": frozenset({"resident"}),
    "proposal.cosign": frozenset({"resident"}),
    "proposal.withdraw": frozenset({"resident"}),
    "resident.assist": frozenset({"clerk"}),  # act for a resident who is present (on_behalf_of)
    "resident.verify": frozenset({"clerk"}),
    "resident.register_at_counter": frozenset({"clerk"}),
    "resident.read_private": frozenset({"clerk"}),  # registrations, the resident list, the register
    "resident.access_totals": frozenset({"supervisor"}),  # 居务监督委员会: who looked at personal data, in totals
    "resident.grant_role": frozenset({"clerk"}),
    "resident.issue_signin_code": frozenset({"clerk"}),
    "household.edit": frozenset({"clerk"}),
    "street.oversee": frozenset({"street_operator"}),
    "matter.open": frozenset({"party_committee", "clerk"}),
    "meeting.run": frozenset({"clerk"}),  # schedule, open and close the ballot, enter paper ballots
    "meeting.vote": frozenset({"resident"}),  # and a member of the body: the ballot decides that
    "matter.disclose": frozenset({"clerk", "committee_member"}),  # ⑤/⑥ notices, answers, implementation progress
    "matter.object": frozenset({"resident"}),  # 异议 to a published notice
    "volunteering.lead": frozenset({"volunteer_leader"}),  # teams, activities, check-in, hours (of the own team)
    "volunteering.sign_up": frozenset({"resident"}),  # shifts, hours corrections, certificates
    "service.catalog": frozenset({"clerk"}),  # providers, services and their booking rules
    "service.provide": frozenset({"service_provider"}),  # schedules, the day's bookings (of the own provider)
    "service.book": frozenset({"resident"}),  # book, waitlist, cancel, reschedule, rate
    "disclosure.write": frozenset({"clerk"}),  # notices, corrections, answers, the finance book and its reports
    "disclosure.review": frozenset({"supervisor"}),  # 居务监督委员会: approve or return drafts
    "disclosure.object": frozenset({"resident"}),  # 质询 to a published notice
}
ACTIONS = tuple(POLICY)
STREET_ACTIONS = frozenset({"street.oversee"})
ROLES = (
    "resident",  # every verified resident
    "representative",  # 居民代表
    "party_member",  # 党员
    "party_committee",  # 党组织委员
    "committee_member",  # 两委成员
    "supervisor",  # 居务监督委员会
    "volunteer_leader",
    "service_provider",
    "clerk",  # 居委会工作人员
    "street_operator",  # 街道, across the communities of its street
)
# Roles a clerk grants in the community; "resident" comes with verification, street operators are appointed by the
# street (`linli roles grant`).
GRANTABLE = tuple(r for r in ROLES if r not in ("resident", "street_operator"))


@dataclass(frozen=True)
class Actor:
    """Who is asking: their home community, the roles in force today, and the streets they operate."""

    id: UUID | None
    community_id: UUID | None
    roles: frozenset[str]
    streets: frozenset[str] = frozenset()


def may(actor: Actor, action: str, community_id: UUID | None = None, street: str = "") -> bool:
    """May `actor` take `action` in `community_id` (which belongs to `street`)?"""
    if actor.id is None:  # the system: the CLI and the demo loader
        return True
    allowed = POLICY.get(action)
    if allowed is None or not (actor.roles & allowed):
        return False
    if action in STREET_ACTIONS:
        return not street or street in actor.streets  # no street named: the overview of the actor's own
    return community_id is None or community_id == actor.community_id
