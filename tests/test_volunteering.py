"""Volunteering against the real stores: a recurring activity, sign-ups under real thread concurrency (two runners
standing for two processes), the waitlist and offers, check-in and check-out, the hours ledger, certificates, the
system's rounds, and a rebuild that equals the incremental views. Bad input writes nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from uuid import UUID

import pytest

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.runner import CommandRunner
from backend.kernel.store import open_event_store
from backend.volunteering import commands, rounds
from backend.volunteering.domain.activity import ActivityTerms, recurring
from backend.volunteering.domain.shift import Shift
from projections.volunteering import queries as views
from tests.conftest import NOW
from tests.factories import community, count_topic, grant, snapshot

START = NOW + timedelta(days=3)
TERMS = ActivityTerms("敬老院陪伴", "陪老人聊天、读报", "幸福里敬老院", "elderly", "敬老院老人", offer_hours=0)


def fresh(ctx: Ctx, now=None) -> Ctx:
    return Ctx(ctx.community_id, ctx.actor_id, now or ctx.now, on_behalf_of=ctx.on_behalf_of)


async def setup(rt, residents: int = 4, capacity: int = 2, weeks: int = 2, terms: ActivityTerms = TERMS):
    """Resident 0 leads a team with a published activity of `weeks` weekly shifts of `capacity` seats."""
    place = await community(rt, NOW, residents=residents, passwords=False)
    await grant(rt, place, 0, "volunteer_leader", now=NOW)
    leader = Ctx(place.community_id, place.residents[0], NOW)
    team = await commands.found_team(rt, leader, "幸福里志愿服务队", "")
    team_id = UUID(team.result["team_id"])
    created = await commands.create_activity(
        rt, fresh(leader), team_id, terms, recurring(START, START + timedelta(hours=2), weeks), capacity
    )
    activity_id = UUID(created.result["activity_id"])
    await commands.publish_activity(rt, fresh(leader), activity_id)
    shifts = [UUID(str(s["id"])) for s in await views.shifts_of(activity_id)]
    return place, leader, team_id, activity_id, shifts


def as_resident(place, index: int, now=NOW) -> Ctx:
    return Ctx(place.community_id, place.residents[index], now)


async def test_a_recurring_activity_has_its_weekly_shifts_and_anyone_can_sign_up(runtime):
    place, _, _, activity_id, shifts = await setup(runtime, weeks=3)
    rows = await views.shifts_of(activity_id)
    assert [r["starts_at"] for r in rows] == [START + timedelta(weeks=w) for w in range(3)]
    done = await commands.sign_up(runtime, as_resident(place, 1), shifts[0])
    assert done.result == {"status": "seated"}
    assert (await views.shift(shifts[0]))["seated"] == 1
    mine = await views.my_shifts(place.residents[1], NOW)
    assert [r["status"] for r in mine] == ["seated"]


async def test_the_waitlist_is_offered_only_when_asked_and_a_cancellation_seats_the_first(runtime):
    place, _, _, _, shifts = await setup(runtime, residents=5, capacity=2)
    for index in (1, 2):
        await commands.sign_up(runtime, as_resident(place, index), shifts[0])
    before = runtime.event_count()
    with pytest.raises(DomainError, match="full"):
        await commands.sign_up(runtime, as_resident(place, 3), shifts[0])
    assert runtime.event_count() == before
    await commands.sign_up(runtime, as_resident(place, 3), shifts[0], waitlist=True)
    await commands.sign_up(runtime, as_resident(place, 4), shifts[0], waitlist=True)
    assert await views.waitlist_place(shifts[0], place.residents[4]) == 2
    await commands.cancel(runtime, as_resident(place, 1), shifts[0])
    roster = {str(r["volunteer_id"]): r["status"] for r in await views.roster(shifts[0])}
    assert roster[str(place.residents[3])] == "seated"
    assert roster[str(place.residents[4])] == "waitlisted"
    assert roster[str(place.residents[1])] == "cancelled"
    assert count_topic(runtime, Shift.Seated) == 1


async def test_a_timed_offer_lapses_once_and_passes_to_the_next(runtime):
    terms = ActivityTerms("巡逻", "夜间巡逻", "小区", "safety", "全体居民", offer_hours=12)
    place, _, _, _, shifts = await setup(runtime, residents=5, capacity=1, terms=terms)
    await commands.sign_up(runtime, as_resident(place, 1), shifts[0])
    for index in (2, 3):
        await commands.sign_up(runtime, as_resident(place, index), shifts[0], waitlist=True)
    await commands.cancel(runtime, as_resident(place, 1), shifts[0])
    row = (await views.statuses([shifts[0]], place.residents[2]))[str(shifts[0])]
    assert row["status"] == "offered" and row["offer_until"] == NOW + timedelta(hours=12)
    assert await rounds.keep_shifts(runtime, NOW + timedelta(hours=11)) == []
    later = NOW + timedelta(hours=13)
    assert await rounds.keep_shifts(runtime, later) == [shifts[0]]
    assert await rounds.keep_shifts(runtime, later) == []  # nothing left to do: no second lapse, no command
    statuses = {str(r["volunteer_id"]): r["status"] for r in await views.roster(shifts[0])}
    assert statuses[str(place.residents[2])] == "lapsed"
    assert statuses[str(place.residents[3])] == "offered"
    assert count_topic(runtime, Shift.OfferLapsed) == 1
    with pytest.raises(DomainError, match="no seat offered"):
        await commands.accept_offer(runtime, as_resident(place, 2, later), shifts[0])
    await commands.accept_offer(runtime, as_resident(place, 3, later), shifts[0])
    assert (await views.shift(shifts[0]))["seated"] == 1


async def test_sign_up_burst_fills_exactly_the_capacity_and_waitlists_the_rest_in_order(runtime, settings):
    """200 residents at once on a 50-seat shift, through two runners (two processes): 50 seated, 150 waiting."""
    place, _, _, _, shifts = await setup(runtime, residents=201, capacity=50, weeks=1)
    other = CommandRunner(open_event_store(settings))
    volunteers = place.residents[1:]

    def attempt(index: int) -> str:
        ctx = Ctx(place.community_id, volunteers[index], NOW)
        runner = runtime.commands if index % 2 else other
        action = commands.sign_up_action(ctx, shifts[0], runtime.personal, waitlist=True)
        return runner.run("shift.sign_up", ctx, shifts[0], action).result["status"]

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(attempt, range(200)))
    assert results.count("seated") == 50 and results.count("waitlisted") == 150
    await runtime.projector.wait_for(runtime.event_count(), timeout=20)
    shift = await views.shift(shifts[0])
    assert (shift["seated"], shift["waitlisted"]) == (50, 150)
    assert count_topic(runtime, Shift.SignedUp) == 200
    # The waitlist's order is the log's: the first to wait is the first seated.
    waiting = [r for r in await views.roster(shifts[0]) if r["status"] == "waitlisted"]
    first = waiting[0]["volunteer_id"]
    seated = next(r for r in await views.roster(shifts[0]) if r["status"] == "seated")
    await commands.cancel(runtime, Ctx(place.community_id, seated["volunteer_id"], NOW), shifts[0])
    assert (await views.statuses([shifts[0]], first))[str(shifts[0])]["status"] == "seated"
    assert (await views.shift(shifts[0]))["waitlisted"] == 149


async def test_one_volunteer_cannot_hold_overlapping_shifts(runtime):
    place, leader, team_id, _, shifts = await setup(runtime)
    other = await commands.create_activity(
        runtime,
        fresh(leader),
        team_id,
        ActivityTerms("打扫楼道", "清扫", "1栋", "environment", "1栋居民", offer_hours=0),
        [(START + timedelta(hours=1), START + timedelta(hours=3))],
        5,
    )
    await commands.publish_activity(runtime, fresh(leader), UUID(other.result["activity_id"]))
    clashing = UUID(str((await views.shifts_of(UUID(other.result["activity_id"])))[0]["id"]))
    await commands.sign_up(runtime, as_resident(place, 1), shifts[0])
    row = await views.shift(clashing)
    assert await views.overlapping(place.residents[1], row["starts_at"], row["ends_at"], clashing)
    assert not await views.overlapping(place.residents[2], row["starts_at"], row["ends_at"], clashing)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="already have a shift"):
        await commands.sign_up(runtime, as_resident(place, 1), clashing)
    assert runtime.event_count() == before
    assert (await commands.sign_up(runtime, as_resident(place, 2), clashing)).result == {"status": "seated"}


async def test_hours_come_from_check_in_and_out_and_corrections_are_new_entries(runtime):
    place, leader, team_id, _, shifts = await setup(runtime)
    await commands.sign_up(runtime, as_resident(place, 1), shifts[0])
    arrive, leave = START + timedelta(minutes=5), START + timedelta(minutes=95)
    with pytest.raises(DomainError, match="Check in before"):
        await commands.check_out(runtime, as_resident(place, 1, arrive), shifts[0], place.residents[1], False)
    await commands.check_in(runtime, as_resident(place, 1, arrive), shifts[0], place.residents[1], False)
    with pytest.raises(DomainError, match="No hours without"):
        await commands.confirm_hours(runtime, fresh(leader, leave), shifts[0], place.residents[1])
    await commands.check_out(runtime, as_resident(place, 1, leave), shifts[0], place.residents[1], False)
    done = await commands.confirm_hours(runtime, fresh(leader, leave), shifts[0], place.residents[1])
    assert done.result["minutes"] == "90"
    before = runtime.event_count()
    with pytest.raises(DomainError):  # confirmed once only
        await commands.confirm_hours(runtime, fresh(leader, leave), shifts[0], place.residents[1])
    assert runtime.event_count() == before
    record_id = UUID(done.result["record_id"])
    later = leave + timedelta(days=1)
    with pytest.raises(DomainError, match="negative"):
        await commands.request_correction(runtime, as_resident(place, 1, later), record_id, -5, "错了")
    await commands.request_correction(runtime, as_resident(place, 1, later), record_id, 120, "提前到岗布置场地")
    assert (await views.record(record_id))["request_minutes"] == 120
    await commands.decide_correction(runtime, fresh(leader, later), record_id, approve=True)
    record = await views.record(record_id)
    assert record["minutes"] == 120 and record["request_minutes"] is None
    entries = (await views.entries([record_id]))[str(record_id)]
    assert [(e["entry"], e["delta_minutes"], e["refers_to"]) for e in entries] == [(1, 90, 0), (2, 30, 1)]
    assert sum(e["delta_minutes"] for e in entries) == record["minutes"]

    certificate = await commands.issue_certificate(
        runtime, as_resident(place, 1, later), team_id, [record_id], START.date(), later.date()
    )
    row = await views.certificate_by_number(certificate.result["number"])
    assert row["minutes"] == 120 and row["lines"] == [[START.date().isoformat(), "敬老院陪伴", "120"]]
    with pytest.raises(DomainError, match="no confirmed hours"):
        await commands.issue_certificate(
            runtime, as_resident(place, 1, later), team_id, [record_id], NOW.date(), NOW.date()
        )


async def test_a_forgotten_check_out_is_made_at_the_end_and_flagged(runtime):
    place, _, _, _, shifts = await setup(runtime)
    await commands.sign_up(runtime, as_resident(place, 1), shifts[0])
    await commands.check_in(runtime, as_resident(place, 1, START), shifts[0], place.residents[1], False)
    assert await rounds.keep_shifts(runtime, START + timedelta(hours=1)) == []
    assert await rounds.keep_shifts(runtime, START + timedelta(hours=3)) == [shifts[0]]
    row = (await views.statuses([shifts[0]], place.residents[1]))[str(shifts[0])]
    assert row["checked_out_at"] == START + timedelta(hours=2) and row["forgotten"] is True


async def test_only_the_teams_leaders_manage_and_an_unpublished_activity_takes_no_sign_ups(runtime):
    place, leader, team_id, _, _shifts = await setup(runtime)
    draft = await commands.create_activity(
        runtime,
        fresh(leader),
        team_id,
        ActivityTerms("河道清理", "清理垃圾", "河边", "environment", "全体居民", risky=True),
        [(START, START + timedelta(hours=1))],
        3,
    )
    draft_id = UUID(draft.result["activity_id"])
    draft_shift = UUID(str((await views.shifts_of(draft_id))[0]["id"]))
    before = runtime.event_count()
    with pytest.raises(DomainError, match="not open"):
        await commands.sign_up(runtime, as_resident(place, 1), draft_shift)
    with pytest.raises(DomainError, match="insurance"):
        await commands.publish_activity(runtime, fresh(leader), draft_id)
    with pytest.raises(DomainError, match="not allowed"):
        await commands.publish_activity(runtime, as_resident(place, 1), draft_id)
    assert runtime.event_count() == before
    await commands.confirm_insurance(runtime, fresh(leader), draft_id, "人保 PICC-2026-001")
    await commands.publish_activity(runtime, fresh(leader), draft_id)
    assert (await views.activity(draft_id))["published"] is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"capacity": 0}, "between 1 and 1000"),
        ({"capacity": -3}, "between 1 and 1000"),
        ({"times": [(START, START - timedelta(hours=1))]}, "end after it starts"),
        ({"times": [(NOW - timedelta(days=1), NOW - timedelta(days=1) + timedelta(hours=1))]}, "in the future"),
        (
            {"times": [(START, START + timedelta(hours=2)), (START + timedelta(hours=1), START + timedelta(hours=3))]},
            "overlap",
        ),
    ],
)
async def test_bad_activities_are_refused_and_write_nothing(runtime, change, message):
    _place, leader, team_id, _, _ = await setup(runtime)
    before = runtime.event_count()
    with pytest.raises(DomainError, match=message):
        await commands.create_activity(
            runtime,
            fresh(leader),
            team_id,
            TERMS,
            change.get("times", [(START, START + timedelta(hours=1))]),
            change.get("capacity", 5),
        )
    assert runtime.event_count() == before


async def test_a_rebuild_gives_the_same_views(runtime):
    place, leader, _, _, shifts = await setup(runtime, residents=4, capacity=1)
    await commands.sign_up(runtime, as_resident(place, 1), shifts[0])
    await commands.sign_up(runtime, as_resident(place, 2), shifts[0], waitlist=True)
    await commands.cancel(runtime, as_resident(place, 1), shifts[0])
    await commands.check_in(runtime, as_resident(place, 2, START), shifts[0], place.residents[2], False)
    await commands.check_out(
        runtime, as_resident(place, 2, START + timedelta(hours=1)), shifts[0], place.residents[2], False
    )
    await commands.confirm_hours(runtime, fresh(leader, START + timedelta(hours=1)), shifts[0], place.residents[2])
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    before = await snapshot()
    await runtime.projector.stop()
    await runtime.projector.reset(["volunteering"])
    await runtime.projector.catch_up()
    assert await snapshot() == before, "a rebuild from zero equals the incremental result"


# -- minors: a guardian's consent -----------------------------------------------------------------------------------
def id_number(born) -> str:
    """A valid 18-character ID number for a birth date."""
    from backend.residents.domain.checks import ID_CHECK, ID_WEIGHTS

    body = f"110101{born:%Y%m%d}123"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


async def family(rt, place, household: int, *births) -> list[UUID]:
    """Verified residents with ID numbers (so their ages are known) in one household of the register."""
    from backend.residents import commands as resident_commands

    made = []
    for k, born in enumerate(births):
        result = await resident_commands.register(
            rt,
            Ctx(place.community_id, None, NOW),
            f"家人{household}{k}",
            f"1370000{household:02d}{k:02d}",
            place.households[household],
            "",
            id_number=id_number(born),
            verified=True,
        )
        made.append(UUID(result.result["resident_id"]))
    return made


async def test_a_minor_signs_up_only_with_a_guardians_consent_given_in_the_same_household(runtime):
    from datetime import date

    place, _, _, activity_id, shifts = await setup(runtime, residents=4)
    parent, child = await family(runtime, place, 2, date(1985, 3, 1), date(2014, 6, 1))  # the child is 12
    (stranger,) = await family(runtime, place, 3, date(1980, 1, 1))
    before = runtime.event_count()
    with pytest.raises(DomainError, match="guardian's consent") as refused:
        await commands.sign_up(runtime, Ctx(place.community_id, child, NOW), shifts[0])
    assert refused.value.status == 403
    with pytest.raises(DomainError, match="same household"):
        await commands.give_consent(runtime, Ctx(place.community_id, stranger, NOW), activity_id, child)
    with pytest.raises(DomainError, match="Only an adult"):
        await commands.give_consent(runtime, Ctx(place.community_id, child, NOW), activity_id, parent)
    assert runtime.event_count() == before
    await commands.give_consent(runtime, Ctx(place.community_id, parent, NOW), activity_id, child)
    done = await commands.sign_up(runtime, Ctx(place.community_id, child, NOW), shifts[0])
    assert done.result == {"status": "seated"}
    assert await views.consents(activity_id, [child, parent]) == {str(child)}


async def test_the_consent_age_comes_from_the_rulebook_and_the_minimum_age_from_the_activity(runtime):
    from datetime import date

    from backend.community import commands as community_commands

    place, leader, team_id, _, shifts = await setup(runtime, residents=4)
    (teen,) = await family(runtime, place, 2, date(2010, 5, 1))  # 16 on NOW
    assert (await commands.sign_up(runtime, Ctx(place.community_id, teen, NOW), shifts[0])).result["status"] == "seated"
    await commands.cancel(runtime, Ctx(place.community_id, teen, NOW), shifts[0])
    await community_commands.set_rule(
        runtime, Ctx(place.community_id, None, NOW), "volunteer_consent_age", 18, NOW.date()
    )
    with pytest.raises(DomainError, match="guardian's consent"):
        await commands.sign_up(runtime, Ctx(place.community_id, teen, NOW), shifts[0])
    adults = await commands.create_activity(
        runtime,
        fresh(leader),
        team_id,
        ActivityTerms("夜间巡逻", "巡逻", "小区", "safety", "全体居民", min_age=18, offer_hours=0),
        [(START + timedelta(days=1), START + timedelta(days=1, hours=2))],
        5,
    )
    adults_id = UUID(adults.result["activity_id"])
    await commands.publish_activity(runtime, fresh(leader), adults_id)
    patrol = UUID(str((await views.shifts_of(adults_id))[0]["id"]))
    with pytest.raises(DomainError, match="minimum age"):
        await commands.sign_up(runtime, Ctx(place.community_id, teen, NOW), patrol)


async def test_the_honours_show_only_volunteers_who_agreed(runtime):
    place, leader, _, _, shifts = await setup(runtime, residents=4, capacity=3)
    for index in (1, 2):
        volunteer = place.residents[index]
        await commands.sign_up(runtime, as_resident(place, index), shifts[0])
        await commands.check_in(runtime, as_resident(place, index, START), shifts[0], volunteer, False)
        out = START + timedelta(minutes=60 + 30 * index)
        await commands.check_out(runtime, as_resident(place, index, out), shifts[0], volunteer, False)
        await commands.confirm_hours(runtime, fresh(leader, out), shifts[0], volunteer)
    await commands.choose_honours(runtime, as_resident(place, 1), True)
    await commands.choose_honours(runtime, as_resident(place, 2), True)
    await commands.choose_honours(runtime, as_resident(place, 2, NOW + timedelta(minutes=1)), False)
    with pytest.raises(DomainError, match="already"):
        await commands.choose_honours(runtime, as_resident(place, 2, NOW + timedelta(minutes=2)), False)
    shown = await views.honours(place.community_id, START.date().replace(day=1), [1, 300, 600, 1000, 1500])
    assert shown["month"] == [(str(place.residents[1]), 90)]
    assert shown["stars"] == [(1, str(place.residents[1]))]
    assert not await views.shows_in_honours(place.residents[2])
    later = await views.honours(place.community_id, START.date().replace(month=12, day=1), [1, 2, 3, 4, 5])
    assert later == {"month": [], "stars": []}, "last month's hours are not this month's"


async def test_a_co_leader_confirms_the_founders_hours(runtime):
    place, leader, team_id, _, shifts = await setup(runtime, residents=4)
    founder = place.residents[0]
    with pytest.raises(DomainError, match="volunteer leader role"):
        await commands.add_leader(runtime, fresh(leader), team_id, place.residents[1])
    await grant(runtime, place, 1, "volunteer_leader", now=NOW)
    with pytest.raises(DomainError, match="not allowed"):  # a leader of no team adds nobody
        await commands.add_leader(runtime, as_resident(place, 2), team_id, place.residents[1])
    await commands.add_leader(runtime, fresh(leader), team_id, place.residents[1])
    with pytest.raises(DomainError, match="already leads"):
        await commands.add_leader(runtime, fresh(leader), team_id, place.residents[1])
    assert (await views.team(team_id))["leaders"] == [str(founder), str(place.residents[1])]
    await commands.sign_up(runtime, fresh(leader), shifts[0])
    await commands.check_in(runtime, fresh(leader, START), shifts[0], founder, False)
    await commands.check_out(runtime, fresh(leader, START + timedelta(hours=1)), shifts[0], founder, False)
    with pytest.raises(DomainError, match="own hours"):
        await commands.confirm_hours(runtime, fresh(leader, START + timedelta(hours=1)), shifts[0], founder)
    co_leader = as_resident(place, 1, START + timedelta(hours=1))
    assert (await commands.confirm_hours(runtime, co_leader, shifts[0], founder)).result["minutes"] == "60"
