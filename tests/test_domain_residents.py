"""Residents' rules as in DESIGN 4 and the residents issue: verification before rights, roles by events with terms,
ID numbers checked, one-time codes used once and never after they expire."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.community.domain.community import community_id_for
from backend.kernel.authz import ACTIONS, DEPARTMENT_ACTIONS, GRANTABLE, POLICY, ROLES, STREET_ACTIONS, Actor, may
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.residents.domain.checks import check_id_number
from backend.residents.domain.household import Household, household_id_for
from backend.residents.domain.resident import Resident
from backend.residents.domain.signin_code import SignInCode
from backend.residents.register_file import read_register

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
HERE = community_id_for("here")
CTX = Ctx(HERE, None, NOW)


def resident(verified: bool = True) -> Resident:
    household = Household.register(CTX, "1栋", "1单元", "101室", "")
    person = Resident.register(CTX, uuid4(), household, "n", "p", "", "hash")
    if verified:
        person.verify(CTX)
    return person


def test_a_registration_has_no_rights_until_a_clerk_verifies_it():
    person = resident(verified=False)
    assert person.roles_on(NOW.date()) == frozenset()
    assert not may(person.actor(NOW.date()), "proposal.cosign", HERE)
    person.verify(CTX)
    assert may(person.actor(NOW.date()), "proposal.cosign", HERE)
    with pytest.raises(DomainError):
        person.verify(CTX)


def test_a_rejected_registration_carries_its_reason_and_can_be_sent_again():
    person = resident(verified=False)
    with pytest.raises(DomainError):
        person.reject(CTX, "  ")
    person.reject(CTX, "房号不对")
    assert person.status == "rejected"
    other = Household.register(CTX, "1栋", "1单元", "102室", "")
    person.resubmit(CTX, other)
    assert person.status == "pending" and person.household == "1栋1单元102室"


def test_a_clerk_of_another_community_cannot_verify():
    person = resident(verified=False)
    with pytest.raises(DomainError) as refused:
        person.verify(Ctx(community_id_for("elsewhere"), None, NOW))
    assert refused.value.status == 404
    assert person.status == "pending"


def test_the_same_address_is_the_same_household():
    one = Household.register(CTX, " 1栋 ", "1单元", "101室", "")
    assert one.id == household_id_for(HERE, "1栋", "1单元", "101室")
    with pytest.raises(DomainError):
        Household.register(CTX, "", "", "101室", "")


@pytest.mark.parametrize(
    "value,ok",
    [
        ("11010519491231002X", True),
        ("110105194912310021", False),  # wrong check character
        ("110105194913310028", False),  # month 13
        ("11010519491231002", False),  # 17 characters
        ("", True),  # optional
    ],
)
def test_id_numbers_are_checked(value, ok):
    if ok:
        assert check_id_number(value) == value
    else:
        with pytest.raises(DomainError):
            check_id_number(value)


ROLE_CHOICES = list(GRANTABLE)
operations = st.lists(
    st.tuples(
        st.sampled_from(["grant", "revoke"]),
        st.sampled_from(ROLE_CHOICES),
        st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    ),
    max_size=25,
)


@given(operations, st.integers(min_value=0, max_value=500))
def test_roles_in_force_follow_the_grants_revocations_and_terms(ops, days_later):
    person = resident()
    model: dict[str, date | None] = {}
    for op, role, term in ops:
        until = NOW.date() + timedelta(days=term) if term is not None else None
        if op == "grant":
            try:
                person.grant(CTX, role, until)
                model[role] = until
            except DomainError as refused:
                assert refused.status == 409 and model.get(role, "absent") == until
        else:
            try:
                person.revoke(CTX, role, "换届")
                del model[role]
            except DomainError as refused:
                assert refused.status == 409 and role not in model
    day = NOW.date() + timedelta(days=days_later)
    expected = {role for role, until in model.items() if until is None or until >= day} | {"resident"}
    assert person.roles_on(day) == expected
    # replaying the events gives the same aggregate
    events = person.collect_events()
    again = None
    for event in events:
        again = event.mutate(again)
    assert again.roles_on(day) == expected


def test_a_term_cannot_end_in_the_past_and_street_operators_need_a_street():
    person = resident()
    with pytest.raises(DomainError):
        person.grant(CTX, "representative", NOW.date() - timedelta(days=1))
    with pytest.raises(DomainError):
        person.grant(CTX, "street_operator")
    person.grant(CTX, "street_operator", street="和平街道")
    assert person.actor(NOW.date()).streets == {"和平街道"}


def test_a_signin_code_works_once_and_not_after_it_expires():
    person = resident()
    code = SignInCode.issue(CTX, uuid4(), person, NOW + timedelta(days=7))
    code.use(Ctx(HERE, None, NOW + timedelta(days=1)))
    with pytest.raises(DomainError) as reused:
        code.use(Ctx(HERE, None, NOW + timedelta(days=1)))
    assert reused.value.status == 410
    late = SignInCode.issue(CTX, uuid4(), person, NOW + timedelta(days=7))
    with pytest.raises(DomainError):
        late.use(Ctx(HERE, None, NOW + timedelta(days=7)))
    with pytest.raises(DomainError):
        SignInCode.issue(CTX, uuid4(), resident(verified=False), NOW + timedelta(days=7))


# -- the policy, every role × action -------------------------------------------------------------------------------
EXPECTED_ALLOWED = {
    "proposal.submit": {"resident"},
    "proposal.cosign": {"resident"},
    "proposal.withdraw": {"resident"},
    "resident.assist": {"clerk"},
    "resident.verify": {"clerk"},
    "resident.register_at_counter": {"clerk"},
    "resident.read_private": {"clerk"},
    "resident.access_totals": {"supervisor"},
    "resident.grant_role": {"clerk"},
    "resident.issue_signin_code": {"clerk"},
    "household.edit": {"clerk"},
    "street.oversee": {"street_operator"},
    "matter.open": {"party_committee", "clerk"},
    "meeting.run": {"clerk"},
    "meeting.vote": {"resident"},
    "matter.disclose": {"clerk", "committee_member"},
    "matter.object": {"resident"},
    "volunteering.lead": {"volunteer_leader"},
    "volunteering.sign_up": {"resident"},
    "service.catalog": {"clerk"},
    "service.provide": {"service_provider"},
    "service.book": {"resident"},
    "disclosure.write": {"clerk"},
    "disclosure.review": {"supervisor"},
    "disclosure.object": {"resident"},
    "news.write": {"clerk"},
    "news.read": {"resident"},
    "case.raise": {"resident"},
    "case.raise_for": {"clerk", "grid_worker", "building_head"},
    "case.handle": {"clerk", "grid_worker"},
    "case.supervise": {"clerk"},
    "case.department": {"department_staff"},
    "grid.plan": {"clerk"},
    "matters.narrow": {"clerk"},
    "street.casework": {"street_operator"},
    "visit.log": {"grid_worker", "clerk"},
    "visit.record": {"resident"},
    "care.flag": {"clerk"},
    "care.read": {"grid_worker", "clerk"},
    "one_table.submit": {"clerk"},
    "admission.keep": {"street_operator"},
    "task.assign": {"department_staff", "street_operator"},
    "task.do": {"clerk"},
    "certificate.lists": {"street_operator"},
    "certificate.request": {"resident"},
    "certificate.issue": {"clerk"},
    "errand.run": {"clerk"},
    "errand.follow": {"resident"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_role_and_action(role, action):
    """A role alone, in its own community; nobody acts in another community; a street operator only on its street;
    a department's staff in any community (the command checks the case was whistled to their department)."""
    actor = Actor(uuid4(), HERE, frozenset({role}), frozenset({"和平街道"} if role == "street_operator" else ()))
    allowed = role in EXPECTED_ALLOWED[action]
    if action in STREET_ACTIONS:
        assert may(actor, action, HERE, "和平街道") is allowed
        assert may(actor, action, community_id_for("b"), "别的街道") is False
    elif action in DEPARTMENT_ACTIONS:
        assert may(actor, action, community_id_for("elsewhere")) is allowed
    else:
        assert may(actor, action, HERE) is allowed
        assert may(actor, action, community_id_for("elsewhere")) is False


