"""The inbox's notices of the deliberation: called to a sitting (its members), a ballot opened (those who may vote in
it: the members, or on a ballot by household the verified residents of the households), the inbox's own reminder
that an online ballot closes within the day (those who had not voted), a step of a matter or of a proposal one made
or co-signed (taken up, on the agenda, answered, a stage passed, sent back, rejected, a notice published), and an
answer to one's objection to a matter's notice.

Read from the deliberation's views, which the registry applies before the inbox (and the inbox never runs ahead of
them: handlers.READS): a sitting's members, its matter, a proposal's author and an objection's raiser are fixed once
written; a proposal's co-signers are read as of the event (by position). The verified residents of a household are
read as the residents' view lists them at the end of the batch (a resident verified later in the same batch would be
told on a rebuild, whose batches are larger: the one place a rebuild may add a row)."""

from __future__ import annotations

import json
from typing import Any, ClassVar
from uuid import UUID

from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.proposal import Proposal
from backend.inbox.domain.reminder import Reminder
from projections.deliberation.tables import MatterObjection, MatterView, MeetingView, ProposalCoSign, ProposalView
from projections.inbox.sources import Row, notices
from projections.residents.tables import ResidentView
from projections.types import Item

STAGE_EVENTS = (
    Proposal.ReachedAgenda,
    Proposal.Answered,
    Matter.Opened,
    Matter.StagesPassed,
    Matter.SentBack,
    Matter.Rejected,
    Matter.NoticePublished,
)


def _ids(value: Any) -> list[str]:
    return [str(v) for v in (json.loads(value) if isinstance(value, str) else value or [])]


