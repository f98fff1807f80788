"""What the deliberation's pages show: the label text of stages, bodies, outcomes, choices and matter states, a
sitting's rule in words, and the view models of the proposal, matter, meeting and paper-desk pages, read from the
views."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.exceptions import NotFoundException

from backend.community.domain.rules import Share, VoteRule
from backend.deliberation.commands.matters import matter_id_for
from backend.deliberation.domain.proposal import CATEGORIES
from backend.deliberation.domain.rules import STAGE_BODIES, STAGES, Body, Stage
from backend.deliberation.domain.vote import vote_id
from backend.deliberation.web.answer_views import answer_context
from backend.deliberation.web.draft_views import review_context
from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.masking import mask_phone
from backend.kernel.money import yuan
from backend.kernel.personal import PersonalData
from backend.kernel.zone import LOCAL_ZONE
from backend.web.auth import User, current_user
from backend.web.pages import found
from projections.community import queries as communities
from projections.deliberation import queries
from projections.residents import queries as residents

STAGE_LABELS = {
    Stage.PARTY_PROPOSAL: N_("① Party organisation proposes"),
    Stage.COMMITTEES: N_("② The two committees discuss"),
    Stage.PARTY_MEETING: N_("③ Party members' meeting reviews"),
    Stage.RESOLUTION: N_("④ Residents' (representatives') meeting resolves"),
    Stage.RESOLUTION_NOTICE: N_("⑤ Resolution made public"),
    Stage.RESULT_NOTICE: N_("⑥ Implementation result made public"),
}
BODY_LABELS = {
    Body.PARTY_COMMITTEE: N_("Party organisation (branch committee)"),
    Body.JOINT_COMMITTEES: N_("Joint meeting of the two committees"),
    Body.PARTY_MEETING: N_("Party members' meeting"),
    Body.RESIDENTS_MEETING: N_("Residents' meeting"),
    Body.REPRESENTATIVES: N_("Residents' representatives' meeting"),
}
OUTCOME_LABELS = {"passed": N_("Passed"), "failed": N_("Not passed"), "not_quorate": N_("Not quorate")}
MATTER_STATE_LABELS = {
    "open": N_("In progress"),
    "revising": N_("Sent back for revision"),
    "rejected": N_("Rejected"),
    "completed": N_("Completed"),
}
CHOICE_LABELS = {"yes": N_("For (赞成)"), "no": N_("Against (反对)"), "abstain": N_("Abstain (弃权)")}
PAPER_LISTED = 200  # unconfirmed paper ballots listed on the desk at once


ARTICLES = re.compile(r"\bArts? (\d+(?:\s*[–-]\s*\d+)?)")  # "Art 11", "Arts 9–10", as the rulebook cites a law


def cited(source: str) -> str:
    """A rule's source with its articles in the reader's language (第 11 条): the rulebook's defaults and a clerk's
    own entries cite them as "Art 11", which showed as a stray Latin word on Chinese pages."""
    return ARTICLES.sub(lambda found: _("Art %(n)s", n=found.group(1)), source)


def rule_words(rule: VoteRule) -> str:
    """A sitting's quorum and pass rule in the reader's language, with its source."""

    def share(part: Share) -> str:
        fraction = f"{part.fraction.numerator}/{part.fraction.denominator}"
        return _("more than %(share)s", share=fraction) if part.strict else _("at least %(share)s", share=fraction)

    return _(
        "Quorum: %(quorum)s of the members expected present. Passed with yes votes %(passing)s of those %(base)s. "
        "(%(source)s)",
        quorum=share(rule.quorum),
        passing=share(rule.passing),
        base=_("expected") if rule.base == "expected" else _("present"),
        source=cited(rule.source),
    )


def labels() -> dict[str, Any]:
    return {
        "stage_labels": STAGE_LABELS,
        "body_labels": BODY_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "choice_labels": CHOICE_LABELS,
        "state_labels": MATTER_STATE_LABELS,
        "stages": STAGES,
    }


# -- a proposal ------------------------------------------------------------------------------------------------------
async def proposal_or_404(proposal_id: UUID) -> dict[str, Any]:
    row = await queries.proposal(proposal_id)
    if row is None:
        raise NotFoundException(_("No such proposal."))
    return row


async def cosign_context(
    request: Request[Any, Any, Any], row: dict[str, Any], cosigned: bool | None = None
) -> dict[str, Any]:
    """What the co-sign panel needs (also the whole htmx response to a co-sign)."""
    user = await current_user(request)
    if cosigned is None:
        cosigned = user is not None and await queries.has_cosigned(row["id"], user.id)
    return {
        "proposal": row,
        "cosigned": cosigned,
        "can_cosign": user is not None
        and user.community_id == row["community_id"]
        and user.id != row["author_id"]
        and not cosigned
        and row["state"] != "withdrawn"
        and user.can("proposal.cosign"),
        "is_author": user is not None and user.id == row["author_id"],
    }


async def proposal_context(request: Request[Any, Any, Any], row: dict[str, Any]) -> dict[str, Any]:
    history = await queries.history(row["id"])
    user = await current_user(request)
    people = [row["author_id"]] + [h["resident_id"] for h in history] + [h["actor_id"] for h in history]
    return {
        **await cosign_context(request, row),
        "history": history,
        "names": await residents.masked_names(people),
        "community": await communities.by_id(row["community_id"]),
        "categories": CATEGORIES,
        "matter": await queries.matter(matter_id_for(row["id"])),
        "can_take_up": row["state"] == "on_agenda"
        and user is not None
        and user.can("matter.open", row["community_id"]),
        **await answer_context(user, row),
    }


# -- a matter --------------------------------------------------------------------------------------------------------
async def matter_or_404(matter_id: UUID) -> dict[str, Any]:
    return found(await queries.matter(matter_id), _("No such matter."))


async def matter_context(request: Request[Any, Any, Any], matter_id: UUID, **extra: Any) -> dict[str, Any]:
    row = await matter_or_404(matter_id)
    user = await current_user(request)
    done = [Stage(s) for s in row["done"]]
    next_stage = STAGES[len(done)] if len(done) < len(STAGES) and row["state"] == "open" else None
    bodies = sorted(STAGE_BODIES.get(next_stage, frozenset()), key=list(Body).index) if next_stage else []
    timeline = await queries.matter_timeline(matter_id)
    sittings = await queries.meetings_of(matter_id)
    pending = [m for m in sittings if not m["outcome"]] if next_stage else []
    notices = await queries.notices_of(matter_id)
    objections = await queries.objections_of(matter_id)
    progress = await queries.progress_of(matter_id)
    running = user is not None and user.can("meeting.run", row["community_id"])
    disclosing = user is not None and user.can("matter.disclose", row["community_id"])
    today = datetime.now(LOCAL_ZONE).date()
    unanswered = [o for o in objections if not o["answer"]]
    people = [
        *(t["actor_id"] for t in timeline),
        *(t["on_behalf_of"] for t in timeline),
        *(o["resident_id"] for o in objections),
    ]
    return {
        "matter": row,
        "done": done,
        "next_stage": next_stage,
        "bodies": bodies if running and not pending else [],
        # The sitting called and not yet decided: the matter takes one at a time (Meeting.schedule refuses another)
        "pending": pending[0] if running and pending else None,
        **await review_context(user, row, next_stage, notice_draft(row, next_stage, sittings, progress)),
        "notices": notices,
        "objections": objections,
        "unanswered": unanswered,
        "may_object": user is not None and user.can("matter.object", row["community_id"]),
        "objected": {(o["stage"], str(o["resident_id"])) for o in objections},
        "disclosing": disclosing,
        "deciding": user is not None and user.can("matter.open", row["community_id"]) and row["state"] == "revising",
        "implementing": disclosing and next_stage == Stage.RESULT_NOTICE,
        "progress": progress,
        "spent": sum(p["spent_fen"] for p in progress),
        "today": today,
        "timeline": timeline,
        "meetings": sittings,
        "names": await residents.masked_names(str(p) for p in people if p),
        "values": extra.pop("values", {}),
        **labels(),
        **extra,
    }


def notice_draft(
    matter: dict[str, Any], stage: Stage | None, sittings: list[dict[str, Any]], progress: list[dict[str, Any]]
) -> str:
    """A starting text the clerk edits: the resolution with its vote, or the implementation with the money spent."""
    if stage == Stage.RESOLUTION_NOTICE:
        decided = [m for m in sittings if m["outcome"] == "passed" and Stage.RESOLUTION in m["stages"]]
        if decided:
            m = decided[-1]
            return _(
                "%(body)s of %(date)s resolved: %(motion)s (for %(yes)s, against %(no)s, abstained %(abstain)s; "
                "%(present)s of %(expected)s present).",
                body=_(BODY_LABELS[Body(m["body"])]),
                date=m["starts_at"].astimezone(LOCAL_ZONE).date().isoformat(),
                motion=m["motion"],
                yes=m["yes"],
                no=m["no"],
                abstain=m["abstain"],
                present=m["present_count"],
                expected=len(m["expected"]),
            )
    if stage == Stage.RESULT_NOTICE and progress:
        return _(
            "%(title)s: implemented. %(n)s progress reports; money spent %(spent)s yuan.",
            title=matter["title"],
            n=len(progress),
            spent=yuan(sum(p["spent_fen"] for p in progress)),
        )
    return ""


# -- a meeting -------------------------------------------------------------------------------------------------------
async def meeting_or_404(meeting_id: UUID) -> dict[str, Any]:
    return found(await queries.meeting(meeting_id), _("No such meeting."))


async def member_key(row: dict[str, Any], user: User | None) -> str:
    """Whose vote the reader's is: their household's on a ballot by household, otherwise their own."""
    household = (await residents.by_id(user.id) or {}).get("household_id") if user and row["per_household"] else None
    return str(household) if household else str(user.id) if user else ""


async def meeting_context(request: Request[Any, Any, Any], meeting_id: UUID, **extra: Any) -> dict[str, Any]:
    row = await meeting_or_404(meeting_id)
    user = await current_user(request)
    key = await member_key(row, user)
    running = user is not None and user.can("meeting.run", row["community_id"])
    if row["online_until"]:  # thousands of members: only the reader's own vote, and no member list
        mine = await queries.vote(vote_id(meeting_id, UUID(key))) if key else None
        votes, people = [mine] if mine else [], []
    else:
        votes = await queries.meeting_votes(meeting_id)
        mine = next((v for v in votes if str(v["household_id"] or v["resident_id"]) == key), None)
        people = row["expected"] + [str(v["entered_by"]) for v in votes if v["entered_by"]]
    member = key in row["expected"]
    attended = user is not None and str(user.id) in row["attendees"]
    return {
        "meeting": row,
        "code": str(request.query_params.get("code", ""))[:6],
        "may_sign": attended and row["minutes"] and str(user.id) not in {s[0] for s in row["signed"]},
        "signers": await residents.masked_names(s[0] for s in row["signed"]),
        "matter": await queries.matter(row["matter_id"]),
        "tally": await queries.tally(meeting_id),
        "rule": rule_words(queries.meeting_rule(row)),
        "mine": mine,
        "member": member,
        "checked_in": user is not None and str(user.id) in row["present"],
        "running": running,
        "votes": {str(v["resident_id"]): v for v in votes},
        "names": await residents.masked_names(people),
        "full_names": (
            await residents.full_names(request.app.state.runtime.personal, row["expected"])
            if running and not row["online_until"]
            else {}
        ),
        **labels(),
        **extra,
    }


async def paper_desk_context(
    personal: PersonalData, meeting_id: UUID, row: dict[str, Any], query: str, **extra: Any
) -> dict[str, Any]:
    """The clerks' desk for paper ballots on an online ballot of thousands: the members found by name, phone or
    room with their votes, and the paper ballots waiting for a second clerk (names opened with `personal`)."""
    people = await residents.in_community(personal, row["community_id"], "verified", query, limit=20) if query else []
    keys = [person["household_id"] if row["per_household"] else person["id"] for person in people]
    members = [key if key is not None and str(key) in row["expected"] else None for key in keys]
    votes = await queries.votes_by_id(vote_id(meeting_id, key) for key in members if key)
    awaiting = await queries.unconfirmed_paper(meeting_id, PAPER_LISTED)
    return {
        "meeting": row,
        "matter": await queries.matter(row["matter_id"]),
        "open": row["ballot"] == "open",
        "q": query,
        "found": [(p, m, m and votes.get(str(vote_id(meeting_id, m)))) for p, m in zip(people, members, strict=True)],
        "awaiting": awaiting,
        "awaiting_count": f"{len(awaiting)}+" if len(awaiting) == PAPER_LISTED else str(len(awaiting)),
        "mask_phone": mask_phone,
        "names": await residents.full_names(
            personal, [*(v["resident_id"] for v in awaiting), *(v["entered_by"] for v in awaiting)]
        ),
        **labels(),
        **extra,
    }
