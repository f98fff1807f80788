"""Live updates: websocket topics fed by Litestar channels after the projector commits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

import anyio
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath

from backend.i18n import current_locale, set_locale
from projections import deliberation as views

COALESCED = ("meeting:", "proposal:")  # their messages are whole states (a tally, a count): the newest says it all
COALESCE_SECONDS = 0.2


class Coalesce:
    """Publishes a whole-state channel's update at once when it has been quiet for COALESCE_SECONDS, otherwise
    keeps only the newest and publishes it when the interval is up: a burst of votes moves a tally watched by a
    thousand phones several times per batch, and each frame is a thousand sends."""

    def __init__(self, publish: Callable[[str, dict[str, Any]], None], interval: float = COALESCE_SECONDS) -> None:
        self.publish = publish
        self.interval = interval
        self._last: dict[str, float] = {}
        self._newest: dict[str, dict[str, Any]] = {}

    def __call__(self, channel: str, payload: dict[str, Any]) -> None:
        if not channel.startswith(COALESCED):
            self.publish(channel, payload)
            return
        if channel in self._newest:  # a publication is due: it will carry this one
            self._newest[channel] = payload
            return
        loop = asyncio.get_running_loop()
        wait = self._last.get(channel, -self.interval) + self.interval - loop.time()
        if wait <= 0:
            self._send(channel, payload, loop.time())
            return
        self._newest[channel] = payload
        loop.call_later(wait, self._due, channel)

    def _due(self, channel: str) -> None:
        self._send(channel, self._newest.pop(channel), asyncio.get_running_loop().time())

    def _send(self, channel: str, payload: dict[str, Any], now: float) -> None:
        if len(self._last) > 10_000:  # forget quiet channels
            self._last = {c: t for c, t in self._last.items() if now - t < self.interval}
        self._last[channel] = now
        self.publish(channel, payload)


@lru_cache(maxsize=1024)
def _rendered(fragment: Any, locale: str, message: str | bytes, context: tuple[tuple[str, Any], ...]) -> str:
    """One rendering per update, language and page, however many phones watch it (the locale is in the key)."""
    return fragment.render(**dict(context), **json.loads(message))


def origin_allowed(socket: WebSocket[Any, Any, Any]) -> bool:
    """CSRF does not cover websockets: accept only our own origin (or none, from non-browser clients)."""
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    host = socket.headers.get("host", "")
    return urlparse(origin).netloc == host


async def stream(
    socket: WebSocket[Any, Any, Any],
    channels: ChannelsPlugin,
    channel: str | list[str],
    template: str,
    current: Callable[[], Awaitable[dict[str, Any] | None]],
    **context: Any,
) -> None:
    """Subscribe, send the current state at once (a phone back from the background catches up), then every
    update the projector publishes, until the client goes away."""
    if not origin_allowed(socket):
        await socket.close(code=4403, reason="origin not allowed")
        return
    set_locale(socket.cookies.get("lang", "zh"))
    await socket.accept()
    engine = socket.app.template_engine
    fragment = engine.get_template(template)  # type: ignore[union-attr]
    listened = [channel] if isinstance(channel, str) else channel
    async with channels.start_subscription(listened) as subscriber, anyio.create_task_group() as tasks:
        frozen = tuple(sorted(context.items()))

        async def forward() -> None:
            async for message in subscriber.iter_events():
                await socket.send_text(_rendered(fragment, current_locale(), message, frozen))

        now = await current()
        if now is None:
            await socket.close(code=4404, reason="not found")
            return
        await socket.send_text(fragment.render(**context, **now))
        tasks.start_soon(forward)
        try:
            while True:
                await socket.receive_data(mode="text")
        except WebSocketDisconnect:
            pass
        finally:
            tasks.cancel_scope.cancel()


@websocket("/live/proposals/{proposal_id:uuid}", name="live.proposal")
async def proposal_live(
    socket: WebSocket[Any, Any, Any], proposal_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    async def current() -> dict[str, Any] | None:
        row = await views.proposal(proposal_id)
        return row and {"cosigns": row["cosigns"], "state": row["state"], "threshold": row["threshold"]}

    await stream(
        socket, channels, f"proposal:{proposal_id}", "deliberation/_live.html", current, proposal_id=proposal_id
    )


@websocket("/live/meetings/{meeting_id:uuid}", name="live.meeting")
async def meeting_live(
    socket: WebSocket[Any, Any, Any], meeting_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    async def current() -> dict[str, Any] | None:
        return await views.tally(meeting_id) if await views.meeting(meeting_id) else None

    await stream(
        socket, channels, f"meeting:{meeting_id}", "deliberation/_tally.html", current, meeting_id=meeting_id, live=True
    )


@websocket("/live/activities/{activity_id:uuid}", name="live.activity")
async def activity_live(
    socket: WebSocket[Any, Any, Any], activity_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    """Seat counts of the activity's shifts, and the viewer's own place on each (a seat freed for them shows)."""
    from backend.auth import current_user
    from projections import volunteering

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


@websocket("/live/services/{service_id:uuid}", name="live.service")
async def service_live(
    socket: WebSocket[Any, Any, Any], service_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    """Seat counts of the service's coming slots, and the viewer's own place on each (a seat from the waitlist
    shows at once)."""
    from datetime import UTC, datetime

    from backend.auth import current_user
    from projections import services

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


routes = [proposal_live, meeting_live, activity_live, service_live]
