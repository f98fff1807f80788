"""What a matter's page shows of its ⑤/⑥ notice before publication: the draft in the supervisors' review
(居务监督委员会) or returned with their reason, whether the rulebook requires that review, and who may draft or
review."""

from __future__ import annotations

from typing import Any

from backend.deliberation.domain.rules import Stage
from backend.web.auth import User
from backend.web.pages import today
from projections.community import queries as communities
from projections.deliberation import queries

NOTICE_STAGES = (Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE)


async def review_context(
    user: User | None, matter: dict[str, Any], next_stage: Stage | None, starting_text: str
) -> dict[str, Any]:
    """`starting_text`: what the committee's form starts from when there is no returned draft to revise. The draft's
    text and the supervisors' reason are for the committee and the supervisors; the public sees only that ⑤/⑥ is in
    review (nothing reaches the board, or this page's notices, before it is published)."""
    community_id = matter["community_id"]
    disclosing = user is not None and user.can("matter.disclose", community_id)
    reviewing = user is not None and user.can("disclosure.review", community_id)
    draft = await queries.notice_draft(matter["id"]) if next_stage in NOTICE_STAGES else None
    in_review = draft is not None and draft["state"] == "in_review"
    returned = draft is not None and draft["state"] == "returned"
    return {
        "can_publish": disclosing and next_stage in NOTICE_STAGES and not in_review,
        "notice_draft": draft["text"] if returned and draft else starting_text,
        "draft": draft,
        "draft_visible": disclosing or reviewing,  # the text and the return's reason
        "reviewing": reviewing,
        "review_required": await communities.rule(community_id, "disclosure_review_required", today()) == 1,
    }
