"""社区动态 (issue 23 item 4) through HTTP with the real stores: the clerk posts (a photo re-encoded without its
metadata), pinned items come first, an expired item leaves the list and the home but keeps its address, an edit is a
new version with its history, a withdrawn item says why; an important notice is marked read once per resident, and
the clerk (only) sees who has not read it, per building; the home shows the news and the unread important notice,
and the notices of the board in their 公示 period the resident has not opened."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from PIL import Image

from backend.disclosure import commands as disclosure
from backend.disclosure.domain.notice import Notice
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.news import commands
from backend.news.domain.item import Draft, NewsItem
from backend.news.domain.reading import Reading
from backend.residents import commands as resident_commands
from backend.residents.domain.household import HouseholdRow, household_id_for
from tests.conftest import hidden
from tests.factories import app_runtime, community, count_topic, grant, sign_in
from tests.test_residents_http import form_post, settle


def at(place, who) -> Ctx:
    return Ctx(place.community_id, who, datetime.now(UTC))


def today():
    return datetime.now(LOCAL_ZONE).date()


async def clerk_place(client, residents: int = 4):
    rt = app_runtime(client)
    place = await community(rt, datetime.now(UTC) - timedelta(days=2), residents=residents)
    await grant(rt, place, 0, "clerk", now=datetime.now(UTC) - timedelta(days=2))
    return rt, place


def photo_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "LinliNewsCamera"  # Model
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG", exif=exif.tobytes())
    assert b"LinliNewsCamera" in out.getvalue()
    return out.getvalue()


async def post_form(client, data: dict, files=None):
    page = await client.get("/news/desk")
    assert page.status_code == 200, page.text[:300]
    fields = {"_csrf_token": client.cookies.get("csrftoken"), "command_id": hidden(page.text, "command_id"), **data}
    return await client.post("/news", data=fields, files=files or {"photo": ("", b"", "application/octet-stream")})


async def test_the_clerk_posts_pinned_first_expiry_edit_and_withdraw(client):
    rt, place = await clerk_place(client)
    clerk = place.residents[0]
    await sign_in(client, place.phones[0])
    posted = await post_form(
        client,
        {"category": "outage", "title": "12月9日停水通知", "text": "因管道维修，9日8:00–18:00停水。", "until": ""},
        files={"photo": ("pipe.jpg", photo_with_exif(), "image/jpeg")},
    )
    assert posted.status_code == 303, posted.text[:800]
    outage = posted.headers["location"].rsplit("/", 1)[-1]
    stored = rt.store.repository.get(UUID(outage))
    assert stored.draft.photo and stored.draft.category == "outage"
    kept = (await client.get(f"/uploads/{stored.draft.photo}")).content  # a file, or a row on PostgreSQL
    assert kept.startswith(b"\xff\xd8") and b"LinliNewsCamera" not in kept, "re-encoded without its metadata"

    yesterday = Ctx(place.community_id, clerk, datetime.now(UTC) - timedelta(days=1))
    older = await commands.post(rt, yesterday, Draft("policy", "高龄津贴申领", "80岁以上老人可申领。", pinned=True))
    last_day = await commands.post(rt, at(place, clerk), Draft("activity", "今天的义诊", "今天截止。", until=today()))
    await settle(rt)
    page = await client.get("/news")
    assert page.status_code == 200
    html = page.text
    pinned_at, outage_at = html.find(f'id="news-{older.result["news_id"]}"'), html.find(f'id="news-{outage}"')
    assert -1 < pinned_at < outage_at, "the pinned item first, though older"
    assert "已置顶" in html and "停水停电" in html
    assert f'hx-ws:connect="/live/news/{place.community_id}"' in html
    filtered = (await client.get("/news?category=policy")).text
    assert "高龄津贴申领" in filtered and "12月9日停水通知" not in filtered
    assert "筛选（已选 1 项）" in filtered, "the filter folded behind one button says it is in use"
    assert last_day.result["news_id"] in html, "its last day is today: still listed"

    # An edit is a new version; the history keeps the first.
    edited = await form_post(
        client,
        f"/news/{outage}/edit",
        f"/news/{outage}/edit",
        {"category": "outage", "title": "12月9日停水通知（更正）", "text": "改为9日8:00–12:00停水。", "until": ""},
        files={"photo": ("", b"", "application/octet-stream")},
    )
    assert edited.status_code == 303, edited.text[:800]
    unchanged = await form_post(
        client,
        f"/news/{outage}/edit",
        f"/news/{outage}/edit",
        {"category": "outage", "title": "12月9日停水通知（更正）", "text": "改为9日8:00–12:00停水。", "until": ""},
        files={"photo": ("", b"", "application/octet-stream")},
    )
    assert unchanged.status_code == 409 and "没有改动" in unchanged.text
    await settle(rt)
    item = (await client.get(f"/news/{outage}")).text
    assert "12月9日停水通知（更正）" in item and "第 2 版" in item and "历史版本" in item and "因管道维修" in item
    assert f"/uploads/{stored.draft.photo}" in item, "an edit without a new photo keeps the earlier one"

    withdrawn = await form_post(client, f"/news/{outage}/edit", f"/news/{outage}/withdraw", {"reason": ""})
    assert withdrawn.status_code == 422, "a reason is required"
    withdrawn = await form_post(client, f"/news/{outage}/edit", f"/news/{outage}/withdraw", {"reason": "维修取消"})
    assert withdrawn.status_code == 303
    await settle(rt)
    item = (await client.get(f"/news/{outage}")).text
    assert "已撤回" in item and "维修取消" in item
    assert f'id="news-{outage}"' not in (await client.get("/news")).text, "withdrawn: off the list"


async def test_expired_items_leave_the_list_and_the_home_but_keep_their_address(client):
    rt, place = await clerk_place(client)
    clerk = place.residents[0]
    long_ago = datetime.now(UTC) - timedelta(days=5)
    gone = await commands.post(
        rt,
        Ctx(place.community_id, clerk, long_ago),
        Draft("activity", "上周的义诊活动", "已结束。", until=(long_ago.astimezone(LOCAL_ZONE).date())),
    )
    await commands.post(rt, at(place, clerk), Draft("notice", "本周的通知", "照常。"))
    await settle(rt)
    await sign_in(client, place.phones[1])
    assert "上周的义诊活动" not in (await client.get("/news")).text
    home = (await client.get("/")).text
    assert "本周的通知" in home and "上周的义诊活动" not in home
    page = await client.get(f"/news/{gone.result['news_id']}")
    assert page.status_code == 200 and "上周的义诊活动" in page.text and "已过期" in page.text
    with pytest.raises(DomainError, match="cannot be in the past"):
        await commands.post(rt, at(place, clerk), Draft("notice", "过去", "x", until=today() - timedelta(days=1)))


async def test_an_important_notice_is_read_once_and_the_clerk_sees_who_has_not_by_building(client):
    rt, place = await clerk_place(client, residents=4)
    clerk = place.residents[0]
    # Two residents of 2栋 besides the four of 1栋.
    ctx = Ctx(place.community_id, None, datetime.now(UTC))
    await resident_commands.import_households(rt, ctx, [HouseholdRow(9, "2栋", "1单元", "201室", ())])
    home2 = household_id_for(place.community_id, "2栋", "1单元", "201室")
    for number, name in enumerate(("王二栋", "李二栋")):
        await resident_commands.register(rt, at(place, None), name, f"1370000000{number}", home2, "", verified=True)
    made = await commands.post(
        rt, at(place, clerk), Draft("notice", "消防安全重要通知", "请清理楼道杂物。", important=True)
    )
    news_id = made.result["news_id"]
    await settle(rt)

    await sign_in(client, place.phones[1])
    home = (await client.get("/")).text
    now_section = home[home.find('id="now"') : home.find('id="answers"')]
    assert "消防安全重要通知" in now_section and f'id="important-{news_id}"' in now_section, "unread: it needs them"
    page = (await client.get(f"/news/{news_id}")).text
    assert "我已阅读" in page and f'hx-post="/news/{news_id}/read"' in page
    assert (await client.get(f"/news/{news_id}/unread")).status_code == 403, "names are for staff only"
    assert "王二栋" not in page and "居民test2" not in page

    command_id = hidden(page, "command_id")
    token = client.cookies.get("csrftoken")
    first = await client.post(
        f"/news/{news_id}/read", data={"_csrf_token": token, "command_id": command_id}, headers={"HX-Request": "true"}
    )
    assert first.status_code == 200 and "您已于" in first.text and "<html" not in first.text, first.text[:500]
    again = await client.post(f"/news/{news_id}/read", data={"_csrf_token": token})  # another phone, a new key
    assert again.status_code == 303
    with pytest.raises(DomainError, match="already"):
        await commands.read(rt, at(place, place.residents[1]), UUID(news_id))
    assert count_topic(rt, Reading.Recorded) == 1, "read once"
    await settle(rt)
    home = (await client.get("/")).text
    assert f'id="important-{news_id}"' not in home[home.find('id="now"') : home.find('id="answers"')]
    assert "消防安全重要通知" in home, "still among the community's news"

    await sign_in(client, place.phones[2])
    await form_post(client, f"/news/{news_id}", f"/news/{news_id}/read", {})
    await settle(rt)
    await sign_in(client, place.phones[0])
    unread = await client.get(f"/news/{news_id}/unread")
    assert unread.status_code == 200
    html = unread.text
    assert "6 位居民中已有 2 位阅读。" in html, html[:3000]
    one, two = html[html.find("<h2>1栋</h2>") :], html[html.find("<h2>2栋</h2>") :]
    assert "2 人中有 2 人未读" in two[: two.find("</li>\n</ul>")] and "王二栋" in two and "2栋1单元201室" in two
    assert "4 人中有 2 人未读" in one[: one.find("</details>")] and "居民test3" in one and "居民test1" not in html
    assert "2 位居民已阅读" in (await client.get(f"/news/{news_id}")).text


async def test_only_important_standing_items_are_read_and_visitors_see_public_news(client):
    rt, place = await clerk_place(client, residents=2)
    clerk = place.residents[0]
    plain = await commands.post(rt, at(place, clerk), Draft("activity", "重阳节活动", "欢迎参加。"))
    await settle(rt)
    page = await client.get(f"/news/{plain.result['news_id']}")
    assert page.status_code == 200 and "重阳节活动" in page.text and "我已阅读" not in page.text
    assert "重阳节活动" in (await client.get("/news?community=test")).text
    assert "重阳节活动" in (await client.get("/")).text, "a visitor's home shows the news"
    await sign_in(client, place.phones[1])
    refused = await form_post(client, f"/news/{plain.result['news_id']}", f"/news/{plain.result['news_id']}/read", {})
    assert refused.status_code == 409 and "只有重要通知需要确认已读" in refused.text
    assert (await client.get("/news/desk")).status_code == 403
    assert count_topic(rt, NewsItem.Posted) == 1


async def test_the_home_lists_board_notices_in_their_period_until_opened(client):
    rt, place = await clerk_place(client, residents=3)
    clerk = place.residents[0]
    await community_rule_off(rt, place)
    made = await disclosure.draft(rt, at(place, clerk), "affairs", "活动室开放时间", "每天8点到20点。")
    notice_id = made.result["notice_id"]
    await disclosure.publish(rt, at(place, clerk), UUID(notice_id))
    await settle(rt)
    await sign_in(client, place.phones[1])
    home = (await client.get("/")).text
    now_section = home[home.find('id="now"') : home.find('id="answers"')]
    assert f'id="notice-{notice_id}"' in now_section and "活动室开放时间" in now_section
    assert (await client.get(f"/board/notices/{notice_id}")).status_code == 200  # opening it is the reading
    await client.get(f"/board/notices/{notice_id}")
    await settle(rt)
    assert count_topic(rt, Reading.Recorded) == 1, "opened twice, recorded once"
    home = (await client.get("/")).text
    assert f'id="notice-{notice_id}"' not in home[home.find('id="now"') : home.find('id="answers"')]
    assert "活动室开放时间" in home, "still in the 公示 section"
    assert count_topic(rt, Notice.Published) == 1


async def community_rule_off(rt, place) -> None:
    """The notice is published without the supervisors' review (the rulebook allows it), to keep the test short."""
    from backend.community import commands as community_commands

    await community_commands.set_rule(
        rt, Ctx(place.community_id, None, datetime.now(UTC)), "disclosure_review_required", 0, today()
    )


