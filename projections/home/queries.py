"""What the home page (首页) reads that no context's queries offer yet: the sittings a member is called to, the
answers given to what a resident raised, and the counts of the staff's queues. The home composes these with the
contexts' own queries; each statement here is one indexed read (by community, or by the row's own key)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.query import WhereRaw

from backend.casework.domain.rules import State
from projections.casework.tables import CaseView
from projections.deliberation.tables import MatterView, MeetingView, MeetingVote, ProposalView
from projections.disclosure.tables import BoardEntry, ObjectionView
from projections.residents.tables import ResidentView


def _member(key: object) -> str:
    """The text a member's id has in a sitting's `expected` (a JSON list of ids as strings)."""
    return f'%"{key}"%' if key else "%\x00%"  # no key: matches no list


async def sittings_for(
    community_id: object, resident_id: object, household_id: object | None, since: datetime
) -> list[dict[str, Any]]:
    """The community's sittings not yet decided that call this resident (or, for a ballot by household, their
    household): those whose ballot is open, and those still to sit (from `since`). Read by the community's index;
    the membership is looked up in the JSON text, so a ballot of thousands is not loaded whole."""
    return await (
        MeetingView.select(
            MeetingView.id,
            MeetingView.matter_id,
            MeetingView.body,
            MeetingView.place,
            MeetingView.starts_at,
            MeetingView.motion,
            MeetingView.ballot,
            MeetingView.online_until,
            MeetingView.per_household,
        )
        .where(
            (MeetingView.community_id == community_id)
            & (MeetingView.outcome == "")
            & (MeetingView.ballot.is_in(["open", "not_open"]))
        )
        .where(
            WhereRaw(
                "((per_household = {} AND CAST(expected AS TEXT) LIKE {}) "
                "OR (per_household = {} AND CAST(expected AS TEXT) LIKE {}))",
                True,
                _member(household_id),
                False,
                _member(resident_id),
            )
        )
        .where((MeetingView.ballot == "open") | (MeetingView.starts_at >= since))
        .order_by(MeetingView.starts_at)
    )


async def matter_titles(matter_ids: list[object]) -> dict[str, str]:
    if not matter_ids:
        return {}
    rows = await MatterView.select(MatterView.id, MatterView.title).where(MatterView.id.is_in(matter_ids))
    return {str(r["id"]): r["title"] for r in rows}


async def answered_proposals(community_id: object, author_id: object, since: datetime) -> list[dict[str, Any]]:
    """The committee's answers (since `since`) to proposals this resident raised, newest first."""
    return await (
        ProposalView.select(ProposalView.id, ProposalView.title, ProposalView.answer_kind, ProposalView.answered_at)
        .where(
            (ProposalView.community_id == community_id)
            & (ProposalView.author_id == author_id)
            & (ProposalView.answered_at >= since)
        )
        .order_by(ProposalView.answered_at, ascending=False)
        .limit(10)
    )


async def answered_objections(community_id: object, resident_id: object, since: datetime) -> list[dict[str, Any]]:
    """Answers (since `since`) to this resident's objections to notices on the board, newest first, with the
    notice's title."""
    rows = await (
        ObjectionView.select(ObjectionView.notice_id, ObjectionView.answered_at)
        .where(
            (ObjectionView.community_id == community_id)
            & (ObjectionView.resident_id == resident_id)
            & (ObjectionView.answered_at >= since)
        )
        .order_by(ObjectionView.answered_at, ascending=False)
        .limit(10)
    )
    if not rows:
        return []
    titles = {
        str(r["notice_id"]): r["title"]
        for r in await BoardEntry.select(BoardEntry.notice_id, BoardEntry.title).where(
            BoardEntry.notice_id.is_in([r["notice_id"] for r in rows]) & BoardEntry.superseded_at.is_null()
        )
    }
    return [{**r, "title": titles.get(str(r["notice_id"]), "")} for r in rows]


# -- the staff's queues: counts only (the desks list them) ---------------------------------------------------------
async def pending_registrations(community_id: object) -> int:
    return await ResidentView.count().where(
        (ResidentView.community_id == community_id) & (ResidentView.status == "pending")
    )


async def clerk_cases(community_id: object) -> int:
    """Cases waiting in the clerks' queue to be accepted (no grid covers the place, reopened, or their owner left)."""
    return await CaseView.count().where(
        (CaseView.community_id == community_id) & (CaseView.state == State.QUEUED) & (CaseView.queue == "clerk")
    )


async def paper_to_confirm(community_id: object) -> list[dict[str, Any]]:
    """The open ballots of the community with paper ballots waiting for a second clerk, and how many."""
    meetings = await MeetingView.select(MeetingView.id, MeetingView.motion).where(
        (MeetingView.community_id == community_id) & (MeetingView.ballot == "open")
    )
    if not meetings:
        return []
    counted = await MeetingVote.raw(
        "SELECT meeting_id, COUNT(*) AS n FROM meeting_vote WHERE paper = {} AND counts = {} AND meeting_id IN ("
        + ", ".join("{}" for _ in meetings)
        + ") GROUP BY meeting_id",
        True,
        False,
        *[m["id"] for m in meetings],
    )
    waiting = {str(r["meeting_id"]): int(r["n"]) for r in counted}
    return [{**m, "waiting": waiting[str(m["id"])]} for m in meetings if waiting.get(str(m["id"]))]
