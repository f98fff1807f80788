"""The board, live: a community's board page hears of every notice published, objected to or answered."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath

from backend.web.live import stream
from projections.community import queries as communities
from projections.disclosure.handlers import board_channel


@websocket("/live/board/{community_id:uuid}", name="live.board")
async def board_live(
    socket: WebSocket[Any, Any, Any], community_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    async def current() -> dict[str, Any] | None:
        return {} if await communities.by_id(community_id) else None

    await stream(socket, channels, board_channel(community_id), "disclosure/_live.html", current)


routes = [board_live]