def test_the_policy_covers_exactly_the_actions_tested():
    assert set(POLICY) == set(EXPECTED_ALLOWED)


# -- reading a register file ------------------------------------------------------------------------------------------
part = st.text(alphabet="0123456789栋单元室号组东西", min_size=1, max_size=4)
register_rows = st.lists(
    st.tuples(
        part, st.one_of(st.just(""), part), part, st.lists(st.sampled_from(["张三", "李四", "王五"]), max_size=3)
    ),
    max_size=30,
)


@given(register_rows, st.sampled_from(["utf-8-sig", "gb18030"]))
def test_a_register_file_yields_each_household_once_and_names_every_repeat(rows, encoding):
    lines = ["楼栋,单元,房号,成员"] + [f"{b},{u},{r},{'、'.join(m)}" for b, u, r, m in rows]
    parsed = read_register("register.csv", "\n".join(lines).encode(encoding))
    first_seen: dict[tuple[str, str, str], int] = {}
    for line, (b, u, r, _m) in enumerate(rows, start=2):
        first_seen.setdefault((b, u, r), line)
    assert [(row.building, row.unit, row.room) for row in parsed.rows] == list(first_seen)
    assert [row.line for row in parsed.rows] == list(first_seen.values())
    assert len(parsed.errors) == len(rows) - len(first_seen)
    assert all(e.message == "The same household as line %(line)s." for e in parsed.errors)
    for row in parsed.rows:
        assert (
            household_id_for(HERE, row.building, row.unit, row.room)
            == Household.register(CTX, row.building, row.unit, row.room, "").id
        )
