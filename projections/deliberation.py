"""The public board of proposals, each proposal's co-signers and its history."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, ClassVar
from uuid import UUID as PyUUID

from piccolo.columns import JSON, UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.community.domain import VOTE_RULES, VoteRule
from backend.deliberation.domain import Proposal
from backend.deliberation.procedure import Matter, Meeting, Outcome, Vote, decide
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage


class ProposalView(Table, tablename="proposal"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    author_id = UUID()
    title = Varchar(length=60)
    description = Text()
    category = Varchar(length=30)
    photos = JSON()
    state = Varchar(length=20, index=True)
    cosigns = Integer(default=0)
    threshold = Integer()
    submitted_at = Timestamptz()
    agenda_at = Timestamptz(null=True, default=None)
    updated_position = BigInt()


class ProposalCoSign(Table, tablename="proposal_cosign"):
    """Co-signers of a proposal; also the co-sign entries of its history (not repeated in proposal_history)."""

    proposal_id = UUID(index=True)
    position = BigInt(default=0)
    resident_id = UUID()
    actor_id = UUID(null=True)
    on_behalf_of = UUID(null=True)
    at = Timestamptz()


class ProposalHistory(Table, tablename="proposal_history"):
    proposal_id = UUID(index=True)
    position = BigInt()
    kind = Varchar(length=20)
    resident_id = UUID(null=True)
    actor_id = UUID(null=True)
    on_behalf_of = UUID(null=True)
    at = Timestamptz()
    detail = Text(default="")


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
class MatterView(Table, tablename="matter"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    proposal_id = UUID(null=True, default=None)
    title = Varchar(length=60)
    description = Text()
    state = Varchar(length=12)
    done = JSON()  # the stages completed in this round, in order
    round = Integer(default=1)
    opened_at = Timestamptz()
    updated_position = BigInt()
    collective_asset = Boolean(default=False)  # 集体资产: ④ by the collective-asset rule


class MatterTimeline(Table, tablename="matter_timeline"):
    matter_id = UUID(index=True)
    position = BigInt()
    kind = Varchar(length=20)  # opened | passed | sent_back | resubmitted | rejected | scheduled | result
    detail = Text(default="")
    actor_id = UUID(null=True)
    on_behalf_of = UUID(null=True)
    at = Timestamptz()


class MeetingView(Table, tablename="meeting"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    matter_id = UUID(index=True)
    body = Varchar(length=20)
    stages = JSON()
    place = Varchar(length=60)
    starts_at = Timestamptz()
    motion = Text()
    expected = JSON()  # 应到: member ids fixed at notice time
    present = JSON()  # checked in
    ballot = Varchar(length=10)  # not_open | open | closed
    outcome = Varchar(length=12, default="")
    yes = Integer(default=0)
    no = Integer(default=0)
    abstain = Integer(default=0)
    present_count = Integer(default=0)
    rule = Varchar(length=120, default="")
    attendees = JSON(default=[])  # 实到 as recorded with the result
    minutes = Text(default="")
    signed = JSON(default=[])  # [[resident id, ISO time], …] in the order they signed
    position = BigInt(default=0)  # of the sitting's latest event: its record cites the chain link there
    online_until = Timestamptz(null=True, default=None)  # an online ballot of the residents: open until then
    per_household = Boolean(default=False)  # expected are households, one vote each


class MeetingVote(Table, tablename="meeting_vote"):
    """A member's current vote (the live tally); the recorded result is the one on the meeting."""

    id = UUID(primary_key=True)  # the vote aggregate: uuid5(ballot, member)
    meeting_id = UUID(index=True)
    resident_id = UUID()
    choice = Varchar(length=8)
    paper = Boolean(default=False)
    counts = Boolean(default=True)
    entered_by = UUID(null=True)
    household_id = UUID(null=True, default=None)  # on a ballot by household: whose one vote this is


class MatterNotice(Table, tablename="matter_notice"):
    """⑤ and ⑥ as published: the text never changes; objections are taken until `objections_until`."""

    matter_id = UUID(index=True)
    stage = Varchar(length=20)
    text = Text()
    published_on = Date()
    objections_until = Date()
    answer_days = Integer()
    actor_id = UUID(null=True)
    position = BigInt()


class MatterObjection(Table, tablename="matter_objection"):
    matter_id = UUID(index=True)
    number = Integer()
    stage = Varchar(length=20)
    resident_id = UUID()
    reason = Text()
    raised_at = Timestamptz()
    answer_due = Date()
    answer = Text(default="")
    answered_at = Timestamptz(null=True, default=None)
    answered_by = UUID(null=True, default=None)


class MatterProgress(Table, tablename="matter_progress"):
    matter_id = UUID(index=True)
    done_on = Date()
    text = Text()
    spent_fen = BigInt()
    photos = JSON()
    actor_id = UUID(null=True)
    position = BigInt()


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


