"""The pages residents read signed in, kept for their reader (backend/web/kept.py, issue 27 item 6): the board (time
travel included), the proposal list and a proposal's page are sent again while nothing is projected — never to
another reader, never after the event that changes them, and a kept proposal page's forms carry one command id per
rendering (derived, not random: every copy of a kept page is the same page). A page sent from the kept pages carries
no Set-Cookie (the app sets the session cookie on every page it renders): that is how these tests tell them apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from backend.deliberation.commands import proposals
from backend.disclosure.domain.notice import Notice, Terms
from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from tests.conftest import NOW, hidden
from tests.factories import app_runtime, community, sign_in
from tests.test_kept_pages import kept_get
from tests.test_residents_http import form_post, settle


async def _publish(rt, community_id: UUID, title: str, at: datetime | None = None) -> None:
    """A notice on the board (published through the aggregate: the clerk's pages are not what is tested here)."""
    ctx = Ctx(community_id, None, at or datetime.now(UTC))
    notice = Notice.draft_new(ctx, uuid4(), "affairs", title, "内容。" * 10)
    notice.publish(ctx, Terms(review_required=False))
    rt.store.save(notice)
    await settle(rt)


async def test_the_signed_in_board_is_kept_for_its_reader_until_a_notice_is_projected(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await _publish(rt, place.community_id, "停水通知")
    await sign_in(client, place.phones[0])
    kept = await kept_get(client, "/board")
    assert "停水通知" in kept.text and "data-outbox-who" in kept.text, "the reader's own page, signed in"

    await _publish(rt, place.community_id, "停电通知")
    fresh = await client.get("/board")
    assert "set-cookie" in fresh.headers and "停电通知" in fresh.text
    assert "停电通知" in (await kept_get(client, "/board")).text

    anonymous = await client.get("/board?community=test", headers={"cookie": ""})
    assert anonymous.status_code == 200 and "data-outbox-who" not in anonymous.text, "no reader's page for a visitor"


async def test_time_travel_is_kept_per_moment_for_its_reader(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    week_ago = datetime.now(UTC) - timedelta(days=7)
    await _publish(rt, place.community_id, "旧通知", at=week_ago - timedelta(days=1))
    await _publish(rt, place.community_id, "新通知")
    await sign_in(client, place.phones[0])
    moment = week_ago.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")
    then = await kept_get(client, f"/board?at={moment}")
    assert "旧通知" in then.text and "新通知" not in then.text
    now = await kept_get(client, "/board")
    assert "旧通知" in now.text and "新通知" in now.text, "another query is another page"


async def test_a_proposal_page_is_kept_with_one_command_id_and_rendered_again_after_a_cosign(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=4, threshold=5)
    done = await proposals.submit(rt, Ctx(place.community_id, place.residents[2], NOW), "修路", "坑洼", "other", [])
    page = f"/proposals/{done.result['proposal_id']}"
    await sign_in(client, place.phones[0])
    rendered = await client.get(page)
    kept = await kept_get(client, page)
    assert hidden(kept.text, "command_id") == hidden(rendered.text, "command_id"), "one id for every copy"
    assert 'action="' + page + '/cosign"' in kept.text
    await proposals.cosign(rt, Ctx(place.community_id, place.residents[1], NOW), UUID(done.result["proposal_id"]))
    moved = await client.get(page)  # a neighbour's co-sign was projected: the page is rendered again
    assert "set-cookie" in moved.headers and hidden(moved.text, "command_id") != hidden(kept.text, "command_id")
    kept = await kept_get(client, page)

    assert (await form_post(client, page, page + "/cosign", {})).status_code == 303
    after = await client.get(page)  # takes the flash: rendered again
    assert "set-cookie" in after.headers and 'action="' + page + '/cosign"' not in after.text
    again = await kept_get(client, page)
    assert 'action="' + page + '/cosign"' not in again.text, "the co-signed page, not the one kept before"

    await sign_in(client, place.phones[3])  # another resident on the same phone
    other = await client.get(page)
    assert "set-cookie" in other.headers and 'action="' + page + '/cosign"' in other.text, "their own page"
    assert hidden(other.text, "command_id") != hidden(kept.text, "command_id"), "another reader, another id"


async def test_the_proposal_list_is_kept_until_a_proposal_is_projected(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await proposals.submit(rt, Ctx(place.community_id, place.residents[1], NOW), "修路", "坑洼", "other", [])
    await sign_in(client, place.phones[0])
    kept = await kept_get(client, "/proposals")
    assert "修路" in kept.text and "装路灯" not in kept.text
    await proposals.submit(rt, Ctx(place.community_id, place.residents[1], NOW), "装路灯", "太黑", "other", [])
    await settle(rt)
    assert "装路灯" in (await client.get("/proposals")).text
    assert "装路灯" in (await kept_get(client, "/proposals")).text
