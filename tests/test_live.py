"""Live co-sign counts over websockets: current state at once, each change after the projector commits, and
only for our own origin."""

from uuid import UUID, uuid4

import anyio
import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from backend.deliberation.commands import proposals
from backend.kernel.context import Ctx
from backend.web.app import create_app
from tests.conftest import NOW
from tests.factories import community


def test_cosign_count_is_pushed_to_open_pages(settings):
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        rt = client.app.state.runtime

        async def setup():
            place = await community(rt, NOW, residents=3, threshold=2, passwords=False)
            result = await proposals.submit(rt, Ctx(place.community_id, place.residents[0], NOW), "a", "b", "other", [])
            return place, result.result["proposal_id"]

        place, proposal_id = client.blocking_portal.call(setup)
        with client.websocket_connect(
            f"/live/proposals/{proposal_id}", headers={"origin": "http://testserver.local"}
        ) as socket:
            first = socket.receive_text()
            assert "附议 0 / 2" in first and 'hx-swap-oob="true"' in first
            for count in (1, 2):
                ctx = Ctx(place.community_id, place.residents[count], NOW)
                client.blocking_portal.call(proposals.cosign, rt, ctx, anyio_uuid(proposal_id))
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


def test_a_freed_seat_reaches_the_waitlisted_residents_open_page(settings):
    """The activity's socket carries seat counts, and to the signed-in viewer their own place on each shift."""
    from datetime import timedelta

    from backend.volunteering import commands as volunteering
    from backend.volunteering.domain.activity import ActivityTerms, recurring
    from projections.volunteering import queries as views
    from tests.factories import PASSWORD, grant

    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        rt = client.app.state.runtime

        async def setup():
            place = await community(rt, NOW, residents=3, threshold=2)
            await grant(rt, place, 0, "volunteer_leader", now=NOW)
            leader = Ctx(place.community_id, place.residents[0], NOW)
            team = await volunteering.found_team(rt, leader, "队", "")
            start = NOW + timedelta(days=2)
            terms = ActivityTerms("读报", "读报", "活动室", "elderly", "老人", offer_hours=12)
            created = await volunteering.create_activity(
                rt,
                Ctx(place.community_id, place.residents[0], NOW),
                UUID(team.result["team_id"]),
                terms,
                recurring(start, start + timedelta(hours=1), 1),
                1,
            )
            activity_id = UUID(created.result["activity_id"])
            await volunteering.publish_activity(rt, Ctx(place.community_id, place.residents[0], NOW), activity_id)
            shift_id = UUID(str((await views.shifts_of(activity_id))[0]["id"]))
            await volunteering.sign_up(rt, Ctx(place.community_id, place.residents[1], NOW), shift_id)
            await volunteering.sign_up(rt, Ctx(place.community_id, place.residents[2], NOW), shift_id, waitlist=True)
            return place, activity_id, shift_id

        place, activity_id, shift_id = client.blocking_portal.call(setup)
        client.get("/signin")
        token = client.cookies.get("csrftoken")
        client.post("/signin", data={"phone": place.phones[2], "password": PASSWORD, "_csrf_token": token})
        with client.websocket_connect(
            f"/live/activities/{activity_id}", headers={"origin": "http://testserver.local"}
        ) as socket:
            first = socket.receive_text()
            assert "已报 1 / 1 人" in first and "您在候补名单中" in first
            client.blocking_portal.call(
                volunteering.cancel, rt, Ctx(place.community_id, place.residents[1], NOW), shift_id
            )
            # The counts, and her own place on her channel; earlier pushes of the setup may still arrive first.
            frames = [socket.receive_text()]
            while not any("有名额为您保留" in f for f in frames) and len(frames) < 6:
                frames.append(socket.receive_text())
            mine = next(f for f in frames if "有名额为您保留" in f)
            # with a working button: a link to the same page only scrolled (issue 23)
            assert f'id="mine-{shift_id}"' in mine and f'hx-post="/shifts/{shift_id}/accept"' in mine
            counts = [f for f in frames if f'id="seats-{shift_id}"' in f]
            assert counts and all("您" not in f for f in counts), "counts only: they go to everyone"


