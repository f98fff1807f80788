"""The rules of service bookings on the pure aggregates (DESIGN 4.2, 4.8): schedules and their slots, seats and the
waitlist, each resident's diary (no two bookings at once, the weekly limit, the no-show pause), the provider's
confirmations and completions, ratings and reminders."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic, resolve_topic
from hypothesis import event, given, settings
from hypothesis import strategies as st

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain.diary import Diary
from backend.services.domain.provider import Provider
from backend.services.domain.rules import ACTIVE, BookingRules, Limits, diary_id_for, slot_id_for, week_of
from backend.services.domain.schedule import Schedule
from backend.services.domain.service import Service
from backend.services.domain.slot import Slot

COMMUNITY = uuid4()
CLERK = uuid4()
STAFF = uuid4()
OTHER_STAFF = uuid4()
STRANGER = uuid4()
RESIDENT = uuid4()
RESIDENTS = [uuid4() for _ in range(6)]
NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)  # Sunday 1 November 2026, 17:00 in China
START = datetime(2026, 11, 4, 10, tzinfo=LOCAL_ZONE)  # the Wednesday after, 10:00 in China
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
CLINIC = "3栋社区卫生室"
HOME = ""  # a home visit
ADDRESS = "3栋2单元401"
RULES = BookingRules(min_notice_hours=2, cancel_hours=2, per_week=2, confirm=False)
LIMITS = Limits(RULES)
WEEKLY = Schedule(
    first_day=date(2026, 11, 2),  # a Monday
    weeks=2,
    weekdays=frozenset({0, 2}),  # Mondays and Wednesdays
    opens=time(9),
    closes=time(11),
    slot_minutes=30,
    capacity=4,
    place=CLINIC,
)


def ctx(actor: UUID | None = RESIDENT, at: datetime = NOW) -> Ctx:
    return Ctx(COMMUNITY, actor, at)


def provider(*members: UUID) -> Provider:
    p = Provider.create(ctx(CLERK), uuid4(), "社区卫生服务站", "家庭医生签约服务")
    for member in members:
        p.add_member(ctx(CLERK), member, True)
    p.collect_events()
    return p


def service(rules: BookingRules = RULES, staff: UUID = STAFF) -> tuple[Provider, Service]:
    p = provider(staff)
    s = Service.create(ctx(CLERK), uuid4(), p, "家庭医生门诊", "doctor", "测血压、开慢病处方", rules)
    s.collect_events()
    return p, s


def published(schedule: Schedule, rules: BookingRules = RULES) -> tuple[Service, list[Slot]]:
    p, s = service(rules)
    slots = s.publish(ctx(STAFF), p, schedule)
    for aggregate in (s, *slots):
        aggregate.collect_events()
    return s, slots


def one_slot(
    capacity: int = 2, start: datetime = START, minutes: int = 60, place: str = CLINIC, rules: BookingRules = RULES
) -> Slot:
    """The one slot of a service of its own, `minutes` long from `start`."""
    local = start.astimezone(LOCAL_ZONE)
    closes = (local + timedelta(minutes=minutes)).time()
    schedule = Schedule(local.date(), 1, frozenset({local.weekday()}), local.time(), closes, minutes, capacity, place)
    _, [slot] = published(schedule, rules)
    return slot


def diary(resident: UUID = RESIDENT) -> Diary:
    d = Diary.open(ctx(resident), resident)
    d.collect_events()
    return d


def book(slot: Slot, d: Diary, at: datetime = NOW, limits: Limits = LIMITS, waitlist=False, note="", address=""):
    return slot.book(ctx(d.resident_id, at), d.resident_id, d, limits, note, address, waitlist)


def fill(slot: Slot, diaries: dict[UUID, Diary], at: datetime = NOW, limits: Limits = LIMITS) -> None:
    """What the command does with a freed seat (services.commands._fill): the first on the waitlist it still fits
    takes it; those it no longer fits pass."""
    while (first := slot.next_waiting(ctx(None, at))) is not None:
        if slot.promote(ctx(None, at), diaries[first], limits):
            return


def kinds(events) -> list[tuple[type, UUID]]:
    return [(type(e), e.resident_id) for e in events]


def refused(call, status: int | None = None, field: str | None = None, match: str | None = None) -> DomainError:
    with pytest.raises(DomainError, match=match) as refusal:
        call()
    if status is not None:
        assert refusal.value.status == status
    if field is not None:
        assert refusal.value.field == field
    return refusal.value


# -- providers and services -----------------------------------------------------------------------------------------
def test_only_a_resident_with_the_provider_role_acts_for_a_provider_and_only_once():
    p = provider()
    refused(lambda: p.add_member(ctx(CLERK), STAFF, False), field="resident_id", match="role")
    p.add_member(ctx(CLERK), STAFF, True)
    refused(lambda: p.add_member(ctx(CLERK), STAFF, True), status=409)
    assert p.members == [STAFF] and p.staffed_by(STAFF) and not p.staffed_by(STRANGER)


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        (BookingRules(min_notice_hours=-1), "min_notice_hours"),
        (BookingRules(min_notice_hours=169), "min_notice_hours"),
        (BookingRules(cancel_hours=-1), "cancel_hours"),
        (BookingRules(cancel_hours=169), "cancel_hours"),
        (BookingRules(per_week=0), "per_week"),
        (BookingRules(per_week=21), "per_week"),
    ],
)
def test_booking_rules_out_of_range_are_refused(rules, field):
    p = provider(STAFF)
    refused(lambda: Service.create(ctx(CLERK), uuid4(), p, "法律咨询", "legal", "律师坐班", rules), field=field)


# -- schedules and their slots --------------------------------------------------------------------------------------
def test_a_schedule_yields_equal_slots_on_the_chosen_weekdays_between_opening_and_closing():
    times = WEEKLY.times()
    days = [date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 9), date(2026, 11, 11)]
    starts = [time(9), time(9, 30), time(10), time(10, 30)]
    assert times == [
        (datetime.combine(d, t, LOCAL_ZONE), datetime.combine(d, t, LOCAL_ZONE) + timedelta(minutes=30))
        for d in days
        for t in starts
    ]


def test_skipped_days_get_no_slots_and_time_too_short_for_one_more_slot_is_left_unused():
    times = replace(WEEKLY, slot_minutes=45, skipped=frozenset({date(2026, 11, 4)})).times()
    days = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 11)]
    starts = [datetime.combine(d, t, LOCAL_ZONE) for d in days for t in (time(9), time(9, 45))]
    assert [start for start, _ in times] == starts
    assert all(end - start == timedelta(minutes=45) and end.time() <= time(11) for start, end in times)


def test_at_most_500_slots_are_published_at_a_time():
    ten_a_day = replace(WEEKLY, weekdays=frozenset(range(5)), opens=time(8), closes=time(13))
    assert len(replace(ten_a_day, weeks=10).times()) == 500
    refused(lambda: replace(ten_a_day, weeks=11).times(), field="weeks", match="500")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekdays": frozenset()}, "weekdays"),
        ({"weekdays": frozenset({7})}, "weekdays"),
        ({"closes": time(9)}, "closes"),  # closes when it opens
        ({"closes": time(8)}, "closes"),  # closes before it opens
        ({"slot_minutes": 14}, "slot_minutes"),
        ({"slot_minutes": 241}, "slot_minutes"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 501}, "capacity"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 13}, "weeks"),
        ({"weeks": 12, "weekdays": frozenset(range(7)), "slot_minutes": 15}, "weeks"),  # 8 a day: 672 slots
        ({"closes": time(9, 30), "slot_minutes": 45}, "slot_minutes"),  # the slot cannot fit
        ({"place": "楼" * 61}, "place"),
    ],
)
def test_a_schedule_with_bad_terms_is_refused(changes, field):
    refused(lambda: replace(WEEKLY, **changes).times(), status=400, field=field)


def test_a_service_publishes_its_schedule_as_slots_with_ids_from_their_times():
    s, slots = published(WEEKLY)
    assert [(slot.starts_at, slot.ends_at) for slot in slots] == WEEKLY.times() == s.times
    assert all(slot.id == slot_id_for(s.id, slot.starts_at) for slot in slots)
    assert {(slot.service_id, slot.provider_id, slot.capacity, slot.place) for slot in slots} == {
        (s.id, s.provider_id, 4, CLINIC)
    }
    assert one_slot(place="  ").home_visit and not slots[0].home_visit


def test_a_schedule_overlapping_slots_published_before_is_refused_whole_and_nothing_is_emitted():
    p, s = service()
    s.publish(ctx(STAFF), p, WEEKLY)
    s.collect_events()
    # one overlapping slot among many new ones (the week after, the first Monday overlaps): the whole is refused
    overlapping = replace(WEEKLY, weeks=3, opens=time(10, 45), closes=time(12), slot_minutes=15)
    refused(lambda: s.publish(ctx(STAFF), p, overlapping), field="starts_at", match="2026-11-02 10:45")
    refused(lambda: s.publish(ctx(STAFF), p, WEEKLY), field="starts_at")  # the same times again
    assert not s.collect_events() and s.times == WEEKLY.times()
    after = replace(WEEKLY, opens=time(11), closes=time(12))  # touching is not overlapping
    assert len(s.publish(ctx(STAFF), p, after)) == 8
    other_p, other = service()
    assert len(other.publish(ctx(STAFF), other_p, WEEKLY)) == 16, "another service may have the same times"


def test_slots_must_start_in_the_future():
    p, s = service()
    today = replace(WEEKLY, first_day=date(2026, 11, 1), weeks=1, weekdays=frozenset({6}))  # Sunday, 17:00 in China
    refused(lambda: s.publish(ctx(STAFF), p, replace(today, opens=time(9), closes=time(18))), field="first_day")
    refused(lambda: s.publish(ctx(STAFF), p, replace(today, opens=time(17), closes=time(18))), field="first_day")
    assert len(s.publish(ctx(STAFF), p, replace(today, opens=time(17, 30), closes=time(18)))) == 1


def test_only_a_member_of_the_services_provider_publishes_its_schedule():
    p, s = service()
    other_p = provider(OTHER_STAFF)
    for actor, by in ((STRANGER, p), (OTHER_STAFF, p), (OTHER_STAFF, other_p)):
        refused(lambda actor=actor, by=by: s.publish(ctx(actor), by, WEEKLY), status=403)
    assert not s.collect_events() and not s.times


def test_a_schedule_whose_days_are_all_skipped_yields_nothing_to_publish():
    p, s = service()
    all_skipped = replace(WEEKLY, weeks=1, skipped=frozenset({date(2026, 11, 2), date(2026, 11, 4)}))
    refused(lambda: s.publish(ctx(STAFF), p, all_skipped), field="weekdays")


# -- booking --------------------------------------------------------------------------------------------------------
def test_a_booking_takes_a_free_seat_and_a_full_slot_waitlists_only_those_who_ask():
    slot = one_slot(capacity=1)
    a, b, c = (diary(r) for r in RESIDENTS[:3])
    assert book(slot, a, waitlist=True) == "confirmed", "a free seat is taken even when the waitlist was offered"
    assert a.held == {slot.id: (slot.service_id, slot.starts_at, slot.ends_at)}
    refused(lambda: book(slot, b), status=409, match="full")
    assert slot.status_of(b.resident_id) == "" and not b.collect_events()
    assert book(slot, b, waitlist=True) == "waitlisted"
    assert book(slot, c, waitlist=True) == "waitlisted"
    assert slot.waitlist == [b.resident_id, c.resident_id] and not b.held and not c.held
    assert (slot.taken, slot.free) == (1, 0)


def test_nobody_jumps_the_waitlist_while_a_freed_seat_waits_to_be_offered():
    slot = one_slot(capacity=1)
    a, b, c = (diary(r) for r in RESIDENTS[:3])
    book(slot, a)
    book(slot, b, waitlist=True)
    assert slot.cancel(ctx(a.resident_id), a.resident_id, a, RULES) is True
    assert slot.free == 1 and slot.next_waiting(ctx()) == b.resident_id
    assert book(slot, c, waitlist=True) == "waitlisted", "the seat is b's to take first"
    refused(lambda: book(slot, diary(RESIDENTS[3])), match="full")


def test_with_confirmation_a_booking_is_pending_until_the_provider_confirms():
    rules = replace(RULES, confirm=True)
    slot = one_slot(rules=rules)
    d = diary()
    assert book(slot, d, limits=Limits(rules)) == "pending" and slot.taken == 1
    slot.confirm(ctx(STAFF), RESIDENT)
    assert slot.status_of(RESIDENT) == "confirmed"


def test_a_slot_that_started_or_starts_inside_the_minimum_notice_is_not_booked():
    slot = one_slot()
    for at in (START, START + MINUTE):
        refused(lambda at=at: book(slot, diary(), at), status=409, match="past")
    refused(lambda: book(slot, diary(), START - 2 * HOUR + MINUTE), status=409, match="2 hours ahead")
    assert book(slot, diary(), START - 2 * HOUR) == "confirmed"
    no_notice = replace(RULES, min_notice_hours=0)
    asap = one_slot(start=START + 2 * HOUR, rules=no_notice)
    assert book(asap, diary(), START + 2 * HOUR - MINUTE, Limits(no_notice)) == "confirmed", "until the start"


def test_a_note_of_more_than_200_characters_is_refused():
    slot = one_slot()
    refused(lambda: book(slot, diary(), note="药" * 201), field="note")
    assert not slot.collect_events()
    book(slot, diary(), note=" " + "药" * 200 + " ")
    assert slot.bookings[RESIDENT].note == "药" * 200


def test_a_resident_books_a_slot_once_and_books_again_only_after_cancelling():
    slot = one_slot(capacity=1)
    d, other = diary(), diary(RESIDENTS[0])
    book(slot, d)
    refused(lambda: book(slot, d, waitlist=True), status=409, match="already booked")
    book(slot, other, waitlist=True)
    refused(lambda: book(slot, other, waitlist=True), status=409, match="already booked")
    slot.cancel(ctx(), RESIDENT, d, RULES)
    fill(slot, {other.resident_id: other})
    assert book(slot, d, waitlist=True) == "waitlisted", "cancelled: the resident may book again"
    assert slot.status_of(other.resident_id) == "confirmed"


def test_a_declined_or_completed_booking_cannot_be_booked_again():
    slot = one_slot(capacity=2)
    declined, done = diary(RESIDENTS[0]), diary(RESIDENTS[1])
    book(slot, declined)
    book(slot, done)
    slot.decline(ctx(STAFF), declined.resident_id, "医生临时出诊", declined)
    slot.complete(ctx(STAFF, START - 30 * MINUTE), done.resident_id, False, done)
    no_notice = Limits(replace(RULES, min_notice_hours=0))
    for d in (declined, done):
        refused(lambda d=d: book(slot, d, START - 10 * MINUTE, no_notice), status=409, match="cannot be booked again")


def test_a_home_visit_needs_the_households_address():
    slot = one_slot(place=HOME)
    refused(lambda: book(slot, diary()), status=409, match="address")
    book(slot, diary(), address=ADDRESS)
    assert slot.bookings[RESIDENT].address == ADDRESS


def test_a_resident_never_holds_two_bookings_at_the_same_time():
    first = one_slot(start=START, minutes=60)
    overlapping = one_slot(start=START + 30 * MINUTE, minutes=60)
    touching = one_slot(start=START + HOUR, minutes=60)
    d = diary()
    book(first, d)
    refused(lambda: book(overlapping, d, waitlist=True), status=409, match="already have a booking at this time")
    assert overlapping.status_of(RESIDENT) == "" and not overlapping.collect_events()
    book(touching, d)
    first.cancel(ctx(), RESIDENT, d, RULES)
    refused(lambda: book(overlapping, d), match="already have a booking")  # the touching one overlaps it too
    touching.cancel(ctx(), RESIDENT, d, RULES)
    book(overlapping, d)
    assert set(d.held) == {overlapping.id}


def test_a_booking_marked_done_no_longer_blocks_its_time():
    first = one_slot(start=START, minutes=60)
    later = one_slot(start=START + 30 * MINUTE, minutes=60)
    d = diary()
    book(first, d)
    first.complete(ctx(STAFF, START - 30 * MINUTE), RESIDENT, False, d)
    assert book(later, d, START - 30 * MINUTE, Limits(replace(RULES, min_notice_hours=0))) == "confirmed"


def test_the_weekly_limit_counts_a_services_bookings_by_the_iso_week_in_china():
    rules = replace(RULES, per_week=1)
    limits = Limits(rules)
    p, s = service(rules)

    def slot_at(start: datetime, minutes: int = 30) -> Slot:
        local = start.astimezone(LOCAL_ZONE)
        closes = (local + timedelta(minutes=minutes)).time()
        schedule = Schedule(local.date(), 1, frozenset({local.weekday()}), local.time(), closes, minutes, 3, CLINIC)
        [slot] = s.publish(ctx(STAFF), p, schedule)
        return slot

    sunday_night = slot_at(datetime(2026, 11, 8, 23, tzinfo=LOCAL_ZONE))  # 15:00 UTC, Sunday
    monday_midnight = slot_at(datetime(2026, 11, 9, 0, tzinfo=LOCAL_ZONE))  # 16:00 UTC, still Sunday
    monday_morning = slot_at(datetime(2026, 11, 9, 10, tzinfo=LOCAL_ZONE))  # 02:00 UTC, Monday
    assert week_of(sunday_night.starts_at) == (2026, 45) and week_of(monday_midnight.starts_at) == (2026, 46)
    in_utc = {slot.starts_at.astimezone(UTC).isocalendar()[:2] for slot in (sunday_night, monday_midnight)}
    assert in_utc == {(2026, 45)}, "in UTC both fall in the same week"
    d = diary()
    book(sunday_night, d, limits=limits)
    book(monday_midnight, d, limits=limits)
    refused(lambda: book(monday_morning, d, limits=limits), status=409, match="limit of bookings for that week")
    assert book(one_slot(start=datetime(2026, 11, 9, 10, 30, tzinfo=LOCAL_ZONE)), d) == "confirmed", "another service"
    monday_midnight.cancel(ctx(), RESIDENT, d, rules)
    assert book(monday_morning, d, limits=limits) == "confirmed", "a cancelled booking no longer counts"


def test_a_booking_that_took_place_still_counts_in_its_week():
    rules = replace(RULES, per_week=1, min_notice_hours=0)
    p, s = service(rules)
    tuesday_and_thursday = replace(WEEKLY, weeks=1, weekdays=frozenset({1, 3}), closes=time(10), slot_minutes=60)
    tuesday, thursday = s.publish(ctx(STAFF), p, tuesday_and_thursday)
    d = diary()
    book(tuesday, d, limits=Limits(rules))
    tuesday.complete(ctx(STAFF, tuesday.starts_at), RESIDENT, False, d)
    refused(lambda: book(thursday, d, tuesday.ends_at, Limits(rules)), status=409, match="limit")


def test_after_repeated_no_shows_a_resident_cannot_book_for_a_while():
    d = diary()
    missed = [one_slot(start=START + timedelta(days=n)) for n in range(3)]  # Wednesday to Friday, 10:00
    for slot in missed:
        book(slot, d)
        slot.complete(ctx(STAFF, slot.starts_at), RESIDENT, True, d)
    assert d.no_shows == [slot.starts_at for slot in missed]
    later = one_slot(start=datetime(2027, 1, 10, 10, tzinfo=LOCAL_ZONE))
    sixty_days_on = START + timedelta(days=60)  # the first no-show no longer counts after this
    for at in (START + timedelta(days=3), sixty_days_on - MINUTE):
        refused(lambda at=at: book(later, d, at), status=409, match="no-shows")
    assert d.blocked_until(ctx(at=sixty_days_on - MINUTE), 3, 60) == date(2027, 1, 3)
    assert d.blocked_until(ctx(at=sixty_days_on), 3, 60) is None
    assert book(later, d, START + timedelta(days=3), Limits(RULES, no_show_limit=0)) == "confirmed", "0: no pause"
    later.cancel(ctx(at=START + timedelta(days=3)), RESIDENT, d, RULES)
    assert book(later, d, sixty_days_on) == "confirmed"


# -- cancelling and the waitlist ------------------------------------------------------------------------------------
def test_a_booking_is_cancelled_until_the_cutoff_and_a_waitlist_place_is_left_until_the_start():
    slot = one_slot(capacity=1)
    a, b = diary(RESIDENTS[0]), diary(RESIDENTS[1])
    book(slot, a)
    book(slot, b, waitlist=True)
    refused(lambda: slot.cancel(ctx(STRANGER), STRANGER, diary(STRANGER), RULES), status=409, match="no booking")
    late = START - 2 * HOUR + MINUTE
    refused(lambda: slot.cancel(ctx(a.resident_id, late), a.resident_id, a, RULES), status=409, match="2 hours")
    assert slot.cancel(ctx(b.resident_id, START - MINUTE), b.resident_id, b, RULES) is False, "no seat freed"
    assert slot.waitlist == [] and slot.status_of(b.resident_id) == ""
    refused(lambda: slot.cancel(ctx(a.resident_id, START), a.resident_id, a, RULES), match="already started")
    assert slot.cancel(ctx(a.resident_id, START - 2 * HOUR), a.resident_id, a, RULES) is True
    assert slot.status_of(a.resident_id) == "cancelled" and slot.free == 1 and slot.id not in a.held
    refused(lambda: slot.cancel(ctx(a.resident_id), a.resident_id, a, RULES), match="no booking")


def test_a_freed_seat_goes_to_the_first_waiting_whose_diary_still_fits_and_those_it_no_longer_fits_pass():
    slot = one_slot(capacity=1)
    seated, busy, next_in_line, last = (diary(r) for r in RESIDENTS[:4])
    diaries = {d.resident_id: d for d in (seated, busy, next_in_line, last)}
    book(slot, seated)
    for d in (busy, next_in_line, last):
        book(slot, d, waitlist=True, note="带上病历")
    book(one_slot(start=START + 30 * MINUTE), busy)  # busy is now elsewhere at that time
    slot.collect_events()
    assert slot.cancel(ctx(seated.resident_id), seated.resident_id, seated, RULES) is True
    fill(slot, diaries)
    events = slot.collect_events()
    assert kinds(events) == [
        (Slot.Cancelled, seated.resident_id),
        (Slot.Passed, busy.resident_id),
        (Slot.Promoted, next_in_line.resident_id),
    ]
    assert events[1].reason == "You already have a booking at this time."
    assert slot.status_of(busy.resident_id) == "" and slot.id not in busy.held
    assert slot.status_of(next_in_line.resident_id) == "confirmed" and slot.id in next_in_line.held
    assert slot.bookings[next_in_line.resident_id].note == "带上病历"
    assert slot.waitlist == [last.resident_id] and slot.next_waiting(ctx()) is None


def test_promote_gives_the_seat_only_to_the_first_waiting_with_their_own_diary():
    slot = one_slot(capacity=1)
    a, b, c = (diary(r) for r in RESIDENTS[:3])
    book(slot, a)
    book(slot, b, waitlist=True)
    book(slot, c, waitlist=True)
    refused(lambda: slot.promote(ctx(None), b, LIMITS), status=409, match="Nobody waits")  # no seat is free
    slot.cancel(ctx(a.resident_id), a.resident_id, a, RULES)
    refused(lambda: slot.promote(ctx(None), c, LIMITS), status=409, match="Nobody waits")  # c is not first
    refused(lambda: slot.promote(ctx(None, START), b, LIMITS), match="Nobody waits")  # the slot has started
    assert slot.promote(ctx(None), b, LIMITS) is True
    assert slot.waitlist == [c.resident_id] and slot.free == 0


def test_a_resident_over_the_weekly_limit_passes_a_freed_seat():
    rules = replace(RULES, per_week=1)
    limits = Limits(rules)
    p, s = service(rules)
    two = replace(WEEKLY, weeks=1, weekdays=frozenset({2}), capacity=1, opens=time(9), closes=time(10))
    first, second = s.publish(ctx(STAFF), p, two)
    a, b = diary(RESIDENTS[0]), diary(RESIDENTS[1])
    book(first, a, limits=limits)
    book(first, b, limits=limits, waitlist=True)
    book(second, b, limits=limits)
    first.collect_events()
    first.cancel(ctx(a.resident_id), a.resident_id, a, rules)
    fill(first, {b.resident_id: b}, limits=limits)
    [_, passed] = first.collect_events()
    assert isinstance(passed, Slot.Passed) and "limit" in passed.reason and first.free == 1


# -- the provider ---------------------------------------------------------------------------------------------------
def test_only_a_pending_booking_is_confirmed_and_not_once_the_slot_is_over():
    rules = replace(RULES, confirm=True)
    slot = one_slot(rules=rules)
    a, b = diary(RESIDENTS[0]), diary(RESIDENTS[1])
    book(slot, a, limits=Limits(rules))
    book(slot, b, limits=Limits(rules))
    refused(lambda: slot.confirm(ctx(STAFF), STRANGER), status=409, match="waiting for confirmation")
    refused(lambda: slot.confirm(ctx(STAFF, slot.ends_at), b.resident_id), status=409, match="over")
    slot.confirm(ctx(STAFF), a.resident_id)
    refused(lambda: slot.confirm(ctx(STAFF), a.resident_id), status=409, match="waiting for confirmation")
    slot.confirm(ctx(STAFF, slot.ends_at - MINUTE), b.resident_id)


def test_a_decline_needs_a_reason_and_frees_the_seat_for_the_waitlist():
    slot = one_slot(capacity=1)
    a, b = diary(RESIDENTS[0]), diary(RESIDENTS[1])
    book(slot, a)
    book(slot, b, waitlist=True)
    slot.collect_events()
    a.collect_events()
    for reason in ("", "   ", "因" * 501):
        refused(lambda reason=reason: slot.decline(ctx(STAFF), a.resident_id, reason, a), field="reason")
    refused(lambda: slot.decline(ctx(STAFF), b.resident_id, "满了", b), status=409, match="still to happen")
    refused(lambda: slot.decline(ctx(STAFF, slot.ends_at), a.resident_id, "医生出诊", a), match="over")
    assert not slot.collect_events() and not a.collect_events()
    assert slot.decline(ctx(STAFF), a.resident_id, "医生临时出诊", a) is True
    assert slot.status_of(a.resident_id) == "declined" and not a.held and slot.free == 1
    fill(slot, {b.resident_id: b})
    assert slot.status_of(b.resident_id) == "confirmed"


def test_a_booking_is_marked_done_or_no_show_from_30_minutes_before_its_start():
    slot = one_slot(capacity=3)
    done, absent, cancelled = (diary(r) for r in RESIDENTS[:3])
    for d in (done, absent, cancelled):
        book(slot, d)
    slot.cancel(ctx(cancelled.resident_id), cancelled.resident_id, cancelled, RULES)
    early = START - 31 * MINUTE
    refused(lambda: slot.complete(ctx(STAFF, early), done.resident_id, False, done), status=409, match="30 minutes")
    slot.complete(ctx(STAFF, START - 30 * MINUTE), done.resident_id, False, done)
    slot.complete(ctx(STAFF, slot.ends_at + HOUR), absent.resident_id, True, absent)
    assert (slot.status_of(done.resident_id), slot.status_of(absent.resident_id)) == ("done", "no_show")
    assert done.kept == {slot.id: False} and absent.kept == {slot.id: True} and absent.no_shows == [slot.ends_at + HOUR]
    assert slot.taken == 2, "done and no-show still took their seats"
    for d in (done, cancelled):
        refused(lambda d=d: slot.complete(ctx(STAFF, START), d.resident_id, False, d), status=409, match="still to")


def test_only_a_booking_marked_done_is_rated_once_with_1_to_5_stars():
    slot = one_slot(capacity=2)
    done, absent = diary(RESIDENTS[0]), diary(RESIDENTS[1])
    book(slot, done)
    book(slot, absent)
    after = ctx(done.resident_id, slot.ends_at)
    refused(lambda: slot.rate(after, done.resident_id, 5, ""), status=409, match="marked done")  # not yet done
    slot.complete(ctx(STAFF, START), done.resident_id, False, done)
    slot.complete(ctx(STAFF, START), absent.resident_id, True, absent)
    refused(lambda: slot.rate(after, absent.resident_id, 1, ""), status=409, match="marked done")
    refused(lambda: slot.rate(after, STRANGER, 1, ""), status=409, match="marked done")
    for stars in (0, 6, -1):
        refused(lambda stars=stars: slot.rate(after, done.resident_id, stars, ""), field="stars")
    refused(lambda: slot.rate(after, done.resident_id, 5, "好" * 501), field="comment")
    slot.collect_events()
    slot.rate(after, done.resident_id, 5, " 医生很耐心 ")
    [rated] = slot.collect_events()
    assert (rated.stars, rated.comment) == (5, "医生很耐心") and slot.bookings[done.resident_id].rated
    refused(lambda: slot.rate(after, done.resident_id, 4, ""), status=409, match="rated this booking already")


# -- reminders ------------------------------------------------------------------------------------------------------
def test_the_day_before_reminder_is_due_from_24_hours_before_until_the_hour_before_one():
    slot = one_slot()
    book(slot, diary())
    assert slot.due_reminders(START - 24 * HOUR - MINUTE) == []
    for at in (START - 24 * HOUR, START - HOUR - MINUTE):
        assert slot.due_reminders(at) == [(RESIDENT, "day")]
    assert slot.due_reminders(START - HOUR) == [(RESIDENT, "hour")], "in the last hour only the hour-before one"


def test_each_reminder_is_sent_at_most_once():
    slot = one_slot(capacity=3)
    a, b, c = (diary(r) for r in RESIDENTS[:3])
    for d in (a, b, c):
        book(slot, d)
    slot.cancel(ctx(c.resident_id), c.resident_id, c, RULES)
    slot.collect_events()
    assert slot.remind(ctx(None, START - 20 * HOUR)) == 2, "a cancelled booking is not reminded"
    assert {(e.resident_id, e.kind) for e in slot.collect_events()} == {(a.resident_id, "day"), (b.resident_id, "day")}
    assert slot.due_reminders(START - 19 * HOUR) == []
    refused(lambda: slot.remind(ctx(None, START - 19 * HOUR)), status=409, match="No reminder is due.")
    assert slot.remind(ctx(None, START - 30 * MINUTE)) == 2
    refused(lambda: slot.remind(ctx(None, START - 10 * MINUTE)), match="No reminder is due.")
    assert slot.due_reminders(START) == [] and slot.due_reminders(START - 25 * HOUR) == []
    assert all(slot.bookings[d.resident_id].reminded == {"day", "hour"} for d in (a, b))


def test_a_booking_made_inside_a_reminders_window_does_not_get_that_reminder():
    rules = replace(RULES, min_notice_hours=0)
    slot = one_slot(capacity=3, rules=rules)
    early, same_day, last_minute = (diary(r) for r in RESIDENTS[:3])
    book(slot, early, NOW, Limits(rules))
    book(slot, same_day, START - 10 * HOUR, Limits(rules))
    assert slot.due_reminders(START - 9 * HOUR) == [(early.resident_id, "day")]
    book(slot, last_minute, START - 30 * MINUTE, Limits(rules))
    assert slot.due_reminders(START - 20 * MINUTE) == [(early.resident_id, "hour"), (same_day.resident_id, "hour")]
    waiting = one_slot(capacity=1)
    book(waiting, diary(RESIDENTS[3]))
    book(waiting, diary(RESIDENTS[4]), waitlist=True)
    assert waiting.due_reminders(START - HOUR) == [(RESIDENTS[3], "hour")], "the waitlist is not reminded"


# -- properties -----------------------------------------------------------------------------------------------------
def state(slots: list[Slot], diaries: dict[UUID, Diary]):
    """Everything a command could change: the slots' bookings and waitlists, the diaries' holdings."""
    return (
        [({r: b.status for r, b in s.bookings.items()}, list(s.waitlist)) for s in slots],
        {r: dict(d.held) for r, d in diaries.items()},
    )


def collect(slots: list[Slot], diaries: dict[UUID, Diary]) -> list:
    return [e for aggregate in (*slots, *diaries.values()) for e in aggregate.collect_events()]


def check_diaries_match_the_slots(slots: list[Slot], diaries: dict[UUID, Diary]) -> None:
    for r, d in diaries.items():
        assert d.id == diary_id_for(r)
        for s in slots:
            assert (s.id in d.held) == (s.status_of(r) in ACTIVE), "the diary holds the slot iff the slot seats them"
        active = sorted((start, end) for sid, (_, start, end) in d.held.items() if sid not in d.kept)
        assert all(end <= start for (_, end), (start, _) in pairwise(active)), "never two bookings at once"


def check_seats(s: Slot) -> None:
    seated = [r for r, b in s.bookings.items() if b.status in ACTIVE]
    assert s.taken <= s.capacity
    assert len(s.waitlist) == len(set(s.waitlist)) == len(s.waiting) and not set(seated) & set(s.waitlist)
    assert s.free == 0 or not s.waitlist, "no seat stays free while someone waits"


def who(slot: Slot, kind: str, i: int, residents: list[UUID]) -> UUID:
    """Someone it concerns: a newcomer to the slot books; one seated or waiting cancels; one waiting (or anyone)
    books elsewhere or gives that up."""
    if kind == "elsewhere":
        pool = [*slot.waitlist, *residents] if i % 2 else residents
    elif kind == "cancel":
        pool = [r for r in residents if slot.status_of(r) in (*ACTIVE, "waitlisted")]
    elif kind in ("seat", "wait"):
        pool = [r for r in residents if slot.status_of(r) in ("", "cancelled")]
    pool = pool or residents
    return pool[i % len(pool)]


ONE_SLOT_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["seat", "wait", "wait", "wait", "cancel", "cancel", "elsewhere", "elsewhere"]),
        st.integers(0, len(RESIDENTS) - 1),
    ),
    min_size=10,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(capacity=st.integers(1, 3), confirm=st.booleans(), steps=ONE_SLOT_STEPS)
def test_a_slot_never_seats_more_than_its_capacity_and_a_freed_seat_goes_to_the_first_it_fits(capacity, confirm, steps):
    """Residents book (a seat or the waitlist), cancel, and book or give up a booking elsewhere at the same time
    (after which a seat here no longer fits them)."""
    rules = replace(RULES, confirm=confirm)
    limits = Limits(rules)
    slot = one_slot(capacity, rules=rules)
    elsewhere = one_slot(len(RESIDENTS), start=START + 30 * MINUTE, rules=rules)
    slots = [slot, elsewhere]
    diaries = {r: diary(r) for r in RESIDENTS}
    seated_status = "pending" if confirm else "confirmed"
    for kind, i in steps:
        r = who(slot, kind, i, RESIDENTS)
        d = diaries[r]
        before = state(slots, diaries)
        mine, busy = slot.status_of(r), elsewhere.status_of(r) in ACTIVE
        free, waiting = slot.free, list(slot.waitlist)
        if kind in ("seat", "wait"):
            allowed = mine in ("", "cancelled") and not busy and ((free > 0 and not waiting) or kind == "wait")
        elif kind == "cancel":
            allowed = mine in (*ACTIVE, "waitlisted")
        else:
            allowed = busy or mine not in ACTIVE
        try:
            if kind in ("seat", "wait"):
                status = slot.book(ctx(r), r, d, limits, "", "", waitlist=kind == "wait")
                assert status == (seated_status if free > 0 and not waiting else "waitlisted")
            elif kind == "cancel":
                freed = slot.cancel(ctx(r), r, d, rules)
                assert freed == (mine in ACTIVE)
                if freed:
                    fill(slot, diaries, limits=limits)
            elif busy:
                elsewhere.cancel(ctx(r), r, d, rules)
            else:
                elsewhere.book(ctx(r), r, d, limits, "", "", waitlist=False)
        except DomainError:
            assert not allowed
            assert state(slots, diaries) == before and not collect(slots, diaries), "a refusal changes nothing"
            continue
        assert allowed
        events = slot.collect_events()
        collect(slots, diaries)
        if kind == "cancel" and mine in ACTIVE:
            # the first waiting who is not busy elsewhere takes the seat; those before them pass
            takers = [w for w in waiting if elsewhere.status_of(w) not in ACTIVE][:1]
            passing = waiting[: waiting.index(takers[0])] if takers else waiting
            expected = [(Slot.Passed, w) for w in passing] + [(Slot.Promoted, w) for w in takers]
            event(f"a freed seat: {len(passing)} passed, {len(takers)} promoted")
            assert kinds(events) == [(Slot.Cancelled, r), *expected]
            assert sum(isinstance(e, Slot.Promoted) for e in events) <= 1, "one freed seat, at most one promotion"
        check_seats(slot)
        check_diaries_match_the_slots(slots, diaries)


TWO_SLOT_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["seat", "wait", "wait", "cancel"]),
        st.integers(0, 1),  # which slot
        st.integers(0, 3),  # who
    ),
    min_size=10,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    capacities=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    offset=st.integers(-25, 55),  # minutes the second slot starts after the first (they always overlap)
    minutes=st.sampled_from([30, 60, 90]),
    steps=TWO_SLOT_STEPS,
)
def test_no_resident_ever_holds_two_overlapping_bookings(capacities, offset, minutes, steps):
    first = one_slot(capacities[0], start=START, minutes=60)
    second = one_slot(capacities[1], start=START + offset * MINUTE, minutes=minutes)
    assert first.service_id != second.service_id
    assert first.starts_at < second.ends_at and second.starts_at < first.ends_at, "they overlap"
    slots = [first, second]
    residents = RESIDENTS[:4]
    diaries = {r: diary(r) for r in residents}
    for kind, which, i in steps:
        slot = slots[which]
        r = who(slot, kind, i, residents)
        before = state(slots, diaries)
        try:
            if kind == "cancel":
                if slot.cancel(ctx(r), r, diaries[r], RULES):
                    fill(slot, diaries)
            else:
                slot.book(ctx(r), r, diaries[r], LIMITS, "", "", waitlist=kind == "wait")
        except DomainError:
            assert state(slots, diaries) == before and not collect(slots, diaries), "a refusal changes nothing"
            continue
        events = collect(slots, diaries)
        promoted, passed = (sum(isinstance(e, cls) for e in events) for cls in (Slot.Promoted, Slot.Passed))
        event(f"{promoted} promoted, {passed} passed")
        assert promoted <= 1, "one freed seat, at most one promotion"
        for resident in residents:
            assert not (first.status_of(resident) in ACTIVE and second.status_of(resident) in ACTIVE), "never at both"
        for s in slots:
            check_seats(s)
        check_diaries_match_the_slots(slots, diaries)


def test_the_events_keep_the_topics_the_log_stores_them_under():
    """The aggregates moved into a module each (domain/provider.py, service.py, slot.py, diary.py): the events of a
    deployment's log name them by the module they came from, and new events are stored under the same topics, so
    old logs load and a rebuild of the views still selects every event."""
    classes = [Provider, Service, Slot, Diary, Provider.MemberAdded, Service.SlotsPublished, Slot.Booked, Diary.Kept]
    for cls in classes:
        topic = f"backend.services.domain:{cls.__qualname__}"
        assert get_topic(cls) == topic
        assert resolve_topic(topic) is cls