async def tally(meeting_id: object) -> dict[str, Any]:
    """The live state of a ballot: votes that count now, by choice, and who is present. Counted in the database:
    it runs after every batch of votes, and a residents' ballot lists thousands of members."""
    found = await MeetingView.raw(
        "SELECT body, rule, ballot, outcome, present, present_count, yes, no, abstain, "
        "json_array_length(expected) AS expected_count FROM meeting WHERE id = {}",
        meeting_id,
    )
    meeting = found[0] if found else None
    by_choice = await MeetingVote.raw(
        "SELECT choice, count(*) AS n FROM meeting_vote WHERE meeting_id = {} AND counts = {} GROUP BY choice",
        meeting_id,
        True,
    )
    counts = {"yes": 0, "no": 0, "abstain": 0} | {row["choice"]: int(row["n"]) for row in by_choice}
    present = set(_json_list(meeting["present"])) if meeting else set()
    if present:  # members checked in who have not voted are present too
        votes = await MeetingVote.select(MeetingVote.resident_id, MeetingVote.household_id).where(
            (MeetingVote.meeting_id == meeting_id) & (MeetingVote.counts == True)  # noqa: E712
        )
        present -= {str(v["household_id"] or v["resident_id"]) for v in votes}
    present_count = sum(counts.values()) + len(present)  # votes and check-ins are members' only (the ballot's rule)
    if meeting and meeting["outcome"]:  # recorded from the log up to the close: a late vote never shows
        counts = {choice: meeting[choice] for choice in counts}
        present_count = meeting["present_count"]
    expected = int(meeting["expected_count"]) if meeting else 0
    return {
        **counts,
        "voted": sum(counts.values()),
        "expected_count": expected,
        "present_count": present_count,
        "quorum": quorum(meeting_rule(meeting), expected) if meeting else 0,
        "ballot": meeting["ballot"] if meeting else "not_open",
        "outcome": meeting["outcome"] if meeting else "",
        "body": meeting["body"] if meeting else "",
    }


def _json_list(value: Any) -> list[Any]:
    """A JSON column read by a raw query: text on both stores."""
    return json.loads(value) if isinstance(value, str | bytes) else list(value or [])


def meeting_rule(meeting: dict[str, Any]) -> VoteRule:
    """The sitting's quorum and pass rule as its notice fixed it ("source: rule"); the body's default for a sitting
    projected before rules were kept with it."""
    source, _, text = str(meeting["rule"]).rpartition(": ")
    try:
        return VoteRule.parse(text, source)
    except DomainError:
        return VOTE_RULES[meeting["body"]]


@lru_cache(maxsize=256)
def quorum(rule: VoteRule, expected: int) -> int:
    """The fewest present (实到) that make a quorum by the rule (0: none can)."""
    return next((n for n in range(expected + 1) if decide(rule, expected, n, 0) != Outcome.NOT_QUORATE), 0)


