"""Live seat counts of a service's coming slots, and the viewer's own place on each."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath

from backend.web.auth import current_user
from backend.web.live import stream
from projections.services import queries as services


@websocket("/live/services/{service_id:uuid}", name="live.service")
async def service_live(
    socket: WebSocket[Any, Any, Any], service_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    """Seat counts of the service's coming slots, and the viewer's own place on each (a seat from the waitlist
    shows at once)."""
    user = await current_user(socket)  # type: ignore[arg-type]

    async def current() -> dict[str, Any] | None:
        if not await services.service(service_id):
            return None
        slots = await services.slots_of(service_id, datetime.now(UTC))
        mine = await services.statuses([s["id"] for s in slots], user.id) if user else {}
        return {
            "slots": [services.seat_counts(s) for s in slots],
            "mines": [{"slot": slot, "status": status} for slot, status in mine.items()],
        }

    await stream(
        socket,
        channels,
        [f"service:{service_id}", *([services.bookings_channel(user.id)] if user else [])],
        "services/_live.html",
        current,
        live=True,
    )


routes = [service_live]
