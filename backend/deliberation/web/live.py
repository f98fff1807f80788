"""Live tallies and co-sign counts: the same for everyone, so no session."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from backend.deliberation.domain.floor import floor_id
from backend.web.live import stream
from projections.deliberation import queries


# The tallies and counts are the same for everyone: no session, so that each frame to a thousand phones skips the
# session middleware's wrapper around every send.
@websocket("/live/proposals/{proposal_id:uuid}", name="live.proposal", skip_session=True)
async def proposal_live(
    socket: WebSocket[Any, Any, Any], proposal_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    async def current() -> dict[str, Any] | None:
        row = await queries.proposal(proposal_id)
        return row and {"cosigns": row["cosigns"], "state": row["state"], "threshold": row["threshold"]}

    await stream(
        socket, channels, f"proposal:{proposal_id}", "deliberation/_live.html", current, proposal_id=proposal_id
    )


@websocket("/live/meetings/{meeting_id:uuid}", name="live.meeting", skip_session=True)
async def meeting_live(
    socket: WebSocket[Any, Any, Any],
    meeting_id: FromPath[UUID],
    channels: NamedDependency[ChannelsPlugin],
    screen: FromQuery[bool] = False,
) -> None:
    """One socket a page (a phone keeps one connection): the tally, and a poke when the speaker list moved, after
    which the page fetches its own view of the list (names and buttons differ by viewer; `screen`: the projector's)."""

    async def current() -> dict[str, Any] | None:
        return await queries.tally(meeting_id) if await queries.meeting(meeting_id) else None

    await stream(
        socket,
        channels,
        [f"meeting:{meeting_id}", queries.floor_channel(floor_id(meeting_id))],
        "deliberation/_meeting_live.html",
        current,
        meeting_id=meeting_id,
        live=True,
        screen=screen,
    )


routes = [proposal_live, meeting_live]
