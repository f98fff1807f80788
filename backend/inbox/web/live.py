"""The inbox's websocket: the live bell, with the resident's places on slots."""

from __future__ import annotations

from typing import Any

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency

from backend.web.auth import current_user
from backend.web.live import stream
from projections.inbox import queries as views
from projections.services import queries as services


@websocket("/live/bookings", name="live.bookings")
async def bookings_live(socket: WebSocket[Any, Any, Any], channels: NamedDependency[ChannelsPlugin]) -> None:
    """The signed-in resident's places on slots (a seat from the waitlist shows at once) and the bell's count."""
    user = await current_user(socket)  # type: ignore[arg-type]
    if user is None:
        await socket.close(code=4401, reason="sign in")
        return

    async def current() -> dict[str, Any] | None:
        return {"unread": await views.unread(user.id)}

    await stream(
        socket,
        channels,
        [services.bookings_channel(user.id), views.bell_channel(user.id)],
        "services/_live_mine.html",
        current,
        live=True,
    )


routes = [bookings_live]
