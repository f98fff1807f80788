"""Live updates of a case's page and of a handler's queue (websockets, backend.web.live.stream: the Origin is
checked there). The projector's message only says that a case or a queue moved; what each viewer may see differs
(a private case, a clerk's forms), so the fragment sent asks the page to fetch its live part again through HTTP, as
that viewer (`/cases/<id>/live`, `/grid/live`): one message per update for everyone watching, and no page ever shows
what its viewer may not see."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath

from backend.casework.web.views import viewer_of
from backend.web.auth import current_user
from backend.web.live import stream
from backend.web.pages import now
from projections.casework import queries as views


@websocket("/live/cases/{case_id:uuid}", name="live.case")
async def case_live(
    socket: WebSocket[Any, Any, Any], case_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    """A case's state, deadline and steps, for whoever may see the case (others: closed as not found)."""
    user = await current_user(socket)  # type: ignore[arg-type]

    async def current() -> dict[str, Any] | None:
        if user is None or await views.case_for(case_id, await viewer_of(user), now()) is None:
            return None
        return {"id": str(case_id)}

    await stream(socket, channels, views.case_channel(case_id), "casework/_case_poke.html", current)


@websocket("/live/queue", name="live.queue")
async def queue_live(socket: WebSocket[Any, Any, Any], channels: NamedDependency[ChannelsPlugin]) -> None:
    """A grid worker's queue: their grids', and the cases they hold (a clerk: also the clerks' queue)."""
    user = await current_user(socket)  # type: ignore[arg-type]
    listened: list[str] = []
    if user is not None and user.can("case.handle"):
        held = await views.grids_of(user.id)
        listened = [views.queue_channel(key) for key in [*held, user.id]]
        if "clerk" in user.roles:
            listened.append(views.queue_channel(user.community_id))

    async def current() -> dict[str, Any] | None:
        return {"queue": "mine"} if listened else None

    await stream(socket, channels, listened or ["queue:none"], "casework/_queue_poke.html", current)


routes = [case_live, queue_live]
