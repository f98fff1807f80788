"""Commands of the procedure's sittings: schedule a sitting, check in, open and close the ballot, vote (online,
or on paper entered by a clerk and confirmed by another), and record the result on the matter.

Votes are their own aggregates (id = uuid5(ballot, member)) and do not touch the meeting, so members vote in
parallel; what counts is decided by the log: a vote counts when its last event before the ballot's close event is
in the log before that event."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from backend.community.reads import load_community
from backend.deliberation.commands.matters import load_matter
from backend.deliberation.domain.matter import rule_key
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.rules import Body
from backend.deliberation.domain.vote import Choice, Vote, vote_id
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import Action, CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.kernel.zone import LOCAL_ZONE
from backend.residents.reads import authorize, load_resident

MEETING_NAMESPACE = UUID("8b7a6f5e-4d3c-4b2a-9f1e-0d9c8b7a6f5e")
NOTICE_RULES = {
    Body.RESIDENTS_MEETING: "residents_meeting_notice_days",
    Body.REPRESENTATIVES: "representatives_notice_days",
}


def load_meeting(app: LinliApp, ctx: Ctx, meeting_id: UUID) -> Meeting:
    return load_in_community(app, ctx, meeting_id, Meeting, "No such meeting.")


async def schedule(
    rt: Commands,
    ctx: Ctx,
    matter_id: UUID,
    body: Body,
    place: str,
    starts_at: datetime,
    motion: str,
    expected: list[UUID],
    online_until: datetime | None = None,
) -> CommandResult:
    """`expected` (应到) are the body's members at notice time, as the residents' views list them; for an online
    ballot by household (the rulebook says), the households of the verified residents listed."""
    meeting_id = uuid5(MEETING_NAMESPACE, ctx.command_id)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "meeting.run")
        matter = load_matter(app, ctx, matter_id)
        community = load_community(app, ctx.community_id)
        notice_rule = NOTICE_RULES.get(body)
        notice = community.rule(notice_rule, ctx.today) if notice_rule else 0
        by_household = online_until is not None and community.rule("residents_ballot_by_household", ctx.today) == 1
        members = sorted({household_of(app, ctx, r) for r in expected}, key=str) if by_household else expected
        # the quorum and pass rule in force on the day of the sitting, fixed by the notice
        vote_rule = community.vote_rule(rule_key(matter, body), starts_at.astimezone(LOCAL_ZONE).date())
        meeting = Meeting.schedule(
            ctx,
            meeting_id,
            matter,
            body,
            place,
            starts_at,
            motion,
            members,
            notice,
            vote_rule,
            online_until,
            by_household,
        )
        return [meeting, matter], {"meeting_id": str(meeting_id)}

    return await rt.execute("meeting.schedule", ctx, meeting_id, action)


async def check_in(rt: Commands, ctx: Ctx, meeting_id: UUID, resident_id: UUID) -> CommandResult:
    """A member checks in themselves, or a clerk ticks their name."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        if resident_id != ctx.actor_id:
            authorize(app, ctx, "meeting.run")
        meeting = load_meeting(app, ctx, meeting_id)
        meeting.check_in(ctx, resident_id)
        return [meeting], {}

    return await rt.execute("meeting.check_in", ctx, meeting_id, action)


async def open_ballot(rt: Commands, ctx: Ctx, meeting_id: UUID) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "meeting.run")
        meeting = load_meeting(app, ctx, meeting_id)
        meeting.open_ballot(ctx)
        return [meeting], {}

    return await rt.execute("meeting.open_ballot", ctx, meeting_id, action)


def household_of(app: LinliApp, ctx: Ctx, resident_id: UUID) -> UUID:
    return load_resident(app, ctx, resident_id).household_id


def voter(ctx: Ctx, paper: bool) -> UUID:
    """Whose vote it is: the member themselves, or on paper the member the clerk acts for."""
    member = ctx.on_behalf_of if paper else ctx.actor_id
    if member is None:
        raise DomainError("Please sign in first.", status=403)
    return member


def vote_action(ctx: Ctx, meeting_id: UUID, choice: str, paper: bool = False) -> Action:
    """Cast or change a vote. On paper: the clerk acts on behalf of the member, once, and never over an online vote."""
    member = voter(ctx, paper)

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        if paper:  # the clerk's own right to run the sitting; membership is the ballot's to check
            authorize(app, replace(ctx, on_behalf_of=None), "meeting.run")
        else:
            authorize(app, ctx, "meeting.vote")
        # Read, never changed here: skip the copy (a meeting of all residents lists thousands of them).
        ballot = load_in_community(app, ctx, meeting_id, Meeting, "No such meeting.", read_only=True).ballot_state
        household = household_of(app, ctx, member) if ballot.per_household else None
        try:
            vote: Vote = app.repository.get(vote_id(meeting_id, household or member))
        except AggregateNotFoundError:
            vote = Vote.cast(ctx, ballot, member, choice, paper, household)
        else:
            if paper and household is not None:
                raise DomainError("This household has already voted; one vote per household.", status=409)
            if paper:
                raise DomainError("This member has already voted; one person is counted once.", status=409)
            vote.change(ctx, ballot, choice)
        return [vote], {"choice": vote.choice.value}

    return action