# -- queries for pages ------------------------------------------------------------------------------
async def board(community_id: PyUUID, state: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    query = ProposalView.select().where(ProposalView.community_id == community_id)
    if state:
        query = query.where(ProposalView.state == state)
    return await query.order_by(ProposalView.updated_position, ascending=False).limit(limit).output(load_json=True)


async def proposal(proposal_id: PyUUID) -> dict[str, Any] | None:
    return await ProposalView.select().where(ProposalView.id == proposal_id).output(load_json=True).first()


async def history(proposal_id: PyUUID) -> list[dict[str, Any]]:
    """The proposal's timeline in log order: its own entries and its co-signs."""
    entries = await ProposalHistory.select().where(ProposalHistory.proposal_id == proposal_id)
    cosigns = await ProposalCoSign.select().where(ProposalCoSign.proposal_id == proposal_id)
    entries += [{**c, "kind": "cosigned", "detail": ""} for c in cosigns]
    return sorted(entries, key=lambda entry: entry["position"])


async def has_cosigned(proposal_id: PyUUID, resident_id: PyUUID) -> bool:
    return await ProposalCoSign.exists().where(
        (ProposalCoSign.proposal_id == proposal_id) & (ProposalCoSign.resident_id == resident_id)
    )


async def cosign_count(proposal_id: PyUUID) -> int:
    return await ProposalCoSign.count().where(ProposalCoSign.proposal_id == proposal_id)


async def by_resident(resident_id: PyUUID) -> dict[str, list[dict[str, Any]]]:
    """What the deliberation views hold about one resident (for "my data")."""
    raised = await ProposalView.select(
        ProposalView.id, ProposalView.title, ProposalView.state, ProposalView.submitted_at
    ).where(ProposalView.author_id == resident_id)
    cosigned = await ProposalCoSign.select(
        ProposalCoSign.proposal_id, ProposalCoSign.at, ProposalCoSign.actor_id, ProposalCoSign.on_behalf_of
    ).where(ProposalCoSign.resident_id == resident_id)
    return {"proposals": raised, "cosigns": cosigned}


async def titles(proposal_ids: Iterable[object]) -> dict[str, str]:
    wanted = list({i for i in proposal_ids if i})
    if not wanted:
        return {}
    rows = await ProposalView.select(ProposalView.id, ProposalView.title).where(ProposalView.id.is_in(wanted))
    return {str(r["id"]): r["title"] for r in rows}


async def collecting(community_id: object) -> list[dict[str, Any]]:
    """Proposals still gathering co-signs, for a clerk assisting a resident at the counter."""
    return (
        await ProposalView.select(ProposalView.id, ProposalView.title, ProposalView.author_id)
        .where(ProposalView.community_id == community_id, ProposalView.state == "collecting")
        .order_by(ProposalView.submitted_at, ascending=False)
    )


async def matters(community_id: object) -> list[dict[str, Any]]:
    return (
        await MatterView.select()
        .where(MatterView.community_id == community_id)
        .order_by(MatterView.updated_position, ascending=False)
        .output(load_json=True)
    )


async def matter(matter_id: object) -> dict[str, Any] | None:
    return await MatterView.select().where(MatterView.id == matter_id).output(load_json=True).first()


async def matter_timeline(matter_id: object) -> list[dict[str, Any]]:
    return await MatterTimeline.select().where(MatterTimeline.matter_id == matter_id).order_by(MatterTimeline.position)


async def meetings_of(matter_id: object) -> list[dict[str, Any]]:
    return (
        await MeetingView.select()
        .where(MeetingView.matter_id == matter_id)
        .order_by(MeetingView.starts_at)
        .output(load_json=True)
    )


async def meeting(meeting_id: object) -> dict[str, Any] | None:
    return await MeetingView.select().where(MeetingView.id == meeting_id).output(load_json=True).first()


async def meeting_votes(meeting_id: object) -> list[dict[str, Any]]:
    return await MeetingVote.select().where(MeetingVote.meeting_id == meeting_id)


async def vote(vote_id: object) -> dict[str, Any] | None:
    """One member's (or household's) current vote, by the vote's id."""
    return await MeetingVote.select().where(MeetingVote.id == vote_id).first()


async def votes_by_id(vote_ids: Iterable[PyUUID]) -> dict[str, dict[str, Any]]:
    """The current votes among `vote_ids`, by id: the few members a clerk has looked up on a large ballot."""
    wanted = list(vote_ids)
    if not wanted:
        return {}
    return {str(v["id"]): v for v in await MeetingVote.select().where(MeetingVote.id.is_in(wanted))}


async def unconfirmed_paper(meeting_id: object, limit: int) -> list[dict[str, Any]]:
    """Paper ballots entered by one clerk and waiting for a second, in a stable order (the desk reloads often)."""
    return (
        await MeetingVote.select()
        .where((MeetingVote.meeting_id == meeting_id) & (MeetingVote.paper == True) & (MeetingVote.counts == False))  # noqa: E712
        .order_by(MeetingVote.id)
        .limit(limit)
    )


async def notices_of(matter_id: object) -> list[dict[str, Any]]:
    return await MatterNotice.select().where(MatterNotice.matter_id == matter_id).order_by(MatterNotice.position)


async def objections_of(matter_id: object) -> list[dict[str, Any]]:
    return await MatterObjection.select().where(MatterObjection.matter_id == matter_id).order_by(MatterObjection.number)


async def progress_of(matter_id: object) -> list[dict[str, Any]]:
    return (
        await MatterProgress.select()
        .where(MatterProgress.matter_id == matter_id)
        .order_by(MatterProgress.position)
        .output(load_json=True)
    )


async def online_ballots_due(now: datetime) -> list[dict[str, Any]]:
    """Online ballots still open after their voting period."""
    return await MeetingView.select(MeetingView.id, MeetingView.community_id).where(
        (MeetingView.ballot == "open") & (MeetingView.online_until.is_not_null()) & (MeetingView.online_until <= now)
    )


async def resolutions(community_id: object) -> list[tuple[str, date, date | None]]:
    """Each matter's resolution (④ passed) — title, the day (China), the day its ⑤ notice was published or None —
    for the disclosure schedule (major matters are disclosed within the rulebook's days)."""
    matters = {
        str(m["id"]): m["title"]
        for m in await MatterView.select(MatterView.id, MatterView.title).where(MatterView.community_id == community_id)
    }
    if not matters:
        return []
    passed = await MatterTimeline.select(MatterTimeline.matter_id, MatterTimeline.detail, MatterTimeline.at).where(
        MatterTimeline.matter_id.is_in(list(matters)) & (MatterTimeline.kind == "passed")
    )
    notices = {
        str(n["matter_id"]): n["published_on"]
        for n in await MatterNotice.select(MatterNotice.matter_id, MatterNotice.published_on).where(
            MatterNotice.matter_id.is_in(list(matters)) & (MatterNotice.stage == "resolution_notice")
        )
    }
    found = []
    for row in passed:
        if "resolution" in row["detail"].split(","):
            matter = str(row["matter_id"])
            found.append((matters[matter], row["at"].astimezone(LOCAL_ZONE).date(), notices.get(matter)))
    return found
