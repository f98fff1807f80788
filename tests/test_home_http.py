"""The home page (首页, issue 23) through HTTP with the real stores: a resident with an online ballot closing today, a
waitlist seat held for them, a shift today and a booking tomorrow sees them soonest first, with the time in words
and a 确认 button that takes the seat; a vote takes the ballot off the list; a clerk sees the desk's queue; a visitor
sees the board and how to register. Views are read through pages (on PostgreSQL they belong to the app's loop)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from backend.deliberation.commands import matters, meetings, proposals
from backend.deliberation.domain.rules import Body
from backend.home.web.when import at_words, left_words
from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands as resident_commands
from backend.services import commands as services
from backend.services.domain.rules import BookingRules, slot_id_for
from backend.services.domain.schedule import Schedule
from backend.volunteering import commands as volunteering
from backend.volunteering.domain.activity import ActivityTerms
from backend.volunteering.domain.shift import shift_id_for
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_residents_http import form_post, settle

BEFORE = (*(Body.PARTY_COMMITTEE, Body.JOINT_COMMITTEES, Body.PARTY_MEETING),)


def at(place, who, when) -> Ctx:
    return Ctx(place.community_id, who, when)  # a fresh command id each time


async def online_ballot(rt, place, closes: datetime) -> UUID:
    """A matter through ①–③ (members 1–3 sit and vote yes), then its residents' meeting as an online ballot that is
    open now and closes at `closes`: every resident is called."""
    clerk, members = place.residents[0], place.residents[1:4]
    for index in (1, 2, 3):
        await grant(rt, place, index, "party_committee", "representative", "party_member", now=NOW)
    matter = await matters.open_matter(rt, at(place, clerk, NOW), "加装电梯", "3栋加装电梯", None)
    matter_id = UUID(matter.result["matter_id"])
    sits = NOW + timedelta(days=11)
    for body in BEFORE:
        scheduled = await meetings.schedule(rt, at(place, clerk, NOW), matter_id, body, "活动室", sits, "同意", members)
        meeting_id = UUID(scheduled.result["meeting_id"])
        await meetings.open_ballot(rt, at(place, clerk, sits), meeting_id)
        for member in members:
            await meetings.vote(rt, at(place, member, sits), meeting_id, "yes")
        await meetings.close_ballot(rt, at(place, clerk, sits), meeting_id)
    opens = datetime.now(UTC) - timedelta(hours=1)
    scheduled = await meetings.schedule(
        rt, at(place, clerk, opens - timedelta(days=11)), matter_id, Body.RESIDENTS_MEETING, "网上", opens,
        "同意3栋加装电梯", place.residents, closes,
    )  # fmt: skip
    ballot = UUID(scheduled.result["meeting_id"])
    await meetings.open_ballot(rt, at(place, clerk, opens), ballot)
    return ballot


async def shift_offer_and_seat(rt, place, now: datetime) -> tuple[str, str]:
    """Resident 5 is seated on a shift starting in 3 hours, and waitlisted on a full one tomorrow whose seat is then
    offered to them for 2 hours (resident 4 cancels). Returns the two shift ids (offered, seated)."""
    await grant(rt, place, 0, "volunteer_leader", now=NOW)
    leader = place.residents[0]
    team_id = UUID((await volunteering.found_team(rt, at(place, leader, now), "志愿队", "")).result["team_id"])
    tomorrow = datetime.combine(now.astimezone(LOCAL_ZONE).date() + timedelta(days=1), time(10), LOCAL_ZONE)
    soon = now + timedelta(hours=3)
    shifts = {}
    for title, start, hours in (("楼道清扫", tomorrow, 2), ("敬老院探访", soon, 0)):
        terms = ActivityTerms(title, "一起干", "1栋", "environment", "1栋居民", offer_hours=hours)
        made = await volunteering.create_activity(
            rt, at(place, leader, now), team_id, terms, [(start, start + timedelta(hours=2))], 1
        )
        activity_id = UUID(made.result["activity_id"])
        await volunteering.publish_activity(rt, at(place, leader, now), activity_id)
        shifts[title] = shift_id_for(activity_id, start)
    offered, seated = shifts["楼道清扫"], shifts["敬老院探访"]
    await volunteering.sign_up(rt, at(place, place.residents[4], now), offered)
    await volunteering.sign_up(rt, at(place, place.residents[5], now), offered, waitlist=True)
    await volunteering.cancel(rt, at(place, place.residents[4], now), offered)
    await volunteering.sign_up(rt, at(place, place.residents[5], now), seated)
    return str(offered), str(seated)


async def booking_tomorrow(rt, place, now: datetime) -> None:
    """Resident 5 books the doctor's 09:00 session tomorrow (resident 6 is the provider)."""
    clerk, provider = place.residents[0], place.residents[6]
    await grant(rt, place, 6, "service_provider", now=NOW)
    made = await services.create_provider(rt, at(place, clerk, now), "卫生服务站", "")
    provider_id = UUID(made.result["provider_id"])
    await services.add_member(rt, at(place, clerk, now), provider_id, provider)
    made = await services.create_service(
        rt, at(place, clerk, now), provider_id, "家庭医生坐诊", "doctor", "量血压", BookingRules()
    )
    service_id = UUID(made.result["service_id"])
    day = now.astimezone(LOCAL_ZONE).date() + timedelta(days=1)
    plan = Schedule(day, 1, frozenset({day.weekday()}), time(9), time(10), 30, 1, "卫生站")
    await services.publish_schedule(rt, at(place, provider, now), service_id, plan)
    slot = slot_id_for(service_id, datetime.combine(day, time(9), LOCAL_ZONE))
    await services.book(rt, at(place, place.residents[5], now), slot, "")