class DeliberationNotices:
    events: ClassVar[tuple[type, ...]] = (
        Meeting.Scheduled,
        Meeting.BallotOpened,
        Reminder.Sent,
        Matter.ObjectionAnswered,
        *STAGE_EVENTS,
    )

    def __init__(self) -> None:
        self._matters: dict[str, UUID | None] = {}  # matter -> the proposal it was taken up from
        self._proposals: dict[str, dict[str, Any]] = {}  # proposal -> author and title
        self._cosigns: dict[str, list[tuple[int, UUID]]] = {}  # proposal -> (position, co-signer)

    async def load(self, items: list[Item]) -> None:
        """The proposals the batch's steps concern, with their co-signers, in a few statements: a rebuild reads
        thousands of proposals reaching the agenda."""
        steps = [i.event for i in items if isinstance(i.event, STAGE_EVENTS)]
        matters = sorted({str(e.originator_id) for e in steps if isinstance(e, Matter.Event)})
        for part in _chunks(matters):
            rows = await MatterView.select(MatterView.id, MatterView.proposal_id).where(MatterView.id.is_in(part))
            self._matters.update({str(r["id"]): r["proposal_id"] for r in rows})
        for e in steps:
            if isinstance(e, Matter.Opened):
                self._matters[str(e.originator_id)] = e.proposal_id
        wanted = {str(e.originator_id) for e in steps if isinstance(e, Proposal.Event)}
        wanted |= {str(p) for p in self._matters.values() if p is not None}
        for part in _chunks(sorted(wanted)):
            rows = await ProposalView.select(ProposalView.id, ProposalView.author_id, ProposalView.title).where(
                ProposalView.id.is_in(part)
            )
            self._proposals.update({str(r["id"]): r for r in rows})
            signed = await ProposalCoSign.select(
                ProposalCoSign.proposal_id, ProposalCoSign.resident_id, ProposalCoSign.position
            ).where(ProposalCoSign.proposal_id.is_in(part))
            for r in signed:
                self._cosigns.setdefault(str(r["proposal_id"]), []).append((int(r["position"]), r["resident_id"]))

    async def flush(self) -> None:
        return None

    async def rows(self, item: Item) -> list[Row]:
        e = item.event
        if isinstance(e, Meeting.Scheduled):
            if e.online_until is not None:  # an online ballot: its residents hear when it opens
                return []
            params = {"title": await _matter_title(e.matter_id), "body": e.body, "at": e.starts_at.isoformat(),
                      "place": e.place}  # fmt: skip
            return notices(item, e.expected, "sitting_called", e.originator_id, params)
        if isinstance(e, Meeting.BallotOpened):
            return await self._opened(item)
        if isinstance(e, Reminder.Sent):
            if e.what != "ballot_closing":
                return []
            meeting = await _meeting(e.subject_id)
            title = await _matter_title(meeting["matter_id"]) if meeting else ""
            params = {"title": title, "at": e.due.isoformat()}
            return notices(item, e.to, "ballot_closing", e.subject_id, params)
        if isinstance(e, Matter.ObjectionAnswered):
            raised = await MatterObjection.select(MatterObjection.resident_id).where(
                (MatterObjection.matter_id == e.originator_id) & (MatterObjection.number == e.number)
            )
            params = {"title": await _matter_title(e.originator_id), "on": "matter"}
            return notices(item, [r["resident_id"] for r in raised], "objection_answered", e.originator_id, params)
        return await self._stage(item)

    async def _opened(self, item: Item) -> list[Row]:
        e = item.event
        meeting = await _meeting(e.originator_id)
        if meeting is None:
            return []
        expected = _ids(meeting["expected"])
        if meeting["per_household"] and expected:  # one vote a household: each of its verified residents may cast it
            people = await ResidentView.select(ResidentView.id).where(
                ResidentView.household_id.is_in(expected) & (ResidentView.status == "verified")
            )
            expected = sorted(str(p["id"]) for p in people)
        until = meeting["online_until"]
        params = {"title": await _matter_title(meeting["matter_id"]), "body": meeting["body"],
                  "at": until.isoformat() if until else ""}  # fmt: skip
        return notices(item, expected, "ballot_opened", e.originator_id, params)

    async def _stage(self, item: Item) -> list[Row]:
        """A step of a proposal, or of the matter a proposal became: to its author and co-signers."""
        e = item.event
        if isinstance(e, Proposal.Answered) and e.kind == "matter":
            return []  # taken up: the matter's opening, in the same step, tells them
        if isinstance(e, Proposal.Event):
            proposal_id, subject, on = e.originator_id, e.originator_id, "proposal"
        else:
            proposal_id, subject, on = self._matters.get(str(e.originator_id)), e.originator_id, "matter"
        proposal = self._proposals.get(str(proposal_id)) if proposal_id is not None else None
        if proposal is None:
            return []
        cosigners = [r for at, r in self._cosigns.get(str(proposal_id), []) if at < item.position]  # as it stood
        params: dict[str, Any] = {"title": proposal["title"], "on": on, "step": _step(e)}
        if isinstance(e, Matter.StagesPassed):
            params["stages"] = list(e.stages)
        elif isinstance(e, Matter.SentBack | Matter.Rejected | Matter.NoticePublished):
            params["stages"] = [e.stage]
        elif isinstance(e, Proposal.Answered):
            params["answer"] = e.kind
        people = [proposal["author_id"], *cosigners]
        return notices(item, people, "proposal_stage", subject, params)


def _step(e: Any) -> str:
    return {
        Proposal.ReachedAgenda: "agenda",
        Proposal.Answered: "answered",
        Matter.Opened: "matter",
        Matter.StagesPassed: "passed",
        Matter.SentBack: "sent_back",
        Matter.Rejected: "rejected",
        Matter.NoticePublished: "notice",
    }[type(e)]


async def _meeting(meeting_id: UUID) -> dict[str, Any] | None:
    return await MeetingView.select(
        MeetingView.matter_id, MeetingView.expected, MeetingView.per_household, MeetingView.online_until,
        MeetingView.body,
    ).where(MeetingView.id == meeting_id).first()  # fmt: skip


async def _matter_title(matter_id: UUID) -> str:
    found = await MatterView.select(MatterView.title).where(MatterView.id == matter_id).first()
    return found["title"] if found else ""


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[at : at + size] for at in range(0, len(ids), size)]