def test_a_seat_from_the_waitlist_reaches_the_residents_service_page_and_bell(settings):
    """The service's socket carries seat counts and the viewer's own place; the bookings socket the bell."""
    from datetime import datetime, time, timedelta

    from backend.kernel.zone import LOCAL_ZONE
    from backend.services import commands as services
    from backend.services.domain.rules import BookingRules, slot_id_for
    from backend.services.domain.schedule import Schedule
    from tests.factories import PASSWORD, grant

    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        rt = client.app.state.runtime

        async def setup():
            place = await community(rt, NOW, residents=4, threshold=2)
            await grant(rt, place, 0, "clerk", now=NOW)
            await grant(rt, place, 1, "service_provider", now=NOW)
            made = await services.create_provider(rt, Ctx(place.community_id, place.residents[0], NOW), "站", "")
            provider_id = UUID(made.result["provider_id"])
            await services.add_member(
                rt, Ctx(place.community_id, place.residents[0], NOW), provider_id, place.residents[1]
            )
            made = await services.create_service(
                rt,
                Ctx(place.community_id, place.residents[0], NOW),
                provider_id,
                "坐诊",
                "doctor",
                "量血压",
                BookingRules(),
            )
            service_id = UUID(made.result["service_id"])
            day = datetime.now(LOCAL_ZONE).date() + timedelta(days=3)  # the page shows slots still to come
            await services.publish_schedule(
                rt,
                Ctx(place.community_id, place.residents[1], NOW),
                service_id,
                Schedule(day, 1, frozenset({day.weekday()}), time(9), time(9, 30), 30, 1, "卫生站"),
            )
            slot_id = slot_id_for(service_id, datetime.combine(day, time(9), LOCAL_ZONE))
            await services.book(rt, Ctx(place.community_id, place.residents[2], NOW), slot_id)
            await services.book(rt, Ctx(place.community_id, place.residents[3], NOW), slot_id, waitlist=True)
            return place, service_id, slot_id

        place, service_id, slot_id = client.blocking_portal.call(setup)
        client.get("/signin")
        token = client.cookies.get("csrftoken")
        client.post("/signin", data={"phone": place.phones[3], "password": PASSWORD, "_csrf_token": token})
        origin = {"origin": "http://testserver.local"}
        with (
            client.websocket_connect(f"/live/services/{service_id}", headers=origin) as page,
            client.websocket_connect("/live/bookings", headers=origin) as bookings,
        ):
            first = page.receive_text()
            assert "已约 1 / 1" in first and "候补中" in first
            assert 'id="bell"' in bookings.receive_text()
            client.blocking_portal.call(services.cancel, rt, Ctx(place.community_id, place.residents[2], NOW), slot_id)
            frames = [page.receive_text()]
            while not any("已预约" in f for f in frames) and len(frames) < 6:
                frames.append(page.receive_text())
            assert any(f'id="mine-{slot_id}"' in f and "已预约" in f for f in frames)
            bells = [bookings.receive_text()]
            while not any('class="count">1<' in f for f in bells) and len(bells) < 6:
                bells.append(bookings.receive_text())
            assert any('class="count">1<' in f for f in bells), "the bell counts the promotion"


async def test_a_tally_moved_many_times_at_once_reaches_the_phones_first_and_then_as_its_newest_state():
    import asyncio

    from backend.web.live import Coalesce

    sent: list[tuple[str, dict[str, int]]] = []
    coalesce = Coalesce(lambda channel, payload: sent.append((channel, payload)), interval=0.05)
    for yes in range(1, 6):
        coalesce("meeting:m", {"yes": yes})
        coalesce("service:s", {"n": yes})  # a channel of changes, not of whole states: every message goes
    assert sent.count(("meeting:m", {"yes": 1})) == 1
    assert [p for c, p in sent if c == "meeting:m"] == [{"yes": 1}]
    assert [p["n"] for c, p in sent if c == "service:s"] == [1, 2, 3, 4, 5]
    await asyncio.sleep(0.1)
    assert [p for c, p in sent if c == "meeting:m"] == [{"yes": 1}, {"yes": 5}]
    await asyncio.sleep(0.1)
    coalesce("meeting:m", {"yes": 6})  # quiet for longer than the interval: at once
    assert sent[-1] == ("meeting:m", {"yes": 6})


async def test_a_tally_watched_by_many_phones_moves_less_often_during_a_burst():
    import asyncio

    from backend.web.live import FRAMES_PER_SECOND, Coalesce

    sent: list[tuple[str, dict[str, int]]] = []
    watching = {"meeting:big": FRAMES_PER_SECOND // 4, "meeting:small": 3}  # intervals 0.25 s and 0.05 s
    coalesce = Coalesce(lambda channel, payload: sent.append((channel, payload)), 0.05, watching.__getitem__)
    for yes in (1, 2):
        coalesce("meeting:big", {"yes": yes})
        coalesce("meeting:small", {"yes": yes})
    await asyncio.sleep(0.12)
    assert [p["yes"] for c, p in sent if c == "meeting:small"] == [1, 2]
    assert [p["yes"] for c, p in sent if c == "meeting:big"] == [1], "the newest waits for the longer interval"
    await asyncio.sleep(0.2)
    assert [p["yes"] for c, p in sent if c == "meeting:big"] == [1, 2]


def test_phones_watching_one_proposal_share_one_subscription_and_each_gets_every_change(settings):
    from contextlib import ExitStack

    from backend.web.live import FANOUT

    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        rt = client.app.state.runtime

        async def setup():
            place = await community(rt, NOW, residents=4, threshold=3, passwords=False)
            result = await proposals.submit(rt, Ctx(place.community_id, place.residents[0], NOW), "a", "b", "other", [])
            return place, result.result["proposal_id"]

        place, proposal_id = client.blocking_portal.call(setup)
        feeds = [key for key in FANOUT._feeds if key[1] == f"proposal:{proposal_id}"]
        assert feeds == []
        with ExitStack() as stack:
            sockets = [
                stack.enter_context(client.websocket_connect(f"/live/proposals/{proposal_id}")) for _ in range(3)
            ]
            for socket in sockets:
                assert "附议 0 / 3" in socket.receive_text()
            assert len([key for key in FANOUT._feeds if key[1] == f"proposal:{proposal_id}"]) == 1
            ctx = Ctx(place.community_id, place.residents[1], NOW)
            client.blocking_portal.call(proposals.cosign, rt, ctx, UUID(proposal_id))
            for socket in sockets:
                assert "附议 1 / 3" in next_change(socket, "附议 0 / 3")
            sockets[0].close()
            ctx = Ctx(place.community_id, place.residents[2], NOW)
            client.blocking_portal.call(proposals.cosign, rt, ctx, UUID(proposal_id))
            for socket in sockets[1:]:
                assert "附议 2 / 3" in next_change(socket, "附议 1 / 3")
        for _ in range(50):
            if not [key for key in FANOUT._feeds if key[1] == f"proposal:{proposal_id}"]:
                break
            client.blocking_portal.call(anyio.sleep, 0.02)
        assert not [key for key in FANOUT._feeds if key[1] == f"proposal:{proposal_id}"]
