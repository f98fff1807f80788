"""The deliberation's two projections: the public board of proposals, each proposal's co-signers and its history
(DeliberationProjection); matters with their stage timeline, meetings with attendance and results, and each ballot's
live tally (ProcedureProjection)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID as PyUUID

from piccolo.table import Table

from backend.community.domain.rules import RULES
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.meeting import Meeting
from backend.deliberation.domain.proposal import Proposal, answer_due_for
from backend.deliberation.domain.vote import Vote
from backend.kernel.zone import LOCAL_ZONE
from projections.db import bulk_execute, bulk_insert
from projections.deliberation.queries import tally
from projections.deliberation.tables import (
    MatterNotice,
    MatterNoticeDraft,
    MatterObjection,
    MatterProgress,
    MatterTimeline,
    MatterView,
    MeetingView,
    MeetingVote,
    ProposalCoSign,
    ProposalHistory,
    ProposalView,
)
from projections.types import Item, LiveMessage

DUE = RULES["proposal_answer_days"].default  # for proposals submitted before the rule: the default from then


def _history(item: Item, kind: str, resident_id: PyUUID | None, detail: str = "") -> dict[str, Any]:
    e = item.event
    return {
        "proposal_id": e.originator_id,
        "position": item.position,
        "kind": kind,
        "resident_id": resident_id,
        "actor_id": e.actor_id,
        "on_behalf_of": e.on_behalf_of,
        "at": e.timestamp,
        "detail": detail,
    }


class DeliberationProjection:
    name = "deliberation"
    tables: ClassVar[Sequence[type[Table]]] = (ProposalView, ProposalCoSign, ProposalHistory)
    handles: ClassVar[Sequence[type]] = (
        Proposal.Submitted,
        Proposal.CoSigned,
        Proposal.ReachedAgenda,
        Proposal.Withdrawn,
        Proposal.Answered,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        created: list[dict[str, Any]] = []
        cosigns: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        counts: dict[PyUUID, int] = {}
        changed: dict[PyUUID, int] = {}
        for item in items:
            e = item.event
            pid = e.originator_id
            changed[pid] = item.position
            if isinstance(e, Proposal.Submitted):
                created.append(
                    {
                        "id": pid,
                        "community_id": e.community_id,
                        "author_id": e.author_id,
                        "title": e.title,
                        "description": e.description,
                        "category": e.category,
                        "photos": e.photos,
                        "state": "collecting",
                        "cosigns": 0,
                        "threshold": e.threshold,
                        "submitted_at": e.timestamp,
                        "agenda_at": None,
                        "updated_position": item.position,
                        "answer_due": e.answer_due or answer_due_for(e.timestamp.astimezone(LOCAL_ZONE).date(), DUE),
                        "answer_kind": "",
                        "answer_text": "",
                        "answer_target": None,
                        "answered_at": None,
                    }
                )
                history.append(_history(item, "submitted", e.author_id))
            elif isinstance(e, Proposal.CoSigned):
                counts[pid] = e.count
                cosigns.append(
                    {
                        "proposal_id": pid,
                        "position": item.position,
                        "resident_id": e.resident_id,
                        "actor_id": e.actor_id,
                        "on_behalf_of": e.on_behalf_of,
                        "at": e.timestamp,
                    }
                )
            else:
                await bulk_insert(ProposalView, created)
                created = []
                if isinstance(e, Proposal.ReachedAgenda):
                    await ProposalView.update(
                        {ProposalView.state: "on_agenda", ProposalView.agenda_at: e.timestamp}
                    ).where(ProposalView.id == pid)
                    history.append(_history(item, "on_agenda", None, str(e.count)))
                elif isinstance(e, Proposal.Withdrawn):
                    await ProposalView.update({ProposalView.state: "withdrawn"}).where(ProposalView.id == pid)
                    history.append(_history(item, "withdrawn", e.actor_id, e.reason))
                elif isinstance(e, Proposal.Answered):
                    await ProposalView.update(
                        {
                            ProposalView.answer_kind: e.kind,
                            ProposalView.answer_text: e.text,
                            ProposalView.answer_target: e.target_id,
                            ProposalView.answered_at: e.timestamp,
                        }
                    ).where(ProposalView.id == pid)
                    history.append(_history(item, "answered", None, e.kind))
        await bulk_insert(ProposalView, created)
        await bulk_insert(ProposalCoSign, cosigns)
        await bulk_insert(ProposalHistory, history)
        await bulk_execute(
            ProposalView,
            "UPDATE proposal SET cosigns = ?, updated_position = ? WHERE id = ?",
            [(count, changed[pid], pid) for pid, count in counts.items()],
        )
        await bulk_execute(
            ProposalView,
            "UPDATE proposal SET updated_position = ? WHERE id = ?",
            [(position, pid) for pid, position in changed.items() if pid not in counts],
        )
        rows = await ProposalView.select(
            ProposalView.id, ProposalView.cosigns, ProposalView.state, ProposalView.threshold
        ).where(ProposalView.id.is_in(list(changed)))
        return [
            (f"proposal:{row['id']}", {"cosigns": row["cosigns"], "state": row["state"], "threshold": row["threshold"]})
            for row in rows
        ]


# -- the procedure: matters, meetings, votes ---------------------------------------------------------------
def _timeline(item: Item, matter_id: PyUUID, kind: str, detail: str = "") -> dict[str, Any]:
    e = item.event
    return {
        "matter_id": matter_id,
        "position": item.position,
        "kind": kind,
        "detail": detail,
        "actor_id": e.actor_id,
        "on_behalf_of": e.on_behalf_of,
        "at": e.timestamp,
    }


class ProcedureProjection:
    """Matters with their stage timeline, meetings with attendance and results, and each ballot's live tally."""

    name = "procedure"
    tables: ClassVar[Sequence[type[Table]]] = (
        MatterView,
        MatterTimeline,
        MatterNotice,
        MatterNoticeDraft,
        MatterObjection,
        MatterProgress,
        MeetingView,
        MeetingVote,
    )
    handles: ClassVar[Sequence[type]] = (
        Matter.Opened,
        Matter.StagesPassed,
        Matter.SentBack,
        Matter.Resubmitted,
        Matter.Rejected,
        Matter.NoticeDrafted,
        Matter.NoticeReturned,
        Matter.NoticePublished,
        Matter.ObjectionRaised,
        Matter.ObjectionAnswered,
        Matter.ProgressPosted,
        Meeting.Scheduled,
        Meeting.CheckedIn,
        Meeting.BallotOpened,
        Meeting.BallotClosed,
        Meeting.ResultRecorded,
        Meeting.MinutesWritten,
        Meeting.SignedOff,
        Vote.Cast,
        Vote.Changed,
        Vote.Confirmed,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        timeline: list[dict[str, Any]] = []
        touched: set[PyUUID] = set()
        votes: list[Any] = []
        for item in items:
            e = item.event
            if isinstance(e, Vote.Event):
                votes.append(e)  # a run of votes is written at once (a burst is thousands of them)
                continue
            touched |= await self._votes(votes)
            votes = []
            if isinstance(e, Matter.Event):
                timeline.extend(await self._matter(item))
            else:
                touched.add(e.originator_id)
                entry = await self._meeting(item)
                if entry:
                    timeline.append(entry)
        touched |= await self._votes(votes)
        await bulk_insert(MatterTimeline, timeline)
        return [(f"meeting:{m}", await tally(m)) for m in touched]

    async def _matter(self, item: Item) -> list[dict[str, Any]]:
        e, mid = item.event, item.event.originator_id
        if isinstance(e, Matter.Opened):
            await bulk_insert(
                MatterView,
                [
                    {
                        "id": mid,
                        "community_id": e.community_id,
                        "proposal_id": e.proposal_id,
                        "title": e.title,
                        "description": e.description,
                        "state": "open",
                        "done": [],
                        "round": 1,
                        "collective_asset": e.collective_asset,
                        "opened_at": e.timestamp,
                        "updated_position": item.position,
                    }
                ],
            )
            return [_timeline(item, mid, "opened")]
        if isinstance(e, Matter.ObjectionRaised | Matter.ObjectionAnswered | Matter.ProgressPosted):
            entry = await self._disclosure(item)
            await bulk_execute(
                MatterView, "UPDATE matter SET updated_position = ? WHERE id = ?", [(item.position, mid)]
            )
            return [entry]
        if isinstance(e, Matter.NoticeDrafted | Matter.NoticeReturned):
            return [await self._draft(item)]
        if isinstance(e, Matter.NoticePublished | Matter.Rejected):  # published or moot: out of the review queue
            await bulk_execute(MatterNoticeDraft, "DELETE FROM matter_notice_draft WHERE matter_id = ?", [(mid,)])
        row = (
            await MatterView.select(MatterView.done, MatterView.round)
            .where(MatterView.id == mid)
            .output(load_json=True)
            .first()
        )
        done, round_ = (row["done"], row["round"]) if row else ([], 1)
        if isinstance(e, Matter.StagesPassed):
            done, state, entry = done + e.stages, "open", _timeline(item, mid, "passed", ",".join(e.stages))
        elif isinstance(e, Matter.NoticePublished):
            done, state, entry = [*done, e.stage], "open", _timeline(item, mid, "notice", e.stage)
            if len(done) == 6:
                state = "completed"
            await bulk_insert(
                MatterNotice,
                [
                    {
                        "matter_id": mid,
                        "stage": e.stage,
                        "text": e.text,
                        "published_on": e.published_on,
                        "objections_until": e.objections_until,
                        "answer_days": e.answer_days,
                        "actor_id": e.actor_id,
                        "position": item.position,
                    }
                ],
            )
        elif isinstance(e, Matter.SentBack):
            state, entry = "revising", _timeline(item, mid, "sent_back", e.reasons)
        elif isinstance(e, Matter.Resubmitted):
            done, state, round_ = [], "open", round_ + 1
            entry = _timeline(item, mid, "resubmitted", e.description)
        else:
            state, entry = "rejected", _timeline(item, mid, "rejected", e.reasons)
        await bulk_execute(
            MatterView,
            "UPDATE matter SET done = ?, state = ?, round = ?, updated_position = ? WHERE id = ?",
            [(done, state, round_, item.position, mid)],
        )
        return [entry]

    @staticmethod
    async def _draft(item: Item) -> dict[str, Any]:
        """⑤/⑥ drafted for the supervisors (replacing a returned draft), or returned by them with their reason."""
        e, mid = item.event, item.event.originator_id
        if isinstance(e, Matter.NoticeReturned):
            await bulk_execute(
                MatterNoticeDraft,
                "UPDATE matter_notice_draft SET state = ?, reason = ? WHERE matter_id = ?",
                [("returned", e.reason, mid)],
            )
            return _timeline(item, mid, "notice_returned", e.reason)
        await bulk_execute(MatterNoticeDraft, "DELETE FROM matter_notice_draft WHERE matter_id = ?", [(mid,)])
        row = {"matter_id": mid, "community_id": e.community_id, "stage": e.stage, "text": e.text}
        row |= {"state": "in_review", "review_due": e.review_due, "reason": "", "drafted_by": e.actor_id}
        await bulk_insert(MatterNoticeDraft, [{**row, "drafted_at": e.timestamp}])
        return _timeline(item, mid, "notice_drafted", e.stage)

    async def _disclosure(self, item: Item) -> dict[str, Any]:
        """Objections, their answers and implementation progress, each also a timeline entry."""
        e, mid = item.event, item.event.originator_id
        if isinstance(e, Matter.ObjectionRaised):
            row = {
                "matter_id": mid,
                "number": e.number,
                "stage": e.stage,
                "resident_id": e.resident_id,
                "reason": e.reason,
                "raised_at": e.timestamp,
                "answer_due": e.answer_due,
                "answer": "",
                "answered_at": None,
                "answered_by": None,
            }
            await bulk_insert(MatterObjection, [row])
            return _timeline(item, mid, "objection", str(e.number))
        if isinstance(e, Matter.ObjectionAnswered):
            await bulk_execute(
                MatterObjection,
                "UPDATE matter_objection SET answer = ?, answered_at = ?, answered_by = ? "
                "WHERE matter_id = ? AND number = ?",
                [(e.answer, e.timestamp, e.actor_id, mid, e.number)],
            )
            return _timeline(item, mid, "answered", str(e.number))
        row = {
            "matter_id": mid,
            "done_on": e.done_on,
            "text": e.text,
            "spent_fen": e.spent_fen,
            "photos": e.photos,
            "actor_id": e.actor_id,
            "position": item.position,
        }
        await bulk_insert(MatterProgress, [row])
        return _timeline(item, mid, "progress", str(e.spent_fen))

    async def _meeting(self, item: Item) -> dict[str, Any] | None:
        e, mid = item.event, item.event.originator_id
        if isinstance(e, Meeting.Scheduled):
            await bulk_insert(
                MeetingView,
                [
                    {
                        "id": mid,
                        "community_id": e.community_id,
                        "matter_id": e.matter_id,
                        "body": e.body,
                        "stages": e.stages,
                        "place": e.place,
                        "starts_at": e.starts_at,
                        "motion": e.motion,
                        "expected": [str(r) for r in e.expected],
                        "present": [],
                        "ballot": "not_open",
                        "outcome": "",
                        "yes": 0,
                        "no": 0,
                        "abstain": 0,
                        "present_count": 0,
                        "rule": f"{e.rule_source}: {e.rule}",  # as the result records it
                        "attendees": [],
                        "minutes": "",
                        "signed": [],
                        "position": item.position,
                        "online_until": e.online_until,
                        "per_household": e.per_household,
                    }
                ],
            )
            return _timeline(item, e.matter_id, "scheduled", f"{mid}|{e.body}")
        await bulk_execute(MeetingView, "UPDATE meeting SET position = ? WHERE id = ?", [(item.position, mid)])
        if isinstance(e, Meeting.CheckedIn):
            row = (
                await MeetingView.select(MeetingView.present)
                .where(MeetingView.id == mid)
                .output(load_json=True)
                .first()
            )
            present = sorted({*(row["present"] if row else []), str(e.resident_id)})
            await bulk_execute(MeetingView, "UPDATE meeting SET present = ? WHERE id = ?", [(present, mid)])
        elif isinstance(e, Meeting.BallotOpened | Meeting.BallotClosed):
            state = "open" if isinstance(e, Meeting.BallotOpened) else "closed"
            await bulk_execute(MeetingView, "UPDATE meeting SET ballot = ? WHERE id = ?", [(state, mid)])
        elif isinstance(e, Meeting.MinutesWritten):
            await bulk_execute(MeetingView, "UPDATE meeting SET minutes = ? WHERE id = ?", [(e.text, mid)])
        elif isinstance(e, Meeting.SignedOff):
            row = (
                await MeetingView.select(MeetingView.signed).where(MeetingView.id == mid).output(load_json=True).first()
            )
            signed = [*(row["signed"] if row else []), [str(e.resident_id), e.timestamp.isoformat()]]
            await bulk_execute(MeetingView, "UPDATE meeting SET signed = ? WHERE id = ?", [(signed, mid)])
        elif isinstance(e, Meeting.ResultRecorded):
            await bulk_execute(
                MeetingView,
                "UPDATE meeting SET outcome = ?, yes = ?, no = ?, abstain = ?, present_count = ?, rule = ?, "
                "attendees = ? WHERE id = ?",
                [(e.outcome, e.yes, e.no, e.abstain, e.present_count, e.rule, [str(a) for a in e.attendees], mid)],
            )
            matter = await MeetingView.select(MeetingView.matter_id).where(MeetingView.id == mid).first()
            if matter:
                return _timeline(item, matter["matter_id"], "result", f"{mid}|{e.outcome}|{e.yes}|{e.no}|{e.abstain}")
        return None

    async def _votes(self, events: list[Any]) -> set[PyUUID]:
        """Write a run of vote events in order, a statement per kind; return the meetings whose tally changed."""
        meetings = {e.originator_id: e.ballot_id for e in events if isinstance(e, Vote.Cast)}
        later = [e.originator_id for e in events if e.originator_id not in meetings]
        if later:
            rows = await MeetingVote.select(MeetingVote.id, MeetingVote.meeting_id).where(MeetingVote.id.is_in(later))
            meetings |= {row["id"]: row["meeting_id"] for row in rows}
        run: list[Any] = []
        for e in events:  # consecutive events of one kind go together; the order of kinds is kept
            if run and type(run[0]) is not type(e):
                await self._write_votes(run)
                run = []
            run.append(e)
        if run:
            await self._write_votes(run)
        return {meetings[e.originator_id] for e in events if e.originator_id in meetings}

    @staticmethod
    async def _write_votes(run: list[Any]) -> None:
        if isinstance(run[0], Vote.Cast):
            await bulk_insert(
                MeetingVote,
                [
                    {
                        "id": e.originator_id,
                        "meeting_id": e.ballot_id,
                        "resident_id": e.resident_id,
                        "choice": e.choice,
                        "paper": e.paper,
                        "counts": not e.paper,
                        "entered_by": e.actor_id,
                        "household_id": e.household_id,
                    }
                    for e in run
                ],
            )
        elif isinstance(run[0], Vote.Changed):
            await bulk_execute(
                MeetingVote,
                "UPDATE meeting_vote SET choice = ? WHERE id = ?",
                [(e.choice, e.originator_id) for e in run],
            )
        else:
            await bulk_execute(
                MeetingVote, "UPDATE meeting_vote SET counts = ? WHERE id = ?", [(True, e.originator_id) for e in run]
            )
