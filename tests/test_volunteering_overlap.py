"""The sign-up overlap rule as an invariant (DESIGN 4.8): a volunteer's diary holds the shifts where they have a seat
or an offer, and is saved with the shift by every command that moves them into or out of one. On the pure aggregates
(hypothesis: sign-ups, cancellations, offers accepted and lapsed, promotions, in any order) the diary always says what
the shifts say and a sign-up is refused exactly when the shifts show an overlapping seat or offer; against the real
stores, 50 sign-ups of one volunteer for 50 overlapping shifts at once, through the group-commit writer and through
two runners in threads, leave exactly one seat."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic
from hypothesis import event, given, settings
from hypothesis import strategies as st

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.runner import CommandResult, CommandRunner
from backend.kernel.store import open_event_store
from backend.volunteering import commands
from backend.volunteering.domain.activity import Activity, ActivityTerms
from backend.volunteering.domain.diary import VolunteerDiary, diary_id_for, overlap
from backend.volunteering.domain.shift import Shift
from backend.volunteering.domain.team import Team
from projections.volunteering import queries as views
from tests.conftest import NOW
from tests.factories import community, count_topic

START = NOW + timedelta(days=10)
HOUR = timedelta(hours=1)
TERMS = ActivityTerms("敬老院陪伴", "陪老人聊天、读报", "幸福里敬老院", "elderly", "敬老院老人", offer_hours=0)
CLASH = "You already have a shift at this time."


def test_the_diary_keeps_the_topics_of_the_module_volunteering_was_first_written_in():
    """Split by aggregate, volunteering's events keep the topics a log written before the split knows them by."""
    assert get_topic(Shift.SignedUp) == "backend.volunteering.domain:Shift.SignedUp"
    assert get_topic(VolunteerDiary.Held) == "backend.volunteering.domain:VolunteerDiary.Held"


# -- the pure aggregates ----------------------------------------------------------------------------------------
COMMUNITY = uuid4()
VOLUNTEERS = [uuid4() for _ in range(6)]


def made_shifts(capacities: list[int], offsets: list[int], offer_hours: int) -> list[Shift]:
    """One shift per activity (an activity's own shifts never overlap), starting `offsets` half-hours after START
    and lasting two hours: neighbours overlap, some touch."""
    ctx = Ctx(COMMUNITY, None, NOW)
    team = Team.found(ctx, uuid4(), "银龄服务队", "")
    shifts = []
    for capacity, offset in zip(capacities, offsets, strict=True):
        start = START + offset * HOUR / 2
        _, [shift] = Activity.create(
            ctx, uuid4(), team, replace(TERMS, offer_hours=offer_hours), [(start, start + 2 * HOUR)], capacity
        )
        shift.collect_events()
        shifts.append(shift)
    return shifts


def clashes_on_the_shifts(shifts: list[Shift], shift: Shift, volunteer: UUID) -> bool:
    """What the views said: a seat or an offer on another shift overlapping this one."""
    return any(
        s.id != shift.id and s.holds(volunteer) and overlap(s.starts_at, s.ends_at, shift.starts_at, shift.ends_at)
        for s in shifts
    )


def check_diaries_say_what_the_shifts_say(shifts: list[Shift], diaries: dict[UUID, VolunteerDiary]) -> None:
    for volunteer, diary in diaries.items():
        held = {s.id: (s.starts_at, s.ends_at) for s in shifts if s.holds(volunteer)}
        assert diary.held == held, "the diary holds exactly the seats and offers the shifts show"


def pending(shifts: list[Shift], diaries: dict[UUID, VolunteerDiary]) -> list:
    return [e for a in (*shifts, *diaries.values()) for e in a.collect_events()]


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["seat", "wait", "wait", "wait", "cancel", "cancel", "accept", "lapse"]),
        st.integers(0, 2),  # which shift
        st.integers(0, 5),  # who (for a cancellation or an acceptance: one who has a place or an offer, mostly)
    ),
    min_size=10,
    max_size=60,
)


