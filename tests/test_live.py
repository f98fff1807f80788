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
            place = await community(rt, NOW, residents=1, threshold=2)
            result = await commands.submit(rt, Ctx(place.community_id, place.residents[0], NOW), "a", "b", "other", [])
            return place, result.result["proposal_id"]

        place, proposal_id = client.blocking_portal.call(setup)
        with client.websocket_connect(
            f"/live/proposals/{proposal_id}", headers={"origin": "http://testserver.local"}
        ) as socket:
            first = socket.receive_text()
            assert "附议 0 / 2" in first and 'hx-swap-oob="true"' in first
            for count in (1, 2):
                ctx = Ctx(place.community_id, uuid4(), NOW)
                client.blocking_portal.call(commands.cosign, rt, ctx, anyio_uuid(proposal_id))
                message = socket.receive_text()
                assert f"附议 {count} / 2" in message
            assert "待议" in message


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
