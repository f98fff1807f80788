"""The board as of a past moment, shared between moments (backend/disclosure/web/board.py `_cards`, cards.py): the
board as of T is the board as of the community's last change at or before T, so its cards are kept per change and
day — and every moment still shows exactly what a reader saw then: no notice published after it, the objections
raised and answered by then, the link to the moment asked for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from uuid import UUID, uuid4

from backend.disclosure.domain.notice import Notice, Terms
from backend.disclosure.web.shared import SHOWN
from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from projections.disclosure.queries import PAGE
from tests.conftest import NOW
from tests.factories import app_runtime, community, sign_in
from tests.test_residents_http import settle

BASE = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=3)


def _at(hours: float) -> datetime:
    return BASE + timedelta(hours=hours)


def _asked(hours: float, minutes: int = 0) -> str:
    return (_at(hours) + timedelta(minutes=minutes)).astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")


async def test_each_moment_shows_the_board_as_it_was_then_though_cards_are_kept_per_change(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    cid, resident = place.community_id, place.residents[0]
    old = Notice.draft_new(Ctx(cid, None, _at(0)), uuid4(), "affairs", "旧通知", "内容。" * 10)
    old.publish(Ctx(cid, None, _at(0)), Terms(review_required=False))
    old.raise_objection(Ctx(cid, resident, _at(10)), resident, "费用明细在哪里？")
    later = Notice.draft_new(Ctx(cid, None, _at(20)), uuid4(), "affairs", "新通知", "内容。" * 10)
    later.publish(Ctx(cid, None, _at(20)), Terms(review_required=False))
    old.answer(Ctx(cid, None, _at(30)), 1, "见账簿第 1 笔。")
    rt.store.save(old, later)
    await settle(rt)

    async def board(hours: float, minutes: int = 0) -> str:
        page = await client.get(f"/board?community=test&at={_asked(hours, minutes)}", headers={"cookie": ""})
        assert page.status_code == 200
        return page.text

    first = await board(5)  # the cards as of the first publication are kept, then shown for other moments
    assert "旧通知" in first and "新通知" not in first and "异议" not in first
    for minutes in (1, 2):
        again = await board(5, minutes)
        assert "旧通知" in again and "新通知" not in again and "异议" not in again, "nothing published later"
        assert f"?at={_asked(5, minutes).replace(':', '%3A')}" in again, "the link is to the moment asked for"
    objected = await board(15)
    assert "异议 1 条，已答复 0 条" in objected and "新通知" not in objected
    both = await board(25)
    assert "新通知" in both and "异议 1 条，已答复 0 条" in both, "the answer came later"
    assert "异议 1 条，已答复 1 条" in await board(35)
    objected_again = await board(15, 1)  # kept from the moment before: still unanswered, still one notice
    assert "异议 1 条，已答复 0 条" in objected_again and "新通知" not in objected_again
    assert "旧通知" not in await board(-5), "before the first publication: an empty board"
    now = (await client.get("/board?community=test", headers={"cookie": ""})).text
    assert "新通知" in now and "异议 1 条，已答复 1 条" in now and "?at=" not in now.split('class="cards"')[1][:2000]


async def test_a_correction_and_a_new_notice_after_a_kept_moment_change_only_later_moments(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    cid = place.community_id
    notice = Notice.draft_new(Ctx(cid, None, _at(0)), uuid4(), "affairs", "停水通知", "内容。" * 10)
    notice.publish(Ctx(cid, None, _at(0)), Terms(review_required=False))
    rt.store.save(notice)
    await settle(rt)
    asked = f"/board?community=test&at={_asked(30)}"
    assert "停水通知" in (await client.get(asked, headers={"cookie": ""})).text

    notice = rt.store.repository.get(notice.id)
    notice.revise(Ctx(cid, None, _at(20)), "停水通知（更正）", "内容。" * 10, "时间有误")
    notice.publish(Ctx(cid, None, _at(20)), Terms(review_required=False))
    rt.store.save(notice)
    await _publish_elsewhere(rt, cid, _at(25))
    await settle(rt)
    then = (await client.get(asked, headers={"cookie": ""})).text
    assert "停水通知（更正）" in then and "另一通知" in then, "what was projected since is on later moments"
    before = (await client.get(f"/board?community=test&at={_asked(10)}", headers={"cookie": ""})).text
    assert "停水通知" in before and "（更正）" not in before and "另一通知" not in before


async def _publish_elsewhere(rt, community_id: UUID, at: datetime) -> None:
    other = Notice.draft_new(Ctx(community_id, None, at), uuid4(), "party", "另一通知", "内容。" * 10)
    other.publish(Ctx(community_id, None, at), Terms(review_required=False))
    rt.store.save(other)


async def test_a_board_kept_for_everyone_shows_each_signed_in_reader_their_own_name_and_token(client):
    """The body of the board as of a moment is kept for everyone, the page around it for each reader: two residents
    and an anonymous visitor asking for the same moment each get the same notices in their own page."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    notice = Notice.draft_new(Ctx(place.community_id, None, _at(0)), uuid4(), "affairs", "停水通知", "内容。" * 10)
    notice.publish(Ctx(place.community_id, None, _at(0)), Terms(review_required=False))
    rt.store.save(notice)
    await settle(rt)
    readers = []
    for phone in place.phones:
        client.cookies.clear()
        await sign_in(client, phone)
        readers.append("; ".join(f"{name}={value}" for name, value in client.cookies.items()))
    client.cookies.clear()
    await settle(rt)  # their sign-ins projected: what is kept stays kept
    tokens = [cookie.split("csrftoken=")[1].split(";")[0] for cookie in readers]
    asked = f"/board?at={_asked(5)}"
    for _ in range(2):  # rendered, then from what is kept
        pages = [(await client.get(asked, headers={"cookie": cookie})).text for cookie in readers]
        for mine, theirs, page, token in zip((0, 1), (1, 0), pages, tokens, strict=True):
            assert "停水通知" in page and f"居民test{mine}" in page and f"居民test{theirs}" not in page
            assert f'"x-csrftoken": "{token}"' in page and tokens[theirs] not in page
        anonymous = (await client.get(f"/board?community=test&at={_asked(5)}", headers={"cookie": ""})).text
        assert "停水通知" in anonymous and "居民test" not in anonymous and tokens[0] not in anonymous
    shown = SHOWN[rt.projector].kept
    assert len(shown.skeletons) == 1 and len(shown.frames) == 3, "one body for everyone, a frame for each reader"