async def vote(
    rt: Commands, ctx: Ctx, meeting_id: UUID, choice: str, paper: bool = False, wait: bool = True
) -> CommandResult:
    """`wait`: until the views show the vote (for a page that reads it back)."""
    return await rt.execute(
        "meeting.vote", ctx, vote_id(meeting_id, voter(ctx, paper)), vote_action(ctx, meeting_id, choice, paper), wait
    )


async def confirm_paper(rt: Commands, ctx: Ctx, meeting_id: UUID, member: UUID) -> CommandResult:
    """A second clerk confirms the paper ballot of `member`: the resident, or on a ballot by household the household."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "meeting.run")
        ballot = load_in_community(app, ctx, meeting_id, Meeting, "No such meeting.", read_only=True).ballot_state
        if not ballot.open_at(ctx.now):
            raise DomainError("Voting has closed.", status=409)
        paper: Vote = load_in_community(app, ctx, vote_id(meeting_id, member), Vote, "No such paper ballot.")
        paper.confirm(ctx)
        return [paper], {}

    return await rt.execute("meeting.confirm_paper", ctx, vote_id(meeting_id, member), action)


def counted_votes(app: LinliApp, meeting: Meeting) -> dict[UUID, Choice]:
    """The votes as they stood in the log at the ballot's close event: later events never count. Only the log
    between the ballot's opening and its close is read (no vote can be cast before the opening)."""
    opened, close = _ballot_positions(app, meeting.id)
    ids = {vote_id(meeting.id, member): member for member in meeting.expected}
    state: dict[UUID, dict[str, object]] = {}
    topics = [get_topic(Vote.Cast), get_topic(Vote.Changed), get_topic(Vote.Confirmed)]
    start = opened + 1
    while batch := app.recorder.select_notifications(start, 1000, stop=close - 1, topics=topics):
        for notification in batch:
            if notification.originator_id not in ids:
                continue
            event = app.mapper.to_domain_event(notification)
            entry = state.setdefault(notification.originator_id, {})
            if isinstance(event, Vote.Cast):
                entry.update(choice=Choice(event.choice), counts=not event.paper)
            elif isinstance(event, Vote.Changed):
                entry["choice"] = Choice(event.choice)
            elif isinstance(event, Vote.Confirmed):
                entry["counts"] = True
        start = batch[-1].id + 1
    return {ids[v]: s["choice"] for v, s in state.items() if s.get("counts")}  # type: ignore[misc]


def _ballot_positions(app: LinliApp, meeting_id: UUID) -> tuple[int, int]:
    """Where the ballot's opening and closing events stand in the log."""
    found: dict[str, int] = {}
    topics = [get_topic(Meeting.BallotOpened), get_topic(Meeting.BallotClosed)]
    start = 1
    while len(found) < 2 and (batch := app.recorder.select_notifications(start, 1000, topics=topics)):
        for notification in batch:
            if notification.originator_id == meeting_id:
                found[notification.topic] = notification.id
        start = batch[-1].id + 1
    if topics[1] not in found:
        raise DomainError("Close the ballot first.", status=409)
    return found[topics[0]], found[topics[1]]


async def close_ballot(rt: Commands, ctx: Ctx, meeting_id: UUID) -> CommandResult:
    """Close the ballot; then, from the log up to the close, record the result on the meeting and on the matter."""

    def closing(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "meeting.run")
        meeting = load_meeting(app, ctx, meeting_id)
        meeting.close_ballot(ctx)
        return [meeting], {}

    await rt.execute("meeting.close_ballot", ctx, meeting_id, closing)
    return await record_result(rt, ctx, meeting_id)  # its own command name: its own record of the same form


async def record_result(rt: Commands, ctx: Ctx, meeting_id: UUID) -> CommandResult:
    """Also run on its own to finish a close whose result was not recorded (e.g. the process stopped in between)."""

    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "meeting.run")
        meeting = load_meeting(app, ctx, meeting_id)
        outcome = meeting.record_result(ctx, counted_votes(app, meeting))
        matter = load_matter(app, ctx, meeting.matter_id)
        matter.record(ctx, meeting.body, outcome, meeting.id)
        return [meeting, matter], {"outcome": outcome.value}

    return await rt.execute("meeting.record_result", ctx, meeting_id, action)


async def write_minutes(rt: Commands, ctx: Ctx, meeting_id: UUID, text: str) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "meeting.run")
        meeting = load_meeting(app, ctx, meeting_id)
        meeting.write_minutes(ctx, text)
        return [meeting], {}

    return await rt.execute("meeting.minutes", ctx, meeting_id, action)


async def sign_off(rt: Commands, ctx: Ctx, meeting_id: UUID) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[LinliAggregate], dict[str, str]]:
        authorize(app, ctx, "meeting.vote")
        meeting = load_meeting(app, ctx, meeting_id)
        meeting.sign_off(ctx)
        return [meeting], {}

    return await rt.execute("meeting.sign_off", ctx, meeting_id, action)
