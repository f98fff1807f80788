"""The rules of volunteering on the pure aggregates (DESIGN 4.2, 4.3): activities and their shifts, capacity and the
waitlist with timed offers, check-in and check-out, the hours ledger and numbered certificates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.volunteering.domain.activity import Activity, ActivityTerms, recurring
from backend.volunteering.domain.certificate import Certificate
from backend.volunteering.domain.hours import MINUTES_MAX, HoursRecord
from backend.volunteering.domain.shift import Shift, shift_id_for
from backend.volunteering.domain.team import Team
from tests.conftest import NOW

COMMUNITY = uuid4()
LEADER = uuid4()
OTHER_LEADER = uuid4()
VOLUNTEER = uuid4()
STRANGER = uuid4()
VOLUNTEERS = [uuid4() for _ in range(5)]
START = NOW + timedelta(days=3)
END = START + timedelta(hours=2)
DAY = START.date()
HOUR = timedelta(hours=1)
TERMS = ActivityTerms("陪老人聊天", "每周陪独居老人聊天、读报", "3栋活动室", "elderly", "独居老人", offer_hours=0)


def ctx(actor=LEADER, at=NOW):
    return Ctx(COMMUNITY, actor, at)


def found(leader=LEADER) -> Team:
    team = Team.found(ctx(leader), uuid4(), "银龄服务队", "")
    team.collect_events()
    return team


def create(times, capacity=2, terms=TERMS, team=None, actor=LEADER):
    return Activity.create(ctx(actor), uuid4(), team or found(), terms, times, capacity)


def shift(capacity=2, offer_hours=0, start=START, hours=2) -> Shift:
    _, [s] = create([(start, start + timedelta(hours=hours))], capacity, replace(TERMS, offer_hours=offer_hours))
    s.collect_events()
    return s


def queued(capacity=1, waiting=1, offer_hours=0) -> Shift:
    """A shift whose seats the first volunteers took, with the next `waiting` ones on the waitlist."""
    s = shift(capacity, offer_hours)
    for n, v in enumerate(VOLUNTEERS[: capacity + waiting]):
        s.sign_up(ctx(v), v, waitlist=n >= capacity)
    s.collect_events()
    return s


# -- activities and their shifts ------------------------------------------------------------------------------------
def test_a_weekly_activity_gets_one_shift_per_week_at_the_same_time():
    activity, shifts = create(recurring(START, END, 4), capacity=8)
    assert [s.starts_at for s in shifts] == [START + timedelta(weeks=w) for w in range(4)]
    assert all(s.ends_at - s.starts_at == END - START and s.capacity == 8 for s in shifts)
    assert activity.shift_ids == [s.id for s in shifts] == [shift_id_for(activity.id, s.starts_at) for s in shifts]
    assert all(s.activity_id == activity.id and s.team_id == activity.team_id for s in shifts)
    _, back_to_back = create([(END, END + HOUR), (START, END)])
    assert [s.starts_at for s in back_to_back] == [START, END], "touching shifts do not overlap"


def test_a_recurring_activity_repeats_for_1_to_60_weeks():
    assert len(recurring(START, END, 60)) == 60
    for weeks in (0, 61):
        with pytest.raises(DomainError) as refused:
            recurring(START, END, weeks)
        assert refused.value.field == "weeks"


@pytest.mark.parametrize(
    ("times", "capacity", "terms", "field"),
    [
        ([(START, END)], 0, TERMS, "capacity"),
        ([(START, END)], -3, TERMS, "capacity"),
        ([(START, END)], 1001, TERMS, "capacity"),
        ([(START, START - HOUR)], 2, TERMS, "ends_at"),  # ends before it starts
        ([(START, START)], 2, TERMS, "ends_at"),
        ([(START, START + 13 * HOUR)], 2, TERMS, "ends_at"),  # longer than 12 hours
        ([(NOW - HOUR, NOW + HOUR)], 2, TERMS, "starts_at"),  # in the past
        ([(NOW, NOW + HOUR)], 2, TERMS, "starts_at"),
        ([(START, END), (END - HOUR, END + HOUR)], 2, TERMS, "starts_at"),  # overlapping
        ([(START, END), (START, END)], 2, TERMS, "starts_at"),
        ([], 2, TERMS, "starts_at"),
        ([(START + timedelta(days=d), START + timedelta(days=d, hours=1)) for d in range(61)], 2, TERMS, "weeks"),
        ([(START, END)], 2, replace(TERMS, category="party"), "category"),
        ([(START, END)], 2, replace(TERMS, offer_hours=73), "offer_hours"),
    ],
)
def test_an_activity_with_bad_shifts_or_terms_is_refused(times, capacity, terms, field):
    with pytest.raises(DomainError) as refused:
        create(times, capacity, terms)
    assert refused.value.field == field and refused.value.status == 400


def test_only_a_leader_of_the_team_creates_its_activities():
    for actor, team in ((STRANGER, None), (LEADER, found(OTHER_LEADER))):
        with pytest.raises(DomainError) as refused:
            create([(START, END)], team=team, actor=actor)
        assert refused.value.status == 403


def test_a_risky_activity_is_published_only_after_its_insurance_is_confirmed():
    team = found()
    activity, _ = create([(START, END)], terms=replace(TERMS, risky=True), team=team)
    with pytest.raises(DomainError, match="insurance") as refused:
        activity.publish(ctx(), team)
    assert refused.value.status == 409 and not activity.published
    with pytest.raises(DomainError) as refused:
        activity.confirm_insurance(ctx(STRANGER), team, "平安保险 P-2026-001")
    assert refused.value.status == 403
    activity.confirm_insurance(ctx(), team, "平安保险 P-2026-001")
    activity.publish(ctx(), team)
    assert activity.insured and activity.published
    with pytest.raises(DomainError, match="already published"):
        activity.publish(ctx(), team)


# -- seats, the waitlist and offers ---------------------------------------------------------------------------------
def test_a_sign_up_takes_a_free_seat_and_a_full_shift_takes_only_those_who_ask_for_the_waitlist():
    s = shift(capacity=1)
    a, b, c = VOLUNTEERS[:3]
    assert s.sign_up(ctx(a), a, waitlist=False) is True
    with pytest.raises(DomainError, match="full") as refused:
        s.sign_up(ctx(b), b, waitlist=False)
    assert refused.value.status == 409 and s.status_of(b) == ""
    assert s.sign_up(ctx(b), b, waitlist=True) is False
    with pytest.raises(DomainError, match="already signed up"):
        s.sign_up(ctx(b), b, waitlist=True)
    for too_late in (lambda: s.sign_up(ctx(c, START), c, True), lambda: s.cancel(ctx(a, START), a)):
        with pytest.raises(DomainError, match="already started"):
            too_late()
    assert (s.seated, s.waitlist) == ([a], [b])


def test_a_cancellation_gives_the_seat_to_the_first_on_the_waitlist():
    s = queued(capacity=1, waiting=2, offer_hours=0)
    a, b, c = VOLUNTEERS[:3]
    s.cancel(ctx(a), a)
    assert [(type(e), e.volunteer_id) for e in s.collect_events()] == [(Shift.Cancelled, a), (Shift.Seated, b)]
    assert (s.seated, s.waitlist, s.offers) == ([b], [c], {})


def test_with_an_offer_period_the_first_on_the_waitlist_gets_a_seat_held_until_the_offer_ends():
    s = queued(capacity=1, waiting=1, offer_hours=12)
    a, b = VOLUNTEERS[:2]
    s.cancel(ctx(a), a)
    assert s.offers == {b: NOW + timedelta(hours=12)} and s.free == 0
    with pytest.raises(DomainError) as refused:
        s.accept_offer(ctx(b, NOW + timedelta(hours=12, seconds=1)), b)
    assert refused.value.status == 410
    s.accept_offer(ctx(b, NOW + timedelta(hours=12)), b)
    assert (s.seated, s.offers) == ([b], {})


def test_a_lapsed_offer_passes_to_the_next_in_line_exactly_once():
    s = queued(capacity=1, waiting=2, offer_hours=12)
    a, b, c = VOLUNTEERS[:3]
    s.cancel(ctx(a), a)
    s.collect_events()
    later = ctx(None, NOW + timedelta(hours=13))
    assert s.lapse_offers(ctx(None, NOW + timedelta(hours=12))) == 0, "an offer lasts until its last second"
    assert s.lapse_offers(later) == 1
    assert [(type(e), e.volunteer_id) for e in s.collect_events()] == [(Shift.OfferLapsed, b), (Shift.Offered, c)]
    assert s.lapse_offers(later) == 0 and not s.collect_events()
    assert s.status_of(b) == "" and s.offers == {c: later.now + timedelta(hours=12)}


def test_a_seat_freed_too_close_to_the_start_for_an_offer_is_given_at_once():
    s = queued(capacity=1, waiting=1, offer_hours=12)
    a, b = VOLUNTEERS[:2]
    s.cancel(ctx(a, START - timedelta(hours=6)), a)
    assert (s.seated, s.offers) == ([b], {})


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["seat", "wait", "wait", "wait", "cancel", "accept", "lapse"]),
        st.integers(0, 3),  # who: a volunteer, or for cancel and accept one of those concerned
        st.sampled_from([0, 0, 0, 0, 10, 60, 60, 12 * 60]),  # minutes the clock moves on first
    ),
    min_size=10,
    max_size=50,
)


def seats(s: Shift):
    return list(s.seated), list(s.waitlist), dict(s.offers)


def who(s: Shift, kind: str, i: int):
    """Someone it concerns: a newcomer signs up; one signed up cancels; one with an offer accepts."""
    pool = {"cancel": [*s.seated, *s.offers, *s.waitlist], "accept": list(s.offers)}.get(kind)
    pool = pool or [v for v in VOLUNTEERS if not s.status_of(v)] or VOLUNTEERS
    return pool[i % len(pool)]


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(1, 2),
    offer_hours=st.sampled_from([0, 1, 2, 6, 24, 72]),
    lead_hours=st.integers(1, 120),
    actions=ACTIONS,
)
def test_capacity_is_never_exceeded_and_every_freed_seat_goes_to_the_next_in_line_once(
    capacity, offer_hours, lead_hours, actions
):
    s = shift(capacity, offer_hours, start=NOW + timedelta(hours=lead_hours))
    now = NOW
    for kind, i, minutes in actions:
        now += timedelta(minutes=minutes)
        v = who(s, kind, i)
        before = seats(s)
        seated, waitlist, offers = before
        try:
            if kind in ("seat", "wait"):
                got_seat = s.sign_up(ctx(v, now), v, waitlist=kind == "wait")
                assert got_seat == (s.capacity - len(seated) - len(offers) > 0 and not waitlist)
            elif kind == "cancel":
                s.cancel(ctx(v, now), v)
            elif kind == "accept":
                s.accept_offer(ctx(v, now), v)
            else:
                s.lapse_offers(ctx(None, now))
        except DomainError:
            assert seats(s) == before and not s.collect_events(), "a refused command changes nothing"
            continue
        events = s.collect_events()
        lapsed = [e.volunteer_id for e in events if isinstance(e, Shift.OfferLapsed)]
        if kind == "lapse":
            assert lapsed == [w for w, until in offers.items() if now > until]
            assert s.lapse_offers(ctx(None, now)) == 0 and not s.collect_events(), "each offer lapses once"
        freed = len(lapsed) + (kind == "cancel" and (v in seated or v in offers))
        in_line = [w for w in waitlist if not (kind == "cancel" and w == v)]
        promoted = [
            e.volunteer_id for e in events if isinstance(e, Shift.Offered | Shift.Seated) and e.volunteer_id in in_line
        ]
        assert promoted == in_line[: min(freed, len(in_line))], "one per freed seat, first come first served"
        for e in events:
            if isinstance(e, Shift.Offered):
                assert e.until == now + timedelta(hours=offer_hours) < s.starts_at
        everyone = s.seated + s.waitlist + list(s.offers)
        assert len(everyone) == len(set(everyone)), "nobody holds two places"
        assert len(s.seated) + len(s.offers) <= s.capacity
        assert s.free == 0 or not s.waitlist, "no seat stays free while someone waits"
        assert offer_hours or not s.offers, "without an offer period nobody waits on an offer"


# -- check-in and check-out -----------------------------------------------------------------------------------------
def test_check_in_needs_a_seat_and_is_open_from_30_minutes_before_the_start_to_the_end():
    s = queued(capacity=2, waiting=1)
    a, b, c = VOLUNTEERS[:3]
    for v in (c, STRANGER):
        with pytest.raises(DomainError, match="seat") as refused:
            s.check_in(ctx(v, START), v, "code")
        assert refused.value.status == 409
    for too_early_or_late in (START - timedelta(minutes=31), END + timedelta(seconds=1)):
        with pytest.raises(DomainError, match="30 minutes"):
            s.check_in(ctx(a, too_early_or_late), a, "code")
    s.check_in(ctx(a, START - timedelta(minutes=30)), a, "code")
    s.check_in(ctx(b, END), b, "leader")
    assert s.checked_in == {a: START - timedelta(minutes=30), b: END}
    with pytest.raises(DomainError, match="Already"):
        s.check_in(ctx(a, START), a, "code")


def test_no_check_out_before_check_in_and_a_forgotten_one_is_made_at_the_end_and_flagged():
    s = queued(capacity=2, waiting=0)
    a, b = VOLUNTEERS[:2]
    with pytest.raises(DomainError, match="Check in before"):
        s.check_out(ctx(a, START), a)
    s.check_in(ctx(a, START), a, "code")
    s.check_in(ctx(b, START), b, "code")
    s.check_out(ctx(b, END - HOUR), b)
    with pytest.raises(DomainError, match="Already checked out"):
        s.check_out(ctx(b, END), b)
    assert s.check_out_forgotten(ctx(None, END - timedelta(seconds=1))) == 0
    assert s.check_out_forgotten(ctx(None, END + 5 * HOUR)) == 1
    assert s.checked_out == {a: END, b: END - HOUR} and s.flagged == [a]
    assert s.check_out_forgotten(ctx(None, END + 6 * HOUR)) == 0
    assert s.served_minutes(a) == 120


@settings(max_examples=150, deadline=None)
@given(arrive=st.integers(-30, 120), stay=st.integers(0, 400))
def test_service_time_counts_only_inside_the_shift(arrive, stay):
    s, v = queued(waiting=0), VOLUNTEERS[0]
    s.check_in(ctx(v, START + timedelta(minutes=arrive)), v, "code")
    s.check_out(ctx(v, START + timedelta(minutes=arrive + stay)), v)
    assert s.served_minutes(v) == max(0, min(arrive + stay, 120) - max(arrive, 0))


def test_no_hours_without_a_check_out():
    team = found()
    activity, [s] = create([(START, END)], team=team)
    s.sign_up(ctx(VOLUNTEER), VOLUNTEER, False)
    s.check_in(ctx(VOLUNTEER, START), VOLUNTEER, "code")
    with pytest.raises(DomainError, match="No hours") as refused:
        s.served_minutes(VOLUNTEER)
    assert refused.value.status == 409
    with pytest.raises(DomainError, match="No hours"):
        HoursRecord.confirm(ctx(LEADER, END), team, activity, s, VOLUNTEER, DAY)


def test_a_volunteer_who_checked_in_can_no_longer_give_up_the_seat():
    s = queued(capacity=1, waiting=1)
    a, b = VOLUNTEERS[:2]
    s.check_in(ctx(a, START - timedelta(minutes=20)), a, "code")
    with pytest.raises(DomainError, match="checked in") as refused:
        s.cancel(ctx(a, START - timedelta(minutes=10)), a)
    assert refused.value.status == 409 and (s.seated, s.waitlist) == ([a], [b])


# -- the hours ledger -----------------------------------------------------------------------------------------------
def record(minutes=120, volunteer=VOLUNTEER, team=None, served_on=DAY) -> tuple[Team, HoursRecord]:
    """A record confirmed by the leader for `minutes` of service on a 12-hour shift."""
    team = team or found()
    leader = team.leaders[0]
    activity, [s] = create([(START, START + 12 * HOUR)], team=team, actor=leader)
    s.sign_up(ctx(volunteer), volunteer, False)
    s.check_in(ctx(volunteer, START), volunteer, "code")
    s.check_out(ctx(volunteer, START + timedelta(minutes=minutes)), volunteer)
    with pytest.raises(DomainError) as refused:
        HoursRecord.confirm(ctx(STRANGER), team, activity, s, volunteer, served_on)
    assert refused.value.status == 403, "only a leader of the team confirms hours"
    r = HoursRecord.confirm(ctx(leader), team, activity, s, volunteer, served_on)
    assert r.entries == [(1, minutes, "", 0)]
    r.collect_events()
    return team, r


CORRECTIONS = st.lists(
    st.tuples(
        st.sampled_from(["correct", "request", "approve", "reject"]),
        st.integers(-60, MINUTES_MAX + 60),
        st.sampled_from([LEADER, VOLUNTEER, STRANGER]),
    ),
    max_size=20,
)


@settings(max_examples=150, deadline=None)
@given(first=st.integers(0, 720), steps=CORRECTIONS)
def test_hours_are_always_the_sum_of_their_entries_and_never_negative(first, steps):
    team, r = record(first)
    total, pending = first, None
    for kind, minutes, actor in steps:
        entries = list(r.entries)
        valid = 0 <= minutes <= MINUTES_MAX and minutes != total
        allowed = {
            "correct": actor == LEADER and valid,
            "request": actor == VOLUNTEER and pending is None and valid,
        }.get(kind, actor == LEADER and pending is not None)
        try:
            if kind == "correct":
                r.correct(ctx(actor), team, minutes, "签退时间记错")
            elif kind == "request":
                r.request_correction(ctx(actor), minutes, "忘记签退")
            else:
                r.decide_request(ctx(actor), team, kind == "approve", "与签到记录不符")
        except DomainError:
            assert not allowed and r.entries == entries and not r.collect_events(), "a refusal changes nothing"
            continue
        assert allowed and len(r.collect_events()) == 1
        if kind == "correct":
            total, pending = minutes, None
        elif kind == "request":
            pending = minutes
        else:
            total, pending = (pending if kind == "approve" else total), None
        assert r.total == total == sum(delta for _, delta, _, _ in r.entries) >= 0
        assert [n for n, *_ in r.entries] == list(range(1, len(r.entries) + 1))
        assert all(refers == 1 and reason for _, _, reason, refers in r.entries[1:]), "corrections cite entry 1"
        assert (r.request or (None,))[0] == pending


def test_a_correction_that_would_make_hours_negative_is_refused_and_emits_nothing():
    team, r = record(90)
    with pytest.raises(DomainError, match="negative") as refused:
        r.correct(ctx(), team, -1, "多算了")
    assert refused.value.field == "minutes"
    with pytest.raises(DomainError, match="negative"):
        r.request_correction(ctx(VOLUNTEER), -30, "多算了")
    assert not r.collect_events() and r.total == 90 and r.request is None


def test_only_the_volunteer_requests_a_correction_and_only_a_leader_of_the_team_decides():
    team, r = record(90)
    for actor in (LEADER, STRANGER):
        with pytest.raises(DomainError) as refused:
            r.request_correction(ctx(actor), 120, "忘记签退")
        assert refused.value.status == 403
    r.request_correction(ctx(VOLUNTEER), 120, "忘记签退")
    with pytest.raises(DomainError, match="already waiting"):
        r.request_correction(ctx(VOLUNTEER), 100, "再改一次")
    for actor, leading in ((VOLUNTEER, team), (STRANGER, team), (OTHER_LEADER, found(OTHER_LEADER))):
        with pytest.raises(DomainError) as refused:
            r.decide_request(ctx(actor), leading, True)
        assert refused.value.status == 403
    with pytest.raises(DomainError, match="why"):
        r.decide_request(ctx(), team, False, "  ")
    r.decide_request(ctx(), team, True)
    assert r.entries[1] == (2, 30, "忘记签退", 1) and r.total == 120 and r.request is None


def test_an_approval_reason_is_held_to_500_characters_like_every_other_reason():
    team, r = record(90)
    r.request_correction(ctx(VOLUNTEER), 120, "忘记签退")
    with pytest.raises(DomainError):
        r.decide_request(ctx(), team, True, "因" * 501)
    assert r.total == 90 and r.request is not None


def test_a_record_listed_twice_counts_once_on_a_certificate():
    team, mine = record(60)
    assert Certificate.issue(LATER, team, VOLUNTEER, *NOVEMBER, [mine, mine]).minutes == 60


# -- certificates ---------------------------------------------------------------------------------------------------
LATER = ctx(VOLUNTEER, NOW + timedelta(days=40))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def test_certificates_are_numbered_one_after_another_by_each_team():
    team, mine = record(60)
    other, theirs = record(60, team=found(OTHER_LEADER))
    numbers = [Certificate.issue(LATER, team, VOLUNTEER, *NOVEMBER, [mine]).number for _ in range(3)]
    prefix = f"2026-{team.id.hex[:8].upper()}-"
    assert numbers == [f"{prefix}00001", f"{prefix}00002", f"{prefix}00003"] and team.certificates == 3
    assert Certificate.issue(LATER, other, VOLUNTEER, *NOVEMBER, [theirs]).number.endswith("-00001")
    assert [e.number for e in team.collect_events()] == [1, 2, 3]


def test_a_certificate_sums_only_the_volunteers_hours_with_that_team_inside_the_period():
    team, first = record(60, served_on=date(2026, 11, 1))
    _, last = record(45, team=team, served_on=date(2026, 11, 30))
    last.correct(ctx(), team, 90, "漏记了半小时")
    outside = [
        record(300, team=team, served_on=date(2026, 10, 31))[1],
        record(300, team=team, served_on=date(2026, 12, 1))[1],
        record(300, volunteer=STRANGER, team=team)[1],
        record(300, team=found(OTHER_LEADER))[1],
    ]
    certificate = Certificate.issue(LATER, team, VOLUNTEER, *NOVEMBER, [last, *outside, first])
    assert certificate.minutes == 150
    assert certificate.lines == [["2026-11-01", TERMS.title, "60"], ["2026-11-30", TERMS.title, "90"]]
    assert (certificate.team_id, certificate.volunteer_id) == (team.id, VOLUNTEER)
    for r in (first, last):
        r.correct(ctx(), team, 0, "未到岗")
    with pytest.raises(DomainError, match="no confirmed hours"):
        Certificate.issue(LATER, team, VOLUNTEER, *NOVEMBER, [first, last])


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ((date(2026, 10, 1), date(2026, 10, 31)), "period_from"),  # no hours in it
        ((date(2026, 11, 1), LATER.today + timedelta(days=1)), "period_to"),  # ends in the future
        ((date(2026, 11, 30), date(2026, 11, 1)), "period_to"),  # ends before it starts
    ],
)
def test_a_certificate_is_refused_for_a_period_without_hours_in_the_future_or_backwards(period, field):
    team, r = record(60)
    with pytest.raises(DomainError) as refused:
        Certificate.issue(LATER, team, VOLUNTEER, *period, [r])
    assert refused.value.field == field
    assert team.certificates == 0 and not team.collect_events(), "a refused certificate takes no number"


def test_nobody_confirms_or_corrects_their_own_hours():
    team = found()
    activity, (shift,) = Activity.create(ctx(), uuid4(), team, TERMS, [(START, START + timedelta(hours=2))], 2)
    shift.sign_up(ctx(), LEADER, False)
    shift.check_in(ctx(LEADER, START), LEADER, "leader")
    shift.check_out(ctx(LEADER, START + timedelta(hours=1)), LEADER)
    with pytest.raises(DomainError, match="own hours") as refused:
        HoursRecord.confirm(ctx(LEADER, START + timedelta(hours=2)), team, activity, shift, LEADER, START.date())
    assert refused.value.status == 403