async def test_the_moment_asked_is_put_in_the_kept_body_as_typed_escaped_and_in_links(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    notices = []
    for n in range(PAGE + 1):  # a second page, as of the moment asked
        notice = Notice.draft_new(Ctx(place.community_id, None, _at(n)), uuid4(), "party", f"通知{n:02}", "内容。")
        notice.publish(Ctx(place.community_id, None, _at(n)), Terms(review_required=False))
        notices.append(notice)
    rt.store.save(*notices)
    await settle(rt)
    for minutes in (0, 1):  # the second moment's body is the first's, kept
        typed = _asked(30, minutes).replace("T", " ")  # as a reader may type it: with a space
        page = (await client.get("/board", params={"community": "test", "at": typed}, headers={"cookie": ""})).text
        query = quote(typed, safe="/")
        assert f'name="at" type="datetime-local" value="{typed}"' in page, "the form keeps the moment as typed"
        assert f"/board/notices/{notices[PAGE].id}?at={query}" in page, "a card links to the notice as of then"
        assert f"&at={query}&page=2" in page and "通知00" not in page, "the next page, as of the same moment"
        local = (_at(30) + timedelta(minutes=minutes)).astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
        banner = page.split('<p class="flash info" role="status">')[1].split("</p>")[0]
        assert local in banner and "&lt;" not in page, "the banner says the moment asked for; nothing escaped twice"
        second = await client.get(
            "/board", params={"community": "test", "at": typed, "page": 2}, headers={"cookie": ""}
        )
        assert "通知00" in second.text and "通知01" not in second.text
    refused = await client.get("/board?community=test&at=2026-02-30 10:00", headers={"cookie": ""})
    assert refused.status_code == 422 and 'value="2026-02-30 10:00"' in refused.text
