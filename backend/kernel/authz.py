"""The one place that decides who may do what (DESIGN 1): routes ask it with the signed-in user's roles, commands
ask it with the acting resident's aggregate. A role counts in its own community only; a street operator oversees
the communities of its street and acts in none of them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from backend.i18n import N_

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
    "news.write": frozenset({"clerk"}),  # 社区动态: post, edit, withdraw; who has not read an important notice
    "news.read": frozenset({"resident"}),  # 我已阅读 on an important notice; a board notice opened
    "one_table.submit": frozenset({"clerk"}),  # 一表通: check (核对) and submit (报送) a period's table
    # casework (诉求 and 网格化): who may act on which case the commands decide from the aggregates
    "case.raise": frozenset({"resident"}),  # raise, follow a public case (我也遇到), rate the answer
    "case.raise_for": frozenset({"clerk", "grid_worker", "building_head"}),  # for a resident (on_behalf_of)
    "case.handle": frozenset({"clerk", "grid_worker"}),  # accept, notes, hand over, merge, whistle, answer
    "case.supervise": frozenset({"clerk"}),  # extensions, ratings given by phone (回访), any case's hand-over
    "case.department": frozenset({"department_staff"}),  # report in, return, answer (cases whistled to their unit)
    "grid.plan": frozenset({"clerk"}),  # grids, their buildings and places, 网格员 and 楼长
    "matters.narrow": frozenset({"clerk"}),  # the community's narrowing of the street's matter list
    "street.casework": frozenset({"street_operator"}),  # departments, the matter list, the calendar, re-routing
    "visit.log": frozenset({"grid_worker", "clerk"}),  # the visit diary (民情日志), visits planned for others
    "visit.record": frozenset({"resident"}),  # a visit assigned to oneself (a volunteer): the visit checks whose
    "care.flag": frozenset({"clerk"}),  # 关爱对象
    "care.read": frozenset({"grid_worker", "clerk"}),  # care flags (of their grids, for a grid worker)
    # workload: the street's admission list (准入清单) and the tasks departments assign from it
    "admission.keep": frozenset({"street_operator"}),  # the list's edits, decisions on applications (申请准入)
    "task.assign": frozenset({"department_staff", "street_operator"}),  # assign, apply: the command checks the unit
    "task.do": frozenset({"clerk"}),  # the committee accepts a task and reports it done
    # certificates (证明事项): the street keeps the lists; a resident asks; the clerk checks and answers
    "certificate.lists": frozenset({"street_operator"}),  # 不应出具 / 可以出具, each edit citing its rule
    "certificate.request": frozenset({"resident"}),  # ask for one (the clerk at the counter: on_behalf_of)
    "certificate.issue": frozenset({"clerk"}),  # check against the register, issue, refuse, cancel; 证明开具登记
    # errands done for residents (全程代办): the clerk runs them; the resident follows and confirms receipt
    "errand.run": frozenset({"clerk"}),
    "errand.follow": frozenset({"resident"}),
}
ACTIONS = tuple(POLICY)
STREET_ACTIONS = frozenset({"admission.keep", "certificate.lists", "street.oversee", "street.casework"})
# Actions a department's staff take on cases of any community of their street: the command checks that the case was
# whistled to their department (Actor.departments).
DEPARTMENT_ACTIONS = frozenset({"task.assign", "case.department"})
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
    "grid_worker",  # 网格员: the grids the community's grid plan gives them
    "building_head",  # 楼长: the building the grid plan gives them
    "department_staff",  # 职能部门 staff, scoped to one department of the street (appointed by the street)
)
# What each role is called on every page and notice (one translation each).
ROLE_LABELS = {
    "resident": N_("Resident"),
    "representative": N_("Representative"),
    "party_member": N_("Party member"),
    "party_committee": N_("Party branch committee"),
    "committee_member": N_("Committee member"),
    "supervisor": N_("Supervisor"),
    "volunteer_leader": N_("Volunteer leader"),
    "service_provider": N_("Service provider"),
    "clerk": N_("Clerk"),
    "street_operator": N_("Street operator"),
    "grid_worker": N_("Grid worker (网格员)"),
    "building_head": N_("Building head (楼长)"),
    "department_staff": N_("Department staff (职能部门)"),
}
# Roles a clerk grants in the community; "resident" comes with verification, street operators and department staff
# are appointed by the street (`linli roles grant`, casework's appoint_staff).
GRANTABLE = tuple(r for r in ROLES if r not in ("resident", "street_operator", "department_staff"))
# Roles whose grant names a scope: the department (its id) a department's staff act for.
SCOPED = frozenset({"department_staff"})


@dataclass(frozen=True)
class Actor:
    """Who is asking: their home community, the roles in force today, the streets they operate and the
    departments they act for (ids as text)."""

    id: UUID | None
    community_id: UUID | None
    roles: frozenset[str]
    streets: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()


def may(actor: Actor, action: str, community_id: UUID | None = None, street: str = "") -> bool:
    """May `actor` take `action` in `community_id` (which belongs to `street`)?"""
    if actor.id is None:  # the system: the CLI and the demo loader
        return True
    allowed = POLICY.get(action)
    if allowed is None or not (actor.roles & allowed):
        return False
    if action in STREET_ACTIONS:
        return not street or street in actor.streets  # no street named: the overview of the actor's own
    if action in DEPARTMENT_ACTIONS:
        return True  # any community: the command checks the case was whistled to the actor's department
    return community_id is None or community_id == actor.community_id
