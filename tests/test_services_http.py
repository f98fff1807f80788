"""Service bookings through HTTP with the real stores: the clerk keeps the catalog, the provider publishes a weekly
schedule, residents book, wait, are promoted and told (the bell, the inbox), download a calendar entry, rate the
service, and the board shows its rates. Bad input gets a clear message and writes nothing. Views are read through
pages (on PostgreSQL they belong to the app's event loop)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from uuid import UUID, uuid4

from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from backend.services import commands
from backend.services.domain.rules import BookingRules, booking_id_for, slot_id_for
from backend.services.domain.schedule import Schedule
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_residents_http import form_post, settle

SCHEDULE = {
    "first_day": "",
    "weeks": "1",
    "opens": "09:00",
    "closes": "10:00",
    "slot_minutes": "30",
    "capacity": "1",
    "place": "卫生站",
    "skipped": "",
}


async def catalog(client, rt, place, confirm: bool = False) -> tuple[str, str]:
    """Through the clerk's pages: a provider with resident 1's account and a service. Returns the service's path
    and id."""
    await sign_in(client, place.phones[0])
    made = await form_post(client, "/services/catalog", "/providers", {"name": "幸福里卫生服务站"})
    assert made.status_code == 303
    await settle(rt)
    page = (await client.get("/services/catalog")).text
    provider_id = re.search(r'action="/providers/([0-9a-f-]{36})/members"', page).group(1)
    added = await form_post(
        client, "/services/catalog", f"/providers/{provider_id}/members", {"resident_id": str(place.residents[1])}
    )
    assert added.status_code == 303
    form = {"provider_id": provider_id, "name": "家庭医生坐诊", "category": "doctor", "description": "量血压"}
    rules = {"min_notice_hours": "2", "cancel_hours": "2", "per_week": "1", **({"confirm": "1"} if confirm else {})}
    created = await form_post(client, "/services/catalog", "/services/new", {**form, **rules})
    assert created.status_code == 303
    await settle(rt)
    return created.headers["location"], created.headers["location"].rsplit("/", 1)[1]


def local_day(days: int) -> str:
    return (datetime.now(LOCAL_ZONE) + timedelta(days=days)).date().isoformat()


async def test_the_clerk_keeps_the_catalog_the_provider_publishes_and_bad_input_writes_nothing(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "service_provider", now=NOW)
    service, _ = await catalog(client, rt, place)
    page = (await client.get("/services/catalog")).text
    provider_id = re.search(r'<option value="([0-9a-f-]{36})"', page).group(1)
    before = rt.event_count()
    for bad, message in [
        ({"per_week": "0"}, "1 至 20"),
        ({"min_notice_hours": "很多"}, "0 至 168"),
        ({"name": ""}, "服务需要名称"),
        ({"category": "spa"}, "请选择"),
        ({"provider_id": "nonsense"}, "服务方"),
        ({"provider_id": str(uuid4())}, "没有这个服务方"),
    ]:
        form = {"provider_id": provider_id, "name": "水电维修", "category": "repair", "description": "上门"}
        form.update({"min_notice_hours": "2", "cancel_hours": "2", "per_week": "1"})
        refused = await form_post(client, "/services/catalog", "/services/new", {**form, **bad})
        assert refused.status_code in (404, 409, 422) and message in refused.text, (bad, refused.status_code)
    refused = await form_post(client, "/services/catalog", "/providers/" + str(uuid4()) + "/members", {})
    assert refused.status_code == 404
    assert rt.event_count() == before
    assert (await client.get(f"{service}/schedule")).status_code == 403, "the clerk is not the provider"

    await sign_in(client, place.phones[1])
    schedule = {**SCHEDULE, "first_day": local_day(2), "weekdays": ["0", "1", "2", "3", "4", "5", "6"]}
    for bad, message in [
        ({"weekdays": []}, "至少选择一个星期几"),
        ({"closes": "08:00"}, "结束时间须晚于开始时间"),
        ({"first_day": "后天"}, "开始日期"),
        ({"first_day": "2020-01-01"}, "将来"),
        ({"slot_minutes": "5"}, "15 至 240"),
        ({"capacity": "0"}, "1 至 500"),
        ({"weeks": "13"}, "1 至 12"),
        ({"skipped": "元旦"}, "跳过的日期"),
        ({"opens": "09:00", "closes": "09:10"}, "必须在开始与结束时间之内"),
    ]:
        refused = await form_post(client, f"{service}/schedule", f"{service}/schedule", {**schedule, **bad})
        assert refused.status_code in (409, 422) and message in refused.text, (bad, refused.status_code)
    assert rt.event_count() == before
    published = await form_post(client, f"{service}/schedule", f"{service}/schedule", schedule)
    assert published.status_code == 303
    await settle(rt)
    overlapping = {**schedule, "opens": "09:30", "closes": "11:00"}
    refused = await form_post(client, f"{service}/schedule", f"{service}/schedule", overlapping)
    assert refused.status_code == 422 and "重叠" in refused.text
    page = await client.get(published.headers["location"])
    assert page.text.count('id="slot-') == 14 and "已约 0 / 1" in page.text  # 7 days × 2 slots
    assert "排班" in (await client.get("/provide")).text


async def test_book_wait_promotion_bell_calendar_and_bad_bookings(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=4)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "service_provider", now=NOW)
    service, service_id = await catalog(client, rt, place)
    await sign_in(client, place.phones[1])
    day = local_day(3)
    schedule = {**SCHEDULE, "first_day": day, "weekdays": [str(datetime.fromisoformat(day).weekday())]}
    assert (await form_post(client, f"{service}/schedule", f"{service}/schedule", schedule)).status_code == 303
    await settle(rt)
    first = datetime.combine(datetime.fromisoformat(day).date(), time(9), LOCAL_ZONE)
    slot, second = slot_id_for(UUID(service_id), first), slot_id_for(UUID(service_id), first + timedelta(minutes=30))

    await sign_in(client, place.phones[2])
    before = rt.event_count()
    refused = await form_post(client, service, f"/slots/{slot}/book", {"note": "长" * 201})
    assert refused.status_code == 422 and "备注最多 200 字" in refused.text
    assert (await form_post(client, service, f"/slots/{uuid4()}/book", {})).status_code == 404
    assert rt.event_count() == before
    booked = await form_post(client, service, f"/slots/{slot}/book", {"note": "血压偏高"})
    assert booked.status_code == 303
    await settle(rt)
    refused = await form_post(client, service, f"/slots/{second}/book", {})
    assert refused.status_code == 409 and "次数已达上限" in refused.text
    calendar = await client.get(f"/bookings/{booking_id_for(slot, place.residents[2])}/calendar.ics")
    assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in calendar.text and "家庭医生坐诊" in calendar.text and "Asia/Shanghai" in calendar.text

    await sign_in(client, place.phones[3])
    assert (await client.get(f"/bookings/{booking_id_for(slot, place.residents[2])}/calendar.ics")).status_code == 404
    refused = await form_post(client, service, f"/slots/{slot}/book", {})
    assert refused.status_code == 409 and "已约满" in refused.text
    waiting = await form_post(client, service, f"/slots/{slot}/book", {"waitlist": "1"})
    assert waiting.status_code == 303
    await settle(rt)
    assert "候补第 1 位" in (await client.get("/bookings")).text

    await sign_in(client, place.phones[2])
    assert (await form_post(client, "/bookings", f"/slots/{slot}/cancel", {"back": "bookings"})).status_code == 303
    await settle(rt)
    await sign_in(client, place.phones[3])
    mine = await client.get("/bookings")
    assert "已预约" in mine.text and "候补第" not in mine.text
    assert re.search(r'class="count">1<', mine.text), "the bell counts one unread notification"
    inbox = await client.get("/inbox")
    assert "名额已归您" in inbox.text
    up_to = re.search(r'name="up_to" value="(\d+)"', inbox.text).group(1)
    assert (await form_post(client, "/inbox", "/inbox/read", {"up_to": up_to})).status_code == 303
    await settle(rt)
    assert 'class="count"' not in (await client.get("/inbox")).text

    token = client.cookies.get("csrftoken")
    headers = {"x-csrftoken": token}
    for endpoint in (
        "ftp://x",
        "http://push.example/a",
        "https://127.0.0.1:5432/",
        "https://10.1.2.3/x",
        "https://localhost/x",
    ):
        phone = {"endpoint": endpoint, "keys": {"p256dh": "BPk", "auth": "YXV0aA"}}
        refused = await client.post("/inbox/phones", json=phone, headers=headers)
        assert refused.status_code == 422, endpoint
    phone = {"endpoint": "https://push.example/abc", "keys": {"p256dh": "BPk", "auth": "YXV0aA"}}
    assert (await client.post("/inbox/phones", json=phone, headers=headers)).status_code == 201
    await settle(rt)
    assert "已有 1 部手机接收通知" in (await client.get("/inbox")).text
    assert (await client.post("/inbox/phones/off", json={"endpoint": phone["endpoint"]}, headers=headers)).is_success
    await settle(rt)
    assert "部手机接收通知" not in (await client.get("/inbox")).text


async def test_the_provider_marks_done_the_resident_rates_and_the_board_shows_the_rates(client):
    """Set up in the past through the commands (they take their time from the context); then, now that the slot
    is over, through the pages."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=4)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "service_provider", now=NOW)
    clerk, provider = Ctx(place.community_id, place.residents[0], NOW), Ctx(place.community_id, place.residents[1], NOW)
    made = await commands.create_provider(rt, clerk, "幸福里卫生服务站", "")
    provider_id = UUID(made.result["provider_id"])
    await commands.add_member(rt, Ctx(place.community_id, place.residents[0], NOW), provider_id, place.residents[1])
    made = await commands.create_service(
        rt,
        Ctx(place.community_id, place.residents[0], NOW),
        provider_id,
        "家庭医生坐诊",
        "doctor",
        "量血压",
        BookingRules(0, 0, 5, True),
    )
    service_id = UUID(made.result["service_id"])
    day = datetime(2026, 11, 3, tzinfo=UTC).date()
    await commands.publish_schedule(
        rt, provider, service_id, Schedule(day, 1, frozenset({1}), time(9), time(10), 30, 2, "卫生站")
    )
    slot = slot_id_for(service_id, datetime.combine(day, time(9), LOCAL_ZONE))
    for index in (2, 3):
        await commands.book(rt, Ctx(place.community_id, place.residents[index], NOW), slot)
    await settle(rt)

    await sign_in(client, place.phones[1])
    page = f"/provide?on={day}"
    assert "居民test2" in (await client.get(page)).text, "the provider sees who booked"
    actions = f"/slots/{slot}/bookings"
    late = await form_post(client, page, f"{actions}/{place.residents[2]}/confirm", {})
    assert late.status_code == 409 and "这个时段已结束" in late.text
    refused = await form_post(client, page, f"{actions}/{place.residents[3]}/decline", {"reason": ""})
    assert refused.status_code == 422 and "请说明原因" in refused.text
    assert (await form_post(client, page, f"{actions}/{place.residents[2]}/done", {})).status_code == 303
    assert (await form_post(client, page, f"{actions}/{place.residents[3]}/no-show", {})).status_code == 303
    assert (await form_post(client, page, f"{actions}/{place.residents[3]}/done", {})).status_code == 409
    assert (await form_post(client, page, f"{actions}/{place.residents[3]}/cheer", {})).status_code == 404
    await settle(rt)

    await sign_in(client, place.phones[3])
    refused = await form_post(client, "/bookings", f"/slots/{slot}/rate", {"stars": "5", "back": "bookings"})
    assert refused.status_code == 409 and "只有已办结的预约才能评价" in refused.text
    await sign_in(client, place.phones[2])
    assert "服务怎么样" in (await client.get("/bookings")).text
    refused = await form_post(client, "/bookings", f"/slots/{slot}/rate", {"stars": "6", "back": "bookings"})
    assert refused.status_code == 422 and "1 至 5 星" in refused.text
    rated = await form_post(client, "/bookings", f"/slots/{slot}/rate", {"stars": "4", "comment": "很耐心"})
    assert rated.status_code == 303
    again = await form_post(client, "/bookings", f"/slots/{slot}/rate", {"stars": "4", "back": "bookings"})
    assert again.status_code == 409 and "已评价过" in again.text
    await settle(rt)
    board = (await client.get("/services?community=test")).text
    assert "家庭医生坐诊" in board
    rates = re.findall(r"<dd>([^<]*)</dd>", board)
    assert rates[:3] == ["100%", "100%", "100% (1 条评价)"], rates
