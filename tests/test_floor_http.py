"""A sitting's speaker list (发言, issue 29) through HTTP with the real stores: a checked-in member asks for the floor
from the phone, the chair gives it (for the rulebook's minutes) and ends the turn, and the meeting record lists who
spoke. A member not checked in, a second request, and a resident who is no chair are refused, writing nothing."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from backend.deliberation.commands import matters, meetings
from backend.deliberation.domain.floor import floor_id
from backend.deliberation.domain.rules import Body
from backend.kernel.context import Ctx
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_residents_http import form_post, settle


async def _sitting(rt):
    place = await community(rt, NOW, residents=4)
    await grant(rt, place, 0, "clerk", now=NOW)
    for index in (1, 2, 3):
        await grant(rt, place, index, "party_committee", now=NOW)
    system = Ctx(place.community_id, None, NOW)
    matter = await matters.open_matter(rt, system, "修路", "北门道路修补")
    members = place.residents[1:]
    meeting = await meetings.schedule(
        rt, system, UUID(matter.result["matter_id"]), Body.PARTY_COMMITTEE, "活动室", NOW + timedelta(hours=1),
        "同意修路", members,
    )
    meeting_id = UUID(meeting.result["meeting_id"])
    for member in members[:2]:
        await meetings.check_in(rt, Ctx(place.community_id, None, NOW), meeting_id, member)
    await settle(rt)
    return place, meeting_id


async def test_a_member_asks_for_the_floor_and_the_chair_gives_and_ends_it(client):
    rt = app_runtime(client)
    place, meeting_id = await _sitting(rt)
    page = f"/meetings/{meeting_id}"

    await sign_in(client, place.phones[1])
    shown = await client.get(page)
    assert "举手" in shown.text and f'hx-ws:connect="/live/meetings/{meeting_id}"' in shown.text
    asked = await form_post(client, page, f"{page}/floor", {})
    assert asked.status_code == 303
    before = rt.event_count()
    again = await form_post(client, page, f"{page}/floor", {})
    assert again.status_code == 409 and "已在发言名单" in again.text
    assert rt.event_count() == before
    refused = await form_post(client, page, f"{page}/floor/start", {})
    assert refused.status_code == 403  # a member is not the chair

    await sign_in(client, place.phones[3])  # a member who has not checked in: no button, and refused
    assert "举手" not in (await client.get(page)).text
    late = await form_post(client, page, f"{page}/floor", {})
    assert late.status_code == 409 and "签到" in late.text and rt.event_count() == before

    await sign_in(client, place.phones[0])  # the clerk chairs
    await settle(rt)
    listed = await client.get(f"{page}/floor")
    assert listed.status_code == 200 and "给予发言" in listed.text
    given = await form_post(client, page, f"{page}/floor/start", {})
    assert given.status_code == 303
    await settle(rt)
    speaking = await client.get(page)
    assert "正在发言" in speaking.text
    floor = rt.store.repository.get(floor_id(meeting_id))
    assert floor.speaking.resident_id == place.residents[1] and floor.speaking.seconds == 3 * 60  # the rulebook's 3
    assert (await form_post(client, page, f"{page}/floor/end", {})).status_code == 303
    await settle(rt)
    rows = await client.get(f"{page}/floor")
    assert "已发言" in rows.text and "正在发言" not in rows.text
    assert rt.store.repository.get(floor_id(meeting_id)).speakers() == [place.residents[1]]


async def test_the_record_lists_who_spoke(client):
    rt = app_runtime(client)
    place, meeting_id = await _sitting(rt)
    from backend.deliberation.commands import floor as floor_commands

    ctx = Ctx(place.community_id, place.residents[2], NOW)
    await floor_commands.ask(rt, ctx, meeting_id)
    chair = Ctx(place.community_id, place.residents[0], NOW)
    await floor_commands.start_turn(rt, chair, meeting_id)
    await floor_commands.end_turn(rt, chair, meeting_id)
    await meetings.open_ballot(rt, chair, meeting_id)
    await meetings.close_ballot(rt, chair, meeting_id)
    await settle(rt)
    record = await client.get(f"/meetings/{meeting_id}/record")
    assert record.status_code == 200 and "发言" in record.text
    assert record.text.count("<ol class=\"record-members\">") == 1


def test_the_speaker_list_is_told_live(settings):
    """The sitting's socket sends the tally at once and a poke when someone asks for the floor; the page then
    fetches its own view of the list (deliberation/_floor_poke.html), the projector's with `screen`."""
    from litestar.testing import TestClient

    from backend.deliberation.commands import floor as floor_commands
    from backend.web.app import create_app

    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        rt = client.app.state.runtime
        place, meeting_id = client.blocking_portal.call(_sitting, rt)
        origin = {"origin": "http://testserver.local"}
        live = f"/live/meetings/{meeting_id}"
        with (
            client.websocket_connect(live, headers=origin) as page,
            client.websocket_connect(f"{live}?screen=true", headers=origin) as wall,
        ):
            assert f'id="tally-{meeting_id}"' in page.receive_text() and "floor-poke" not in wall.receive_text()
            ctx = Ctx(place.community_id, place.residents[1], NOW)
            client.blocking_portal.call(floor_commands.ask, rt, ctx, meeting_id)
            poke = _poke(page)
            assert f'hx-get="/meetings/{meeting_id}/floor"' in poke and 'hx-swap-oob="true"' in poke
            assert f'hx-get="/meetings/{meeting_id}/floor?screen=true"' in _poke(wall)


def _poke(socket) -> str:
    """The next frame saying the list moved; a tally frame of the sitting's earlier check-ins may come first (the
    projector publishes what it applied after the socket listened)."""
    for _ in range(5):
        frame = socket.receive_text()
        if "floor-poke" in frame:
            return frame
        assert 'class="tally"' in frame, frame
    raise AssertionError("no poke after five frames")


async def test_the_projector_view_shows_masked_names_the_time_left_and_no_buttons(client):
    """大屏: the speaker masked even for the signed-in chair (the chair's laptop may be on the wall), the time left,
    who is next, the tally; no form at all."""
    rt = app_runtime(client)
    place, meeting_id = await _sitting(rt)
    from backend.deliberation.commands import floor as floor_commands

    for member in place.residents[1:3]:
        await floor_commands.ask(rt, Ctx(place.community_id, member, NOW), meeting_id)
    await floor_commands.start_turn(rt, Ctx(place.community_id, place.residents[0], NOW), meeting_id)
    await settle(rt)
    await sign_in(client, place.phones[0])
    chair_page = (await client.get(f"/meetings/{meeting_id}")).text
    screen = await client.get(f"/meetings/{meeting_id}/screen")
    assert screen.status_code == 200
    full, masked = "居民test1", "*" in screen.text  # the speaker's name (tests.factories.community)
    assert full in chair_page  # the chair's own page names the speaker in full
    assert full not in screen.text and masked
    assert "data-ends=" in screen.text and "下一位" in screen.text and "计票" in screen.text
    assert "<form" not in screen.text.split('id="main"', 1)[-1].split("</main>", 1)[0]
    alone = await client.get(f"/meetings/{meeting_id}/floor?screen=true")
    assert full not in alone.text and "<form" not in alone.text
