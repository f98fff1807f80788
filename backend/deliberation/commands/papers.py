"""Commands of a sitting's ballot papers (issue 29): the clerk issues the papers (one per member, each with its
tracking code) and enters a counted paper by its code. The entry is the member's paper ballot, entered by one clerk
and confirmed by a second (meetings.confirm_paper), as any paper ballot."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.papers import BallotPapers, papers_id
from backend.deliberation.domain.vote import Vote, check_choice, vote_id
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.reads import authorize

Steps = tuple[list[LinliAggregate], dict[str, str]]


def _papers(app: LinliApp, meeting_id: UUID) -> BallotPapers | None:
    try:
        found = app.repository.get(papers_id(meeting_id))
    except AggregateNotFoundError:
        return None
    assert isinstance(found, BallotPapers)
    return found


async def issue(rt: Commands, ctx: Ctx, meeting_id: UUID) -> CommandResult:
    """Issue the papers of a sitting (once; asked again, the same papers are printed again). The result lists the
    members with a paper, for the print page."""

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "meeting.run")
        meeting = load_in_community(app, ctx, meeting_id, Meeting, "No such meeting.", read_only=True)
        papers = _papers(app, meeting_id) or BallotPapers.issue(ctx, meeting)
        return [papers], {"members": ",".join(str(m) for m in sorted(papers.members, key=str))}

    return await rt.execute("meeting.papers_issue", ctx, papers_id(meeting_id), action)


async def enter(rt: Commands, ctx: Ctx, meeting_id: UUID, code: str, choice: str) -> CommandResult:
    """A counted paper entered by its code: resolved to its member by recomputing the issued papers' codes, then
    saved as the member's paper ballot (awaiting a second clerk) with the paper marked entered, in one write."""
    check_choice(choice)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "meeting.run")
        ballot = load_in_community(app, ctx, meeting_id, Meeting, "No such meeting.", read_only=True).ballot_state
        papers = _papers(app, meeting_id)
        if papers is None or papers.community_id != ctx.community_id:
            raise DomainError("No papers were issued for this sitting.", "code", status=409)
        member = papers.member_of(rt.personal.digest, code)
        try:
            earlier: Vote | None = app.repository.get(vote_id(meeting_id, member))
        except AggregateNotFoundError:
            earlier = None
        if earlier is not None and earlier.paper and member not in papers.entered:  # entered by name before
            raise DomainError("This member has already voted; one person is counted once.", "code", status=409)
        papers.enter(ctx, member, voted_online=earlier is not None and not earlier.paper)
        vote = Vote.cast(replace(ctx, on_behalf_of=member), ballot, member, choice, paper=True)
        return [papers, vote], {"member": str(member), "choice": choice}

    return await rt.execute("meeting.paper_code", ctx, papers_id(meeting_id), action)
