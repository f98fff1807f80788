"""What pages, live updates and the procedure's timed pass read of the deliberation's views: the board, a
proposal and its history, matters and their notices, objections and progress, meetings, votes and a ballot's live
tally."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID as PyUUID

from backend.community.domain.rules import VOTE_RULES, VoteRule
from backend.deliberation.domain.rules import Outcome, decide
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from projections.deliberation.tables import (
    FloorView,
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


async def awaiting_answer(community_id: object, limit: int = 200) -> list[dict[str, Any]]:
    """The committee's desk of proposals owed an answer (issue 22): still collecting co-signs, not answered, the
    soonest due first (so the overdue head the list)."""
    return (
        await ProposalView.select(
            ProposalView.id,
            ProposalView.title,
            ProposalView.author_id,
            ProposalView.cosigns,
            ProposalView.threshold,
            ProposalView.submitted_at,
            ProposalView.answer_due,
        )
        .where(
            ProposalView.community_id == community_id,
            ProposalView.state == "collecting",
            ProposalView.answer_kind == "",
        )
        .order_by(ProposalView.answer_due)
        .order_by(ProposalView.submitted_at)
        .limit(limit)
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


def floor_channel(floor_id: object) -> str:
    return f"floor:{floor_id}"


async def floor(floor_id: object) -> dict[str, list[dict[str, Any]]]:
    """A sitting's speaker list: who waits (in the chair's order), who speaks, who spoke (in order)."""
    rows = await FloorView.select().where(FloorView.floor_id == floor_id).order_by(FloorView.place)
    return {
        "waiting": [r for r in rows if r["state"] == "waiting"],
        "speaking": [r for r in rows if r["state"] == "speaking"],
        "spoke": sorted((r for r in rows if r["state"] == "spoke"), key=lambda r: r["started_at"]),
    }


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


async def notice_draft(matter_id: object) -> dict[str, Any] | None:
    """The matter's ⑤/⑥ draft not yet published: in the supervisors' review, or returned with their reason."""
    return await MatterNoticeDraft.select().where(MatterNoticeDraft.matter_id == matter_id).first()


async def drafts_in_review(community_id: object) -> list[dict[str, Any]]:
    """The ⑤/⑥ drafts waiting for the supervisors (居务监督委员会), the oldest first, with their matter's title."""
    drafts = (
        await MatterNoticeDraft.select()
        .where((MatterNoticeDraft.community_id == community_id) & (MatterNoticeDraft.state == "in_review"))
        .order_by(MatterNoticeDraft.drafted_at)
    )
    if not drafts:
        return []
    titles = {
        str(m["id"]): m["title"]
        for m in await MatterView.select(MatterView.id, MatterView.title).where(
            MatterView.id.is_in([d["matter_id"] for d in drafts])
        )
    }
    return [{**d, "title": titles.get(str(d["matter_id"]), "")} for d in drafts]


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
