"""What a sitting's speaker list shows its viewer: for the meeting page, for the list fetched again alone, and for
the projector view (大屏)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request

from backend.deliberation.domain.floor import floor_id
from backend.web.auth import current_user
from projections.deliberation import queries
from projections.residents import queries as residents

NEXT_SHOWN = 5  # the projector view names the next few speakers


async def floor_context(request: Request[Any, Any, Any], row: dict[str, Any], screen: bool = False) -> dict[str, Any]:
    """The queue, the speaker and until when, who spoke; the member's own ask/withdraw and the chair's buttons.
    Names are masked for everyone but the chair, who calls them out; on the projector view (`screen`) always, and
    no buttons: the chair's laptop may be the one on the wall."""
    user = None if screen else await current_user(request)
    listed = await queries.floor(floor_id(row["id"]))
    people = [str(r["resident_id"]) for rows in listed.values() for r in rows]
    chair = user is not None and user.can("meeting.run", row["community_id"])
    me = str(user.id) if user is not None else ""
    names = await (
        residents.full_names(request.app.state.runtime.personal, people) if chair else residents.masked_names(people)
    )
    return {
        "floor": listed,
        "floor_names": names,
        "floor_next": [names.get(str(r["resident_id"]), "") for r in listed["waiting"][:NEXT_SHOWN]],
        "floor_open": not row["online_until"] and row["ballot"] != "closed",
        "floor_chair": chair,
        "floor_member": me in row["expected"] and me in row["present"],
        "floor_waiting": any(str(r["resident_id"]) == me for r in listed["waiting"]),
        "floor_ends": [r["started_at"] + timedelta(seconds=r["seconds"]) for r in listed["speaking"]],
        "floor_screen": screen,
    }
