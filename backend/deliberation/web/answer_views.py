"""What a proposal's page and the committee's desk show of the answer a proposal is owed (issue 22): its due day,
whether it is overdue, the answer given (and where it led), and what the answer form offers the committee."""

from __future__ import annotations

from typing import Any

from backend.deliberation.domain.proposal import ANSWER_KINDS, answer_overdue
from backend.web.auth import User
from backend.web.pages import today
from projections.casework import queries as casework
from projections.deliberation import queries


def overdue(row: dict[str, Any]) -> bool:
    return row.get("answer_due") is not None and answer_overdue(
        row.get("state", "collecting"), bool(row.get("answer_kind")), row["answer_due"], today()
    )


def answer_link(row: dict[str, Any]) -> str:
    """Where the answer led: the matter, the proposal it was merged into, the request (诉求)."""
    target, kind = row.get("answer_target"), row.get("answer_kind")
    return (
        {"matter": f"/matters/{target}", "merged": f"/proposals/{target}", "case": f"/cases/{target}"}.get(
            kind or "", ""
        )
        if target
        else ""
    )


async def answer_context(user: User | None, row: dict[str, Any]) -> dict[str, Any]:
    """The answer panel of a proposal's page: the answer or its due day, and for the committee the form."""
    can_answer = (
        user is not None
        and user.can("matter.open", row["community_id"])
        and not row.get("answer_kind")
        and row["state"] != "withdrawn"
    )
    others, matters = [], []
    if can_answer:
        others = [
            p for p in await queries.board(row["community_id"]) if p["id"] != row["id"] and p["state"] != "withdrawn"
        ]
        matters = await casework.matters(row["community_id"], today())  # the matter list in force, as narrowed
    return {
        "answer_overdue": overdue(row),
        "answer_link": answer_link(row),
        "answer_kinds": ANSWER_KINDS,
        "can_answer": can_answer,
        "merge_targets": others,
        "case_categories": [(m["code"], m["label"]) for m in matters],
    }