def who(shift: Shift, kind: str, index: int) -> UUID:
    """Mostly someone the step can apply to, so that seats are freed and offers accepted; else anyone."""
    having = {"cancel": [*shift.seated, *shift.offers, *shift.waitlist], "accept": list(shift.offers)}.get(kind)
    return having[index % len(having)] if having and index < 3 else VOLUNTEERS[index]


@settings(max_examples=300, deadline=None)
@given(
    capacities=st.lists(st.integers(1, 2), min_size=3, max_size=3),
    offsets=st.lists(st.integers(0, 8), min_size=3, max_size=3),
    offer_hours=st.sampled_from([0, 12]),
    steps=STEPS,
)
def test_a_volunteer_never_signs_up_for_overlapping_shifts_and_the_diary_follows_the_shifts(
    capacities, offsets, offer_hours, steps
):
    shifts = made_shifts(capacities, offsets, offer_hours)
    diaries = {v: VolunteerDiary.open(Ctx(COMMUNITY, v, NOW), v) for v in VOLUNTEERS}
    pending(shifts, diaries)
    promoted: set[UUID] = set()  # volunteers given a seat or an offer from a waitlist (which does not ask)
    now = NOW
    for kind, which, index in steps:
        shift = shifts[which]
        volunteer = who(shift, kind, index)
        ctx = Ctx(COMMUNITY, volunteer, now)
        clash = clashes_on_the_shifts(shifts, shift, volunteer)
        before = [(s.status_of(v), s.offers.get(v)) for s in shifts for v in VOLUNTEERS]
        try:
            if kind in ("seat", "wait"):
                shift.sign_up(ctx, volunteer, kind == "wait", None, diaries[volunteer])
                assert not clash, "a sign-up passes only when no overlapping seat or offer is held"
            elif kind == "cancel":
                shift.cancel(ctx, volunteer)
            elif kind == "accept":
                shift.accept_offer(ctx, volunteer)
            else:  # the system's round, past every offer's time
                now += timedelta(hours=13)
                ctx = Ctx(COMMUNITY, None, now)
                shift.lapse_offers(ctx)
        except DomainError as error:
            if kind in ("seat", "wait"):
                assert (error.message == CLASH) == clash, "refused for an overlap exactly when the shifts show one"
            assert [(s.status_of(v), s.offers.get(v)) for s in shifts for v in VOLUNTEERS] == before
            assert not pending(shifts, diaries), "a refusal changes nothing"
            continue
        moved = shift.moved()
        promoted |= {e.volunteer_id for e in shift.pending_events if isinstance(e, Shift.Offered | Shift.Seated)}
        saved = commands.diaries_after(None, ctx, shift, diaries)  # the command's own step (all diaries loaded)
        assert {d.volunteer_id for d in saved} <= set(moved), "only the diaries of those who moved are saved"
        event(f"{kind}: {len(moved)} moved, {len(saved)} diaries saved, {len(promoted)} ever promoted")
        pending(shifts, diaries)
        check_diaries_say_what_the_shifts_say(shifts, diaries)
        for v in set(VOLUNTEERS) - promoted:
            held = [s for s in shifts if s.holds(v)]
            assert not any(
                overlap(a.starts_at, a.ends_at, b.starts_at, b.ends_at) for a in held for b in held if a is not b
            ), "through sign-ups alone, never two overlapping seats or offers"


# -- the real stores ----------------------------------------------------------------------------------------------
async def fifty_overlapping_shifts(rt, residents: int = 2) -> tuple[UUID, list[UUID], list[UUID]]:
    """Residents (the second is the volunteer) and 50 published shifts of 5 seats (one per activity), each
    overlapping all the others."""
    place = await community(rt, NOW, residents=residents, passwords=False)
    ctx = Ctx(place.community_id, None, NOW)
    team = Team.found(ctx, uuid4(), "压测服务队", "")
    made = []
    for k in range(50):
        start = START + k * timedelta(minutes=1)
        activity, shifts = Activity.create(ctx, uuid4(), team, TERMS, [(start, start + 2 * HOUR)], 5)
        activity.publish(ctx, team)
        made += [activity, *shifts]
    rt.store.save(team, *made)
    return place.community_id, place.residents, [a.id for a in made if isinstance(a, Shift)]


