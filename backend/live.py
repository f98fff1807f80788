"""Live updates: websocket topics fed by Litestar channels after the projector commits."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

import anyio
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath

from backend.i18n import set_locale
from projections import deliberation as views


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
    channel: str,
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
    async with channels.start_subscription([channel]) as subscriber, anyio.create_task_group() as tasks:

        async def forward() -> None:
            async for message in subscriber.iter_events():
                await socket.send_text(fragment.render(**context, **json.loads(message)))

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


routes = [proposal_live]