async def test_a_matters_resolution_notice_is_read_once_through_its_matter(runtime):
    """A ⑤ notice is on the board under an id of its own: its reading is checked against its matter."""
    from backend.deliberation.domain.rules import Stage
    from projections.disclosure.handlers import mirror_id
    from tests.test_meetings import fresh, publish_reviewed, resolve, setup

    place, clerk, matter_id, members = await setup(runtime)
    reader = Ctx(place.community_id, members[0], clerk.now)
    notice_id = mirror_id(matter_id, Stage.RESOLUTION_NOTICE)
    with pytest.raises(DomainError, match="No such notice"):  # nothing published yet
        await commands.read_notice(runtime, reader, notice_id, matter_id)
    await resolve(runtime, place, clerk, matter_id, members)
    await publish_reviewed(runtime, place, clerk, matter_id, Stage.RESOLUTION_NOTICE, "决议：3栋加装电梯")
    await commands.read_notice(runtime, fresh(reader), notice_id, matter_id)
    with pytest.raises(DomainError, match="already"):
        await commands.read_notice(runtime, fresh(reader), notice_id, matter_id)
    assert count_topic(runtime, Reading.Recorded) == 1


async def test_the_news_views_rebuilt_from_the_log_equal_the_incremental_ones(runtime):
    from tests.factories import snapshot

    place = await community(runtime, datetime.now(UTC) - timedelta(days=1), residents=3, passwords=False)
    await grant(runtime, place, 0, "clerk", now=datetime.now(UTC) - timedelta(days=1))
    clerk = place.residents[0]
    made = await commands.post(runtime, at(place, clerk), Draft("outage", "停电", "周四停电。", important=True))
    news_id = UUID(made.result["news_id"])
    corrected = Draft("outage", "停电（更正）", "周五停电。", important=True)
    await commands.edit(runtime, at(place, clerk), news_id, corrected)
    await commands.read(runtime, at(place, place.residents[1]), news_id)
    await commands.withdraw(runtime, at(place, clerk), news_id, "取消")
    await settle(runtime)
    incremental = await snapshot()
    assert len(incremental["NewsVersion"]) == 2 and len(incremental["ReadingView"]) == 1
    await runtime.projector.stop()
    await runtime.projector.reset(["news"])
    await runtime.projector.catch_up()
    assert await snapshot() == incremental
