"""Meetings against the real stores: the procedure through its commands, notice rules, one person one vote under
real thread concurrency (two runners standing for two processes), votes after the close never counted, paper
ballots. Bad input writes nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from uuid import UUID

import pytest

from backend.community import commands as community_commands
from backend.deliberation import rounds as deadlines
from backend.deliberation.commands import matters, meetings, proposals
from backend.deliberation.domain.rules import Body, Stage
from backend.deliberation.domain.vote import Choice, Vote
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.runner import CommandRunner
from backend.kernel.store import open_event_store
from backend.residents import commands as resident_commands
from projections.deliberation import queries as views
from tests.conftest import NOW
from tests.factories import community, count_topic, grant, snapshot

LATER = NOW + timedelta(days=11)


async def setup(rt, members: int = 6):
    """Resident 0 is a clerk, 1 a second clerk, 2.. are party committee members and representatives."""
    place = await community(rt, NOW, residents=members + 2, threshold=1, passwords=False)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "clerk", now=NOW)
    for index in range(2, members + 2):
        await grant(rt, place, index, "party_committee", "representative", "party_member", now=NOW)
    clerk = Ctx(place.community_id, place.residents[0], NOW)
    proposal = await proposals.submit(
        rt, Ctx(place.community_id, place.residents[2], NOW), "加装电梯", "3栋", "other", []
    )
    await proposals.cosign(rt, Ctx(place.community_id, place.residents[3], NOW), UUID(proposal.result["proposal_id"]))
    matter = await matters.open_matter(rt, clerk, "加装电梯", "3栋加装电梯", UUID(proposal.result["proposal_id"]))
    return place, clerk, UUID(matter.result["matter_id"]), place.residents[2:]


async def sitting(rt, clerk, matter_id, body, members, starts_at=LATER):
    fresh = Ctx(clerk.community_id, clerk.actor_id, clerk.now)  # each form carries its own command id
    meeting = await meetings.schedule(rt, fresh, matter_id, body, "社区活动室", starts_at, "同意加装电梯", members)
    meeting_id = UUID(meeting.result["meeting_id"])
    await meetings.open_ballot(rt, clerk, meeting_id)
    return meeting_id


async def test_a_matter_passes_the_four_sittings_in_order(runtime):
    place, clerk, matter_id, members = await setup(runtime)
    for body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING, Body.REPRESENTATIVES):
        meeting_id = await sitting(runtime, clerk, matter_id, body, members)
        for member in members[:5]:
            await meetings.vote(runtime, Ctx(place.community_id, member, NOW), meeting_id, "yes")
        done = await meetings.close_ballot(runtime, clerk, meeting_id)
        assert done.result["outcome"] == "passed"
    matter = runtime.store.repository.get(matter_id)
    assert matter.done == [Stage.PARTY_PROPOSAL, Stage.COMMITTEES, Stage.PARTY_MEETING, Stage.RESOLUTION]
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    row = await views.matter(matter_id)
    assert row["done"] == [s.value for s in matter.done] and row["state"] == "open"
    sittings = await views.meetings_of(matter_id)
    assert [m["outcome"] for m in sittings] == ["passed"] * 4 and sittings[-1]["yes"] == 5
    timeline = await views.matter_timeline(matter_id)
    assert [t["kind"] for t in timeline][:4] == ["opened", "scheduled", "result", "passed"]
    incremental = await snapshot()
    await runtime.projector.stop()
    await runtime.projector.reset(["procedure"])
    await runtime.projector.catch_up()
    assert await snapshot() == incremental, "a rebuild from zero equals the incremental result"


async def test_the_wrong_body_or_too_little_notice_is_refused_and_writes_nothing(runtime):
    place, clerk, matter_id, members = await setup(runtime)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="does not decide"):
        await meetings.schedule(runtime, clerk, matter_id, Body.PARTY_MEETING, "活动室", LATER, "动议", members)
    assert runtime.event_count() == before
    for stage_body in (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING):
        meeting_id = await sitting(runtime, clerk, matter_id, stage_body, members)
        for member in members:
            await meetings.vote(runtime, Ctx(place.community_id, member, NOW), meeting_id, "yes")
        await meetings.close_ballot(runtime, clerk, meeting_id)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="notice"):
        await meetings.schedule(
            runtime, clerk, matter_id, Body.RESIDENTS_MEETING, "广场", NOW + timedelta(days=9), "动议", members
        )
    with pytest.raises(DomainError, match="not allowed"):
        await meetings.schedule(
            runtime,
            Ctx(place.community_id, members[0], NOW),
            matter_id,
            Body.REPRESENTATIVES,
            "广场",
            LATER,
            "动议",
            members,
        )
    assert runtime.event_count() == before


async def test_1000_concurrent_vote_attempts_by_100_members_count_100_votes(runtime, settings):
    place, clerk, matter_id, members = await setup(runtime, members=100)
    meeting_id = await sitting(runtime, clerk, matter_id, Body.PARTY_COMMITTEE, members)
    other_process = CommandRunner(open_event_store(settings))

    def attempt(n: int) -> str:
        member = members[n % 100]
        ctx = Ctx(place.community_id, member, NOW)
        runner = runtime.commands if n % 2 else other_process
        choice = ("yes", "no", "abstain")[(n // 100) % 3]
        try:
            runner.run(
                "meeting.vote", ctx, meetings.vote_id(meeting_id, member), meetings.vote_action(ctx, meeting_id, choice)
            )
        except DomainError as refused:
            return refused.message
        return "ok"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(1000)))
    other_process.app.close()
    assert set(outcomes) == {"ok"}
    assert count_topic(runtime, Vote.Cast) == 100
    result = await meetings.close_ballot(runtime, clerk, meeting_id)
    meeting = runtime.store.repository.get(meeting_id)
    assert meeting.present == set() and result.result["outcome"] in ("passed", "failed")
    counted = meetings.counted_votes(runtime.store, meeting)
    assert len(counted) == 100
    # each member's last attempt (n = 900 + i, choice index 0 → "yes") decided their vote
    assert set(counted.values()) == {Choice.YES}


async def test_a_vote_reaching_the_store_after_the_close_is_never_counted(runtime):
    place, clerk, matter_id, members = await setup(runtime)
    meeting_id = await sitting(runtime, clerk, matter_id, Body.PARTY_COMMITTEE, members)
    for member in members[:2]:
        await meetings.vote(runtime, Ctx(place.community_id, member, NOW), meeting_id, "yes")
    # a voter read the ballot while it was open ...
    stale_ballot = runtime.store.repository.get(meeting_id).ballot_state
    done = await meetings.close_ballot(runtime, clerk, meeting_id)
    # ... and their vote reaches the store after the close event
    late = Vote.cast(Ctx(place.community_id, members[2], NOW), stale_ballot, members[2], "yes")
    runtime.store.save(late)
    meeting = runtime.store.repository.get(meeting_id)
    assert set(meetings.counted_votes(runtime.store, meeting)) == set(members[:2])
    assert meeting.outcome == "not_quorate" and done.result["outcome"] == "not_quorate"  # 2 of 6: no quorum
    with pytest.raises(DomainError, match="closed"):
        await meetings.vote(runtime, Ctx(place.community_id, members[3], NOW), meeting_id, "yes")


async def test_a_matter_sent_back_is_resubmitted_from_the_first_stage_or_closed_as_rejected(runtime):
    _, clerk, matter_id, members = await setup(runtime)
    meeting_id = await sitting(runtime, clerk, matter_id, Body.PARTY_COMMITTEE, members)
    await meetings.close_ballot(runtime, clerk, meeting_id)  # nobody voted: not quorate, sent back
    before = runtime.event_count()
    with pytest.raises(DomainError, match="describe"):
        await matters.resubmit(runtime, fresh(clerk), matter_id, "")
    assert runtime.event_count() == before
    await matters.resubmit(runtime, fresh(clerk), matter_id, "3栋加装电梯，费用按楼层分摊")
    matter = runtime.store.repository.get(matter_id)
    assert (matter.state, matter.round, matter.done) == ("open", 2, [])
    with pytest.raises(DomainError, match="sent back"):
        await matters.reject(runtime, fresh(clerk), matter_id, "住户意见不一")
    meeting_id = await sitting(runtime, clerk, matter_id, Body.PARTY_COMMITTEE, members)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="already called"):  # one sitting at a time decides a stage
        await sitting(runtime, clerk, matter_id, Body.PARTY_COMMITTEE, members)
    assert runtime.event_count() == before
    await meetings.close_ballot(runtime, clerk, meeting_id)
    await matters.reject(runtime, fresh(clerk), matter_id, "住户意见不一")
    assert runtime.store.repository.get(matter_id).state == "rejected"
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    kinds = [t["kind"] for t in await views.matter_timeline(matter_id)]
    assert kinds.count("sent_back") == 2 and "resubmitted" in kinds and kinds[-1] == "rejected"


async def test_paper_ballots_need_a_second_clerk_and_never_count_a_member_twice(runtime):
    place, clerk, matter_id, members = await setup(runtime)
    second_clerk = Ctx(place.community_id, place.residents[1], NOW)
    meeting_id = await sitting(runtime, clerk, matter_id, Body.PARTY_COMMITTEE, members)
    await meetings.vote(runtime, Ctx(place.community_id, members[0], NOW), meeting_id, "yes")
    before = runtime.event_count()
    with pytest.raises(DomainError, match="already voted"):
        await meetings.vote(
            runtime, Ctx(place.community_id, clerk.actor_id, NOW, on_behalf_of=members[0]), meeting_id, "no", paper=True
        )
    with pytest.raises(DomainError, match="not allowed"):  # a member cannot enter paper ballots
        await meetings.vote(
            runtime, Ctx(place.community_id, members[1], NOW, on_behalf_of=members[2]), meeting_id, "no", paper=True
        )
    outsider = place.residents[0]
    with pytest.raises(DomainError, match="Only members"):
        await meetings.vote(runtime, Ctx(place.community_id, outsider, NOW), meeting_id, "yes")
    assert runtime.event_count() == before

    for member in members[1:4]:
        await meetings.vote(
            runtime, Ctx(place.community_id, clerk.actor_id, NOW, on_behalf_of=member), meeting_id, "yes", paper=True
        )
    with pytest.raises(DomainError, match="second clerk"):
        await meetings.confirm_paper(runtime, clerk, meeting_id, members[1])
    await meetings.confirm_paper(runtime, second_clerk, meeting_id, members[1])
    await meetings.confirm_paper(runtime, second_clerk, meeting_id, members[2])
    with pytest.raises(DomainError, match="paper ballot stands"):
        await meetings.vote(runtime, Ctx(place.community_id, members[1], NOW), meeting_id, "no")
    await meetings.check_in(runtime, clerk, meeting_id, members[4])  # the clerk ticks a name
    await meetings.check_in(runtime, Ctx(place.community_id, members[5], NOW), meeting_id, members[5])
    with pytest.raises(DomainError, match="not allowed"):  # nobody checks in someone else but a clerk
        await meetings.check_in(runtime, Ctx(place.community_id, members[5], NOW), meeting_id, members[3])
    await meetings.close_ballot(runtime, clerk, meeting_id)
    meeting = runtime.store.repository.get(meeting_id)
    assert meeting.present == {members[4], members[5]}
    counted = meetings.counted_votes(runtime.store, meeting)
    assert set(counted) == {members[0], members[1], members[2]}, "the unconfirmed paper ballot does not count"
    assert meeting.outcome == "failed"  # 5 of 6 present; 3 yes of 6 expected is not more than half


def fresh(ctx: Ctx) -> Ctx:
    """The same person submitting another form (a new command id)."""
    return Ctx(ctx.community_id, ctx.actor_id, ctx.now, on_behalf_of=ctx.on_behalf_of)


UP_TO_THREE = (Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING)


async def resolve(rt, place, clerk, matter_id, members, bodies=(*UP_TO_THREE, Body.REPRESENTATIVES)):
    """Each body sits in turn and every member votes yes: the matter through ④ (or the stages of `bodies`)."""
    for body in bodies:
        meeting_id = await sitting(rt, clerk, matter_id, body, members)
        for member in members:
            await meetings.vote(rt, Ctx(place.community_id, member, NOW), meeting_id, "yes")
        await meetings.close_ballot(rt, fresh(clerk), meeting_id)


async def publish_reviewed(rt, place, clerk, matter_id, stage: Stage, text: str) -> None:
    """⑤/⑥ as the rulebook's default has it: the clerk's draft, approved (and so published) by a supervisor of the
    居务监督委员会 (resident 1, granted the role here the first time)."""
    await matters.publish(rt, fresh(clerk), matter_id, stage, text)
    supervisor = Ctx(place.community_id, place.residents[1], clerk.now)
    try:
        await matters.approve_notice(rt, supervisor, matter_id)
    except DomainError as refused:
        if refused.status != 403:
            raise
        await grant(rt, place, 1, "supervisor", now=NOW)
        await matters.approve_notice(rt, fresh(supervisor), matter_id)


async def test_notices_objections_and_implementation_to_the_end_of_the_procedure(runtime):
    place, clerk, matter_id, members = await setup(runtime)
    await resolve(runtime, place, clerk, matter_id, members)
    resident = Ctx(place.community_id, place.residents[0], NOW)  # any verified resident (here: the clerk)
    objector = Ctx(place.community_id, members[0], NOW)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="not allowed"):  # a resident does not publish
        await matters.publish(runtime, fresh(objector), matter_id, Stage.RESOLUTION_NOTICE, "决议")
    with pytest.raises(DomainError, match="not been published"):
        await matters.raise_objection(runtime, fresh(objector), matter_id, Stage.RESOLUTION_NOTICE, "不同意")
    assert runtime.event_count() == before

    await publish_reviewed(runtime, place, clerk, matter_id, Stage.RESOLUTION_NOTICE, "决议：3栋加装电梯")
    done = await matters.raise_objection(runtime, fresh(objector), matter_id, Stage.RESOLUTION_NOTICE, "一楼不同意")
    assert done.result["number"] == "1"
    before = runtime.event_count()
    with pytest.raises(DomainError, match="every objection is answered"):
        await matters.post_progress(runtime, fresh(clerk), matter_id, NOW.date(), "开工", 0, [])
    with pytest.raises(DomainError, match="not allowed"):  # the objector cannot answer
        await matters.answer_objection(runtime, fresh(objector), matter_id, 1, "我自己答复")
    with pytest.raises(DomainError, match="over"):  # the 公示 period (10 days) has ended
        await matters.raise_objection(
            runtime,
            Ctx(place.community_id, members[1], NOW + timedelta(days=10)),
            matter_id,
            Stage.RESOLUTION_NOTICE,
            "晚了",
        )
    assert runtime.event_count() == before
    await matters.answer_objection(runtime, fresh(clerk), matter_id, 1, "一楼住户免于分摊")
    await matters.post_progress(runtime, fresh(clerk), matter_id, NOW.date(), "开工", 1_500_000, [])
    await matters.post_progress(runtime, fresh(clerk), matter_id, NOW.date(), "完工", 2_500_050, [])
    await publish_reviewed(runtime, place, clerk, matter_id, Stage.RESULT_NOTICE, "电梯已投入使用")
    await matters.raise_objection(runtime, resident, matter_id, Stage.RESULT_NOTICE, "费用偏高")

    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    row = await views.matter(matter_id)
    assert row["state"] == "completed" and len(row["done"]) == 6
    assert [n["stage"] for n in await views.notices_of(matter_id)] == ["resolution_notice", "result_notice"]
    objections = await views.objections_of(matter_id)
    assert [(o["number"], o["answer"]) for o in objections] == [(1, "一楼住户免于分摊"), (2, "")]
    assert sum(p["spent_fen"] for p in await views.progress_of(matter_id)) == 4_000_050
    kinds = [t["kind"] for t in await views.matter_timeline(matter_id)]
    assert kinds[-7:] == ["objection", "answered", "progress", "progress", "notice_drafted", "notice", "objection"]
    incremental = await snapshot()
    await runtime.projector.stop()
    await runtime.projector.reset(["procedure"])
    await runtime.projector.catch_up()
    assert await snapshot() == incremental, "a rebuild from zero equals the incremental result"


async def test_an_online_ballot_by_household_counts_each_household_once_whoever_votes_at_once(runtime, settings):
    place, clerk, matter_id, members = await setup(runtime)
    await resolve(runtime, place, clerk, matter_id, members, UP_TO_THREE)
    system = Ctx(place.community_id, None, NOW)
    await community_commands.set_rule(runtime, system, "residents_ballot_by_household", 1, NOW.date())
    family = [members[0]]
    for n in range(3):  # three more verified residents in the first member's household
        added = await resident_commands.register(
            runtime, fresh(system), f"家人{n}", f"1370000000{n}", place.households[2], "", verified=True
        )
        family.append(UUID(added.result["resident_id"]))
    opens, closes = LATER, LATER + timedelta(days=7)
    everyone = [*place.residents, *family[1:]]
    scheduled = await meetings.schedule(
        runtime, fresh(clerk), matter_id, Body.RESIDENTS_MEETING, "网上", opens, "同意加装电梯", everyone, closes
    )
    ballot = UUID(scheduled.result["meeting_id"])
    assert len(runtime.store.repository.get(ballot).expected) == len(place.households) == 8
    await meetings.open_ballot(runtime, Ctx(place.community_id, clerk.actor_id, opens), ballot)
    other_process = CommandRunner(open_event_store(settings))

    def attempt(n: int) -> str:
        voter = (family * 5 + members[1:5])[n % 24]
        ctx = Ctx(place.community_id, voter, opens + timedelta(minutes=1))
        runner = runtime.commands if n % 2 else other_process
        try:
            runner.run("meeting.vote", ctx, meetings.vote_id(ballot, voter), meetings.vote_action(ctx, ballot, "yes"))
        except DomainError as refused:
            return refused.message
        return "ok"

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(attempt, range(96)))
    other_process.app.close()
    assert set(outcomes) <= {"ok", "Your household has already voted; one vote per household."}
    assert count_topic(runtime, Vote.Cast) - 3 * 6 == 5, "one vote for the family's household and one for each of 4"
    with pytest.raises(DomainError, match="stays open"):
        await meetings.close_ballot(runtime, Ctx(place.community_id, clerk.actor_id, opens + timedelta(days=1)), ballot)
    done = await meetings.close_ballot(runtime, Ctx(place.community_id, clerk.actor_id, closes), ballot)
    assert done.result["outcome"] == "passed"  # 5 of 8 households took part, all for
    row = runtime.store.repository.get(matter_id)
    assert row.done[-1] == Stage.RESOLUTION
    await runtime.projector.catch_up()
    listed = {str(v["household_id"]): v for v in await views.meeting_votes(ballot)}
    assert len(listed) == 5
    for household, vote in listed.items():  # the meeting page reads a member's own vote by its id alone
        assert await views.vote(meetings.vote_id(ballot, UUID(household))) == vote
    silent = next(h for h in place.households if str(h) not in listed)
    assert await views.vote(meetings.vote_id(ballot, silent)) is None


async def test_an_online_ballot_closes_by_itself_once_its_period_is_over(runtime):
    place, clerk, matter_id, members = await setup(runtime)
    await resolve(runtime, place, clerk, matter_id, members, UP_TO_THREE)
    opens, closes = LATER, LATER + timedelta(days=7)
    scheduled = await meetings.schedule(
        runtime, fresh(clerk), matter_id, Body.RESIDENTS_MEETING, "网上", opens, "同意", place.residents, closes
    )
    ballot = UUID(scheduled.result["meeting_id"])
    await meetings.open_ballot(runtime, Ctx(place.community_id, clerk.actor_id, opens), ballot)
    for member in place.residents[:5]:
        await meetings.vote(runtime, Ctx(place.community_id, member, opens), ballot, "yes")
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    assert await deadlines.close_due_ballots(runtime, closes - timedelta(seconds=1)) == []
    assert await deadlines.close_due_ballots(runtime, closes) == [ballot]
    meeting = runtime.store.repository.get(ballot)
    assert meeting.ballot == "closed" and meeting.outcome == "passed"  # 5 of 8 residents took part, all for
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    before = runtime.event_count()
    assert await deadlines.close_due_ballots(runtime, closes + timedelta(hours=1)) == []
    assert runtime.event_count() == before
    assert runtime.store.repository.get(matter_id).done[-1] == Stage.RESOLUTION


async def test_paper_ballots_on_an_online_ballot_by_household_count_each_household_once(runtime):
    place, clerk, matter_id, members = await setup(runtime)
    second_clerk = Ctx(place.community_id, place.residents[1], NOW)
    await resolve(runtime, place, clerk, matter_id, members, UP_TO_THREE)
    system = Ctx(place.community_id, None, NOW)
    await community_commands.set_rule(runtime, system, "residents_ballot_by_household", 1, NOW.date())
    grandma = await resident_commands.register(
        runtime, fresh(system), "王奶奶", "13700000009", place.households[2], "", verified=True
    )
    grandma_id = UUID(grandma.result["resident_id"])
    opens, closes = LATER, LATER + timedelta(days=7)
    everyone = [*place.residents, grandma_id]
    scheduled = await meetings.schedule(
        runtime, fresh(clerk), matter_id, Body.RESIDENTS_MEETING, "网上", opens, "同意", everyone, closes
    )
    ballot = UUID(scheduled.result["meeting_id"])
    during = opens + timedelta(hours=1)
    await meetings.open_ballot(runtime, Ctx(place.community_id, clerk.actor_id, opens), ballot)

    def on_paper(clerk_ctx: Ctx, resident: UUID) -> Ctx:
        return Ctx(place.community_id, clerk_ctx.actor_id, during, on_behalf_of=resident)

    await meetings.vote(runtime, Ctx(place.community_id, members[0], during), ballot, "no")  # grandma's household
    await meetings.vote(runtime, Ctx(place.community_id, members[1], during), ballot, "yes")
    before = runtime.event_count()
    with pytest.raises(DomainError, match="household has already voted"):
        await meetings.vote(runtime, on_paper(clerk, grandma_id), ballot, "yes", paper=True)
    with pytest.raises(DomainError, match="household has already voted"):  # their own vote is online
        await meetings.vote(runtime, on_paper(clerk, members[1]), ballot, "no", paper=True)
    assert runtime.event_count() == before

    await meetings.vote(runtime, on_paper(clerk, members[2]), ballot, "yes", paper=True)
    await meetings.vote(runtime, on_paper(second_clerk, members[3]), ballot, "yes", paper=True)
    paper_household = place.households[4]
    with pytest.raises(DomainError, match="paper ballot stands"):  # the member cannot vote over their paper ballot
        await meetings.vote(runtime, Ctx(place.community_id, members[2], during), ballot, "no")
    with pytest.raises(DomainError, match="second clerk"):
        await meetings.confirm_paper(runtime, replace_now(clerk, during), ballot, paper_household)
    await runtime.projector.catch_up()
    assert {v["household_id"] for v in await views.unconfirmed_paper(ballot, 200)} == {
        paper_household,
        place.households[5],
    }
    await meetings.confirm_paper(runtime, replace_now(second_clerk, during), ballot, paper_household)
    with pytest.raises(DomainError, match="already confirmed"):
        await meetings.confirm_paper(runtime, replace_now(clerk, during), ballot, paper_household)
    with pytest.raises(DomainError, match="Voting has closed"):  # the other one is never confirmed in time
        await meetings.confirm_paper(runtime, replace_now(clerk, closes), ballot, place.households[5])
    await runtime.projector.catch_up()
    assert [v["household_id"] for v in await views.unconfirmed_paper(ballot, 200)] == [place.households[5]]

    done = await meetings.close_ballot(runtime, Ctx(place.community_id, clerk.actor_id, closes), ballot)
    meeting = runtime.store.repository.get(ballot)
    counted = meetings.counted_votes(runtime.store, meeting)
    assert counted == {place.households[2]: Choice.NO, place.households[3]: Choice.YES, paper_household: Choice.YES}
    assert done.result["outcome"] == "not_quorate"  # 3 of 8 households took part: not more than half


def replace_now(ctx: Ctx, when) -> Ctx:
    return Ctx(ctx.community_id, ctx.actor_id, when)