async def test_a_resident_sees_what_needs_them_soonest_first_and_takes_the_offered_seat(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=7)
    await grant(rt, place, 0, "clerk", now=NOW)
    now = datetime.now(UTC)
    closes = now + timedelta(hours=5)
    ballot = await online_ballot(rt, place, closes)
    offered, seated = await shift_offer_and_seat(rt, place, now)
    await booking_tomorrow(rt, place, now)
    await settle(rt)

    await sign_in(client, place.phones[5])
    page = await client.get("/")
    assert page.status_code == 200, page.text[:500]
    html = page.text
    ids = [f'id="offer-{offered}"', f'id="shift-{seated}"', f'id="ballot-{ballot}"', 'id="booking-']
    found = [html.find(i) for i in ids]
    assert -1 not in found, list(zip(ids, found, strict=True))
    assert found == sorted(found), "soonest first: the offer (2 h), the shift (3 h), the ballot (5 h), the booking"
    assert "同意3栋加装电梯" in html and "加装电梯" in html and "居民会议" in html
    assert at_words(closes, now) in html and "截止" in html
    assert "还剩 4 小时" in html or "还剩 5 小时" in html, "the ballot's time left"
    assert "还剩 1 小时" in html or "还剩 2 小时" in html, "the offer's time left"
    assert "家庭医生坐诊" in html and "明天 09:00" in html
    assert "楼道清扫" in html and "敬老院探访" in html
    assert left_words(now + timedelta(minutes=30), now) == "还剩 30 分钟"

    # The offer's button is the volunteering page's own form: it takes the seat.
    form = re.search(rf'<form method="post" action="/shifts/{offered}/accept".*?</form>', html, re.S)
    assert form and 'name="_csrf_token"' in form.group(0) and "确认参加" in form.group(0)
    command_id = re.search(r'name="command_id" value="([0-9a-f]{32})"', form.group(0)).group(1)
    taken = await client.post(
        f"/shifts/{offered}/accept", data={"_csrf_token": client.cookies.get("csrftoken"), "command_id": command_id}
    )
    assert taken.status_code == 303, taken.text[:500]
    # Voting takes the ballot off the list.
    await form_post(client, f"/meetings/{ballot}", f"/meetings/{ballot}/vote", {"choice": "yes"})
    await settle(rt)
    html = (await client.get("/")).text
    assert f'id="offer-{offered}"' not in html and f'id="ballot-{ballot}"' not in html
    assert f'id="shift-{offered}"' in html, "the seat taken is now a shift tomorrow"


async def test_nothing_to_do_says_so_and_staff_see_their_queue(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await grant(rt, place, 0, "clerk", now=NOW)
    await resident_commands.register(
        rt, at(place, None, NOW), "新居民", "13712345678", place.households[1], "secret123"
    )  # waits for the clerk
    await settle(rt)
    await sign_in(client, place.phones[1])
    html = (await client.get("/")).text
    assert "现在没有需要您处理的事" in html and "没有新的答复" in html
    assert "待核验的登记" not in html, "a resident has no desk"
    await sign_in(client, place.phones[0])
    html = (await client.get("/")).text
    desk = re.search(r'<a href="/clerk">(.*?)</a> <strong class="badge">(\d+)</strong>', html)
    assert desk and desk.group(2) == "1", html[:3000]
    assert 'href="/cases/desk"' in html and 'href="/proposals/answers"' in html


async def test_a_visitor_sees_the_board_and_how_to_register(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1, passwords=False)
    await proposals.submit(rt, at(place, place.residents[0], NOW), "路灯不亮", "2栋门口", "other", [])
    await settle(rt)
    page = await client.get("/")
    assert page.status_code == 200
    assert 'href="/register"' in page.text and 'href="/board"' in page.text
    assert "公示" in page.text and "社区test" in page.text
    assert "路灯不亮" in page.text, "the community's news"
    assert "需要您处理" not in page.text


def test_times_are_said_as_a_resident_says_them():
    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in China
    assert at_words(now + timedelta(hours=3), now) == "今天 13:00"
    assert at_words(now + timedelta(hours=10), now) == "今晚 20:00"
    assert at_words(now + timedelta(hours=23), now) == "明天 09:00"
    assert at_words(now + timedelta(days=3), now) == "12-10 10:00"
    assert left_words(now + timedelta(minutes=30), now) == "还剩 30 分钟"
    assert left_words(now + timedelta(hours=1, minutes=59), now) == "还剩 2 小时"
    assert left_words(now + timedelta(days=3, hours=1), now) == "还剩 3 天"
    assert left_words(now - timedelta(minutes=1), now) == "已结束"
