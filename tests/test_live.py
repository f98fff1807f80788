"""Live co-sign counts over websockets: current state at once, each change after the projector commits, and
only for our own origin."""

from uuid import uuid4

import anyio
import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from backend.app import create_app
from backend.deliberation import commands
from backend.eventstore import Ctx
from tests.conftest import NOW
from tests.factories import community


def test_cosign_count_is_pushed_to_open_pages(settings):
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        rt = client.app.state.runtime

        async def setup():
            place = await community(rt, NOW, residents=3, threshold=2, passwords=False)
            result = await commands.submit(rt, Ctx(place.community_id, place.residents[0], NOW), "a", "b", "other", [])
            return place, result.result["proposal_id"]

        place, proposal_id = client.blocking_portal.call(setup)
        with client.websocket_connect(
            f"/live/proposals/{proposal_id}", headers={"origin": "http://testserver.local"}
        ) as socket:
            first = socket.receive_text()
            assert "附议 0 / 2" in first and 'hx-swap-oob="true"' in first
            for count in (1, 2):
                ctx = Ctx(place.community_id, place.residents[count], NOW)
                client.blocking_portal.call(commands.cosign, rt, ctx, anyio_uuid(proposal_id))
                message = next_change(socket, f"附议 {count - 1} / 2")
                assert f"附议 {count} / 2" in message
            assert "待议" in message


def next_change(socket, unchanged: str) -> str:
    """The next message that differs from the state already seen: the projector may publish the submission after
    the socket sent the current state, which repeats that state (harmless on a phone)."""
    for _ in range(3):
        message = socket.receive_text()
        if unchanged not in message:
            return message
    raise AssertionError(f"no change after {unchanged}")


def anyio_uuid(value: str):
    from uuid import UUID

    return UUID(value)


def test_foreign_origin_and_unknown_proposal_are_refused(settings):
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(f"/live/proposals/{uuid4()}", headers={"origin": "http://evil.example"}) as socket,
        ):
            socket.receive_text()
        with pytest.raises(WebSocketDisconnect), client.websocket_connect(f"/live/proposals/{uuid4()}") as socket:
            socket.receive_text()


__all__ = ["anyio"]