def outcomes(results: list) -> tuple[list[str], list[tuple[int, str]]]:
    seated = [r.result["status"] for r in results if isinstance(r, CommandResult)]
    refused = [(r.status, r.message) for r in results if isinstance(r, DomainError)]
    assert len(seated) + len(refused) == len(results), [r for r in results if not isinstance(r, CommandResult)]
    return seated, refused


async def test_fifty_simultaneous_sign_ups_for_overlapping_shifts_seat_one_through_the_writer(runtime):
    """One volunteer, 50 overlapping shifts, 50 sign-ups started at once: they meet in the group-commit writer,
    and the diary each one reads and writes decides. Exactly one wins."""
    community_id, residents, shifts = await fifty_overlapping_shifts(runtime)
    volunteer = residents[1]
    results = await asyncio.gather(
        *(commands.sign_up(runtime, Ctx(community_id, volunteer, NOW), s) for s in shifts), return_exceptions=True
    )
    seated, refused = outcomes(results)
    assert seated == ["seated"]
    assert refused == [(409, CLASH)] * 49
    assert count_topic(runtime, Shift.SignedUp) == 1
    diary = runtime.store.repository.get(diary_id_for(volunteer))
    assert len(diary.held) == 1


async def test_fifty_simultaneous_sign_ups_across_two_runners_seat_one(runtime, settings):
    """The same across two command runners with their own connections to the store (two processes), in threads:
    the shifts are 50 different aggregates, so nothing serializes them but the diary's version in the store."""
    community_id, residents, shifts = await fifty_overlapping_shifts(runtime)
    volunteer = residents[1]
    other = CommandRunner(open_event_store(settings))

    def attempt(index: int) -> CommandResult | DomainError:
        ctx = Ctx(community_id, volunteer, NOW)
        runner = runtime.commands if index % 2 else other
        action = commands.sign_up_action(ctx, shifts[index], runtime.personal)
        try:
            return runner.run("shift.sign_up", ctx, shifts[index], action)
        except DomainError as error:
            return error

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(attempt, range(50)))
    seated, refused = outcomes(results)
    assert seated == ["seated"]
    assert refused == [(409, CLASH)] * 49
    assert count_topic(runtime, Shift.SignedUp) == 1


async def test_a_promotion_does_not_ask_but_later_sign_ups_see_it(runtime):
    """A volunteer waiting for shift B takes a seat on A (a place on a waitlist blocks nothing); B's seat, freed,
    goes to them all the same, and their diary holds it: once A is given up, a sign-up for another shift
    overlapping B is refused, as the views say."""
    community_id, residents, shifts = await fifty_overlapping_shifts(runtime, residents=7)
    volunteer, extra = residents[1], residents[2:]
    a, b = shifts[0], shifts[1]
    for resident in extra:  # B is full
        await commands.sign_up(runtime, Ctx(community_id, resident, NOW), b)
    assert (await commands.sign_up(runtime, Ctx(community_id, volunteer, NOW), b, waitlist=True)).result == {
        "status": "waitlisted"
    }
    assert (await commands.sign_up(runtime, Ctx(community_id, volunteer, NOW), a)).result == {"status": "seated"}
    await commands.cancel(runtime, Ctx(community_id, extra[0], NOW), b)
    assert runtime.store.repository.get(b).status_of(volunteer) == "seated", "promoted, overlap or not"
    diary = runtime.store.repository.get(diary_id_for(volunteer))
    assert set(diary.held) == {a, b}
    await commands.cancel(runtime, Ctx(community_id, volunteer, NOW), a)
    row = await views.shift(shifts[2])
    assert await views.overlapping(volunteer, row["starts_at"], row["ends_at"], shifts[2])
    with pytest.raises(DomainError, match=CLASH) as refused:
        await commands.sign_up(runtime, Ctx(community_id, volunteer, NOW), shifts[2])
    assert refused.value.status == 409
    assert set(runtime.store.repository.get(diary_id_for(volunteer)).held) == {b}
