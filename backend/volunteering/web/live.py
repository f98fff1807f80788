"""Live seat counts of an activity's shifts, and the viewer's own place on each."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath

from backend.web.auth import current_user
from backend.web.live import stream
from projections.volunteering import queries as volunteering


@websocket("/live/activities/{activity_id:uuid}", name="live.activity")
async def activity_live(
    socket: WebSocket[Any, Any, Any], activity_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    """Seat counts of the activity's shifts, and the viewer's own place on each (a seat freed for them shows)."""
    user = await current_user(socket)  # type: ignore[arg-type]

    async def current() -> dict[str, Any] | None:
        if not await volunteering.activity(activity_id):
            return None
        shifts = await volunteering.shifts_of(activity_id)
        mine = await volunteering.statuses([s["id"] for s in shifts], user.id) if user else {}
        return {
            "shifts": [volunteering.seat_counts(s) for s in shifts],
            "mines": [
                {"shift": str(s["id"]), "status": mine[str(s["id"])]["status"]} for s in shifts if str(s["id"]) in mine
            ],
        }

    await stream(
        socket,
        channels,
        [f"activity:{activity_id}", *([volunteering.place_channel(user.id, activity_id)] if user else [])],
        "volunteering/_live.html",
        current,
        activity_id=str(activity_id),
        live=True,
    )


routes = [activity_live]
