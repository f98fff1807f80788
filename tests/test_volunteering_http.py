"""Volunteering through HTTP with the real stores: the leader sets up a team and an activity, residents sign up
and join the waitlist, check in with the rotating code, the leader confirms hours, a correction is asked for and
approved, a certificate is printed and verified. Bad input gets a clear message and writes nothing. Views are read
through pages (on PostgreSQL they belong to the app's event loop)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from backend.kernel import codes
from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from backend.volunteering import commands
from backend.volunteering.domain.activity import ActivityTerms
from backend.volunteering.domain.hours import record_id_for
from backend.volunteering.domain.shift import shift_id_for
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_residents_http import form_post, settle


async def test_a_leader_sets_up_an_activity_and_bad_input_writes_nothing(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await grant(rt, place, 0, "volunteer_leader", now=NOW)
    await sign_in(client, place.phones[0])
    founded = await form_post(client, "/teams", "/teams", {"name": "幸福里志愿服务队", "description": "助老"})
    assert founded.status_code == 303
    team = founded.headers["location"]
    day = (datetime.now(LOCAL_ZONE) + timedelta(days=2)).date().isoformat()
    form = {
        "title": "周六敬老",
        "description": "陪伴老人",
        "place": "敬老院",
        "category": "elderly",
        "beneficiary": "敬老院老人",
        "day": day,
        "start": "09:00",
        "end": "11:00",
        "weeks": "8",
        "capacity": "10",
        "min_age": "0",
        "offer_hours": "12",
    }
    before = rt.event_count()
    for bad, message in [
        ({"capacity": "0"}, "1 到 1000"),
        ({"capacity": "-5"}, "1 到 1000"),
        ({"capacity": "很多"}, "1 到 1000"),
        ({"end": "08:00"}, "最长 12 小时"),  # 09:00 to 08:00 the next day
        ({"day": "明天"}, "日期和起止时间"),
        ({"day": "2020-01-01"}, "将来"),
        ({"weeks": "99"}, "1 到 60"),
        ({"title": ""}, "标题"),
        ({"day": "9999-12-31", "start": "23:00", "end": "01:00"}, "一年之内"),
        ({"day": "0001-01-01"}, "将来"),
    ]:
        refused = await form_post(client, team, f"{team}/activities", {**form, **bad})
        assert refused.status_code in (409, 422) and message in refused.text, (bad, refused.status_code)
    assert rt.event_count() == before
    assert (await client.get(f"/volunteers/{uuid4()}/scan")).status_code == 404
    created = await form_post(client, team, f"{team}/activities", form)
    assert created.status_code == 303
    activity = created.headers["location"]
    await settle(rt)
    assert (await client.get(activity)).text.count('id="shift-') == 8
    await sign_in(client, place.phones[1])
    assert (await client.get(activity)).status_code == 404, "a draft is seen by its leaders only"
    assert (await client.get(team)).status_code == 403
    await sign_in(client, place.phones[0])
    assert (await form_post(client, activity, f"{activity}/publish", {})).status_code == 303
    await sign_in(client, place.phones[1])
    page = await client.get(activity)
    assert page.status_code == 200 and "周六敬老" in page.text and "报名" in page.text
    listed = await client.get(f"/volunteer?category=elderly&on={day}")
    assert "周六敬老" in listed.text
    assert "周六敬老" not in (await client.get("/volunteer?category=safety")).text

    await grant(rt, place, 1, "volunteer_leader", now=NOW)
    await sign_in(client, place.phones[0])
    assert "添加副队长" in (await client.get(team)).text
    assert (await form_post(client, team, f"{team}/leaders", {"resident_id": "nonsense"})).status_code == 422
    added = await form_post(client, team, f"{team}/leaders", {"resident_id": str(place.residents[1])})
    assert added.status_code == 303
    await settle(rt)
    await sign_in(client, place.phones[1])
    assert (await client.get(team)).status_code == 200, "the co-leader now leads the team"


async def test_sign_up_waitlist_check_in_hours_correction_and_certificate(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=4)
    await grant(rt, place, 0, "volunteer_leader", now=NOW)
    now = datetime.now(UTC)
    start = now + timedelta(minutes=10)
    leader = Ctx(place.community_id, place.residents[0], now)
    team_id = UUID((await commands.found_team(rt, leader, "队", "")).result["team_id"])
    terms = ActivityTerms("楼道清扫", "清扫楼道", "1栋", "environment", "1栋居民", offer_hours=0)
    created = await commands.create_activity(
        rt, Ctx(place.community_id, place.residents[0], now), team_id, terms, [(start, start + timedelta(hours=2))], 1
    )
    activity_id = created.result["activity_id"]
    await commands.publish_activity(rt, Ctx(place.community_id, place.residents[0], now), UUID(activity_id))
    await settle(rt)
    shift_id = str(shift_id_for(UUID(activity_id), start))
    page = f"/activities/{activity_id}"

    await sign_in(client, place.phones[1])
    assert (await form_post(client, page, f"/shifts/{shift_id}/signup", {})).status_code == 303
    assert "您已报名成功" in (await client.get(page)).text
    await sign_in(client, place.phones[2])
    before = rt.event_count()
    full = await form_post(client, page, f"/shifts/{shift_id}/signup", {})
    assert full.status_code == 409 and "候补" in full.text
    assert rt.event_count() == before
    assert (await form_post(client, page, f"/shifts/{shift_id}/signup", {"waitlist": "1"})).status_code == 303
    assert "您在候补名单中" in (await client.get(page)).text
    await sign_in(client, place.phones[1])
    assert (await form_post(client, page, f"/shifts/{shift_id}/cancel", {})).status_code == 303
    await settle(rt)
    after = (await client.get(page)).text
    assert f"/shifts/{shift_id}/signup" in after and "取消报名</button>" not in after, "after cancelling: sign up again"

    await sign_in(client, place.phones[2])
    checkin = f"/shifts/{shift_id}/checkin"
    wrong = await form_post(client, checkin, checkin, {"code": "000000"})
    assert wrong.status_code == 422 and "30 秒" in wrong.text
    code = codes.checkin_code(rt.personal.digest, UUID(shift_id), datetime.now(UTC))
    assert (await form_post(client, checkin, checkin, {"code": code})).status_code == 303
    assert (await form_post(client, checkin, f"/shifts/{shift_id}/checkout", {})).status_code == 303
    await settle(rt)

    await sign_in(client, place.phones[0])
    roster = await client.get(f"/shifts/{shift_id}")
    assert roster.status_code == 200 and "确认" in roster.text
    shown = await client.get(f"/shifts/{shift_id}/code", headers={"hx-request": "true"})
    assert "<svg" in shown.text
    confirmed = await form_post(
        client, f"/shifts/{shift_id}", f"/shifts/{shift_id}/hours", {"volunteer_id": str(place.residents[2])}
    )
    assert confirmed.status_code == 303
    await settle(rt)
    record = {"id": record_id_for(UUID(shift_id), place.residents[2])}

    await sign_in(client, place.phones[2])
    mine = await client.get("/me/volunteering")
    assert mine.status_code == 200 and "楼道清扫" in mine.text
    before = rt.event_count()
    negative = await form_post(
        client, "/me/volunteering", f"/hours/{record['id']}/correction", {"hours": "-1", "reason": "错"}
    )
    assert negative.status_code == 422 and "不能为负" in negative.text
    for nonsense in ("两小时", "nan", "1e999"):
        refused = await form_post(
            client, "/me/volunteering", f"/hours/{record['id']}/correction", {"hours": nonsense, "reason": "错"}
        )
        assert refused.status_code == 422 and "请用数字填写小时数" in refused.text, nonsense
    assert rt.event_count() == before
    asked = await form_post(
        client, "/me/volunteering", f"/hours/{record['id']}/correction", {"hours": "1.5", "reason": "提前到岗"}
    )
    assert asked.status_code == 303
    await settle(rt)
    await sign_in(client, place.phones[0])
    team_page = await client.get(f"/teams/{team_id}")
    assert "提前到岗" in team_page.text
    decided = await form_post(client, f"/teams/{team_id}", f"/hours/{record['id']}/decide", {"decision": "approve"})
    assert decided.status_code == 303
    await settle(rt)

    await sign_in(client, place.phones[2])
    assert "志愿之星" not in (await client.get("/volunteer")).text, "nobody agreed to be shown yet"
    shown = await form_post(client, "/me/volunteering", "/me/volunteering/honours", {"show": "1"})
    assert shown.status_code == 303
    await settle(rt)
    board = (await client.get("/volunteer")).text
    assert "本月服务时长榜" in board and "1.5 小时" in board
    assert re.search(r"<title>[^<]*</title>", board), "the honours are on the page, not in its title"
    today = datetime.now(LOCAL_ZONE).date()
    early = await form_post(
        client,
        "/me/volunteering",
        "/certificates",
        {"team_id": str(team_id), "period_from": "2020-01-01", "period_to": "2020-12-31"},
    )
    assert early.status_code == 422 and "没有已确认的服务时长" in early.text
    issued = await form_post(
        client,
        "/me/volunteering",
        "/certificates",
        {"team_id": str(team_id), "period_from": (today - timedelta(days=1)).isoformat(), "period_to": today},
    )
    assert issued.status_code == 303
    await settle(rt)
    printed = await client.get(issued.headers["location"])
    assert printed.status_code == 200 and "1.5" in printed.text and "<svg" in printed.text
    number, code = re.search(r"/verify/certificates/([0-9A-Z-]+)/([A-Z2-7]{16})", printed.text).groups()
    await sign_in(client, place.phones[3])  # anyone, even another resident, can verify
    verified = await client.get(f"/verify/certificates/{number}/{code}")
    assert verified.status_code == 200 and "真实有效" in verified.text and "楼道清扫" not in verified.text
    assert (await client.get(issued.headers["location"])).status_code == 404, "the print view is the owner's"
    by_number = await client.get(f"/verify/certificates/{number}")  # a guessable number alone shows nothing
    assert by_number.status_code == 200 and "真实有效" not in by_number.text and "查验码" in by_number.text
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert (await client.get(f"/verify/certificates/{number}/{altered}")).status_code == 404
    unknown = await client.get(f"/verify/certificates/2026-XXXX-00001/{code}")
    assert unknown.status_code == 404


async def test_a_clerk_signs_up_a_resident_at_the_counter_and_the_resident_sees_who_did(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    await grant(rt, place, 0, "volunteer_leader", now=NOW)
    await grant(rt, place, 1, "clerk", now=NOW)
    now = datetime.now(UTC)
    leader = Ctx(place.community_id, place.residents[0], now)
    team_id = UUID((await commands.found_team(rt, leader, "队", "")).result["team_id"])
    start = now + timedelta(days=2)
    terms = ActivityTerms("读报", "给老人读报", "活动室", "elderly", "老人", offer_hours=0)
    created = await commands.create_activity(
        rt, Ctx(place.community_id, place.residents[0], now), team_id, terms, [(start, start + timedelta(hours=1))], 1
    )
    await commands.publish_activity(
        rt, Ctx(place.community_id, place.residents[0], now), UUID(created.result["activity_id"])
    )
    await settle(rt)
    shift_id = shift_id_for(UUID(created.result["activity_id"]), start)
    resident = f"/clerk/residents/{place.residents[2]}"

    await sign_in(client, place.phones[0])  # not a clerk
    refused = await form_post(client, "/me/volunteering", f"{resident}/signup/{shift_id}", {})
    assert refused.status_code == 403
    await sign_in(client, place.phones[1])
    page = await client.get(resident)
    assert "读报" in page.text and "代为报名" in page.text
    assert (await form_post(client, resident, f"{resident}/signup/{shift_id}", {})).status_code == 303
    await settle(rt)
    assert f"/signup/{shift_id}" not in (await client.get(resident)).text, "no second sign-up offered"
    await sign_in(client, place.phones[2])
    mine = await client.get("/me/volunteering")
    assert "读报" in mine.text and "代为报名" in mine.text
