"""Requests that got a server error (500), or wrote what a view could not hold, each found by the API fuzz
(fuzz/run.py): now each gets a page or a clear refusal, and nothing half-written (DESIGN 4.10)."""

from __future__ import annotations

import time
from uuid import UUID

from backend.deliberation.commands import proposals
from backend.kernel.context import Ctx
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_residents_http import form_post, settle
from tests.test_services_http import catalog

PAST_64_BITS = "99999999999999999999"  # more than a view's INTEGER (SQLite) or BIGINT (PostgreSQL) holds


async def test_a_sitting_at_the_first_hour_a_date_holds_is_refused_with_the_forms_message(client):
    """Year 1, 00:00 in China is before the first moment a datetime holds in UTC: it was an OverflowError."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3, threshold=1)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "party_committee", now=NOW)
    proposal = await proposals.submit(rt, Ctx(place.community_id, place.residents[2], NOW), "修路", "坑洼", "other", [])
    pid = UUID(proposal.result["proposal_id"])
    await proposals.cosign(rt, Ctx(place.community_id, place.residents[1], NOW), pid)
    await settle(rt)
    await sign_in(client, place.phones[0])
    matter = (await form_post(client, f"/proposals/{pid}", f"/proposals/{pid}/matter", {})).headers["location"]
    before = rt.event_count()
    for starts_at in ("0001-01-01T00:00", "0001-01-01T07:59"):
        sitting = {"body": "party_committee", "place": "活动室", "starts_at": starts_at, "motion": "同意"}
        refused = await form_post(client, matter, f"{matter}/meetings", sitting)
        assert refused.status_code == 422 and "日期和时间" in refused.text, (starts_at, refused.status_code)
    assert rt.event_count() == before


async def test_the_inbox_refuses_to_mark_read_up_to_a_position_the_log_cannot_have(client):
    """It was recorded, and the inbox view could not store it: the inbox projection stopped for everyone."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await sign_in(client, place.phones[0])
    before = rt.event_count()
    for up_to in (PAST_64_BITS, str(2**63), str(rt.event_count() + 1000)):
        answer = await form_post(client, "/inbox", "/inbox/read", {"up_to": up_to})
        assert answer.status_code == 303, up_to  # the inbox again, with nothing new marked read
    assert rt.event_count() == before
    await settle(rt)  # the projections keep up (a stuck one never would)
    assert (await client.get("/inbox")).status_code == 200


async def test_a_push_subscription_that_is_not_json_is_refused(client):
    """The body could not be decoded and the handler's own refusals did not cover it: it was a 500."""
    place = await community(app_runtime(client), NOW, residents=1)
    await sign_in(client, place.phones[0])
    headers = {"x-csrftoken": client.cookies.get("csrftoken"), "content-type": "application/json"}
    for path in ("/inbox/phones", "/inbox/phones/off"):
        answer = await client.post(path, content=b'{"endpoint": ', headers=headers)
        assert answer.status_code == 400, (path, answer.status_code)
        listed = await client.post(path, content=b"[1, 2]", headers=headers)
        assert 400 <= listed.status_code < 500, (path, listed.status_code)


async def test_the_days_a_page_shows_are_days_whose_neighbours_exist(client):
    """A service's week from 9999-12-31, or the provider's day 9999-12-31 (and its "next day" link), ran past the
    last date a date holds: now such a day is not taken, and the page shows today, as for a day that is no date."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "service_provider", now=NOW)
    service, _ = await catalog(client, rt, place)
    for day in ("9999-12-31", "9999-12-25", "0001-01-01"):
        page = await client.get(f"{service}?start={day}")
        assert page.status_code == 200, (day, page.status_code)
    await sign_in(client, place.phones[1])
    for day in ("9999-12-31", "0001-01-01"):
        page = await client.get(f"/provide?on={day}")
        assert page.status_code == 200, (day, page.status_code)
    assert (await client.get("/volunteer?on=9999-12-31")).status_code == 200


async def test_a_moment_before_the_first_hour_a_date_holds_is_refused_on_the_board(client):
    """0001-01-01 00:00 in China is before what a datetime holds in UTC: comparing it was an OverflowError."""
    await community(app_runtime(client), NOW, residents=1)
    page = await client.get("/board", params={"at": "0001-01-01 00:00"})
    assert page.status_code == 422 and "填写时间" in page.text  # "Give the moment as YYYY-MM-DD HH:MM."


async def test_a_board_page_or_a_log_position_past_64_bits_is_an_answer_not_an_error(client):
    """They went into the views' queries as they were, and SQLite refused them (PostgreSQL too)."""
    await community(app_runtime(client), NOW, residents=1)
    assert (await client.get("/board", params={"page": PAST_64_BITS})).status_code == 200
    assert (await client.get("/board", params={"page": str(2**63 - 1)})).status_code == 200
    for position in (PAST_64_BITS, str(2**63 - 1), "-1"):
        verify = await client.get("/verify", params={"position": position})
        assert verify.status_code == 404 and "这个位置没有事件" in verify.text, (position, verify.status_code)


async def test_a_schedule_with_a_weekday_that_only_looks_like_a_digit_comes_back_with_the_forms_message(client):
    """"²" is a digit to str.isdigit but no number to int(): showing the refused form again was a ValueError."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "service_provider", now=NOW)
    _, service_id = await catalog(client, rt, place)
    await sign_in(client, place.phones[1])
    before = rt.event_count()
    schedule = {"first_day": "", "weeks": "1", "opens": "09:00", "closes": "10:00", "slot_minutes": "30"}
    for weekday in ("²", "٣٣", "7"):
        fields = {**schedule, "capacity": "1", "place": "卫生站", "skipped": "", "weekdays": weekday}
        page = f"/services/{service_id}/schedule"
        refused = await form_post(client, page, page, fields)
        assert refused.status_code == 422, (weekday, refused.status_code)
    assert rt.event_count() == before


async def test_a_household_register_with_a_superscript_digit_in_a_name_still_lists(client):
    """The register sorts "2栋" before "10栋" by the numbers in the names: a "²" was taken for one, and every page
    listing the households failed."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await grant(rt, place, 0, "clerk", now=NOW)
    await sign_in(client, place.phones[0])
    added = await form_post(
        client, "/clerk/households", "/clerk/households", {"building": "²", "unit": "1单元", "room": "101室"}
    )
    assert added.status_code == 303
    await settle(rt)
    page = await client.get("/clerk/households")
    assert page.status_code == 200 and "²" in page.text
    assert (await client.get("/register/household", params={"building": "²"})).status_code == 200


async def test_an_amount_with_a_huge_exponent_is_refused_at_once(client):
    """"1e999998" overflowed the decimal context (a 500); "1e999990" became a million-digit number of fen, which
    took the web process half a minute before the entry was refused as too large."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await grant(rt, place, 0, "clerk", now=NOW)
    await sign_in(client, place.phones[0])
    before = rt.event_count()
    entry = {"kind": "expense", "on": "2026-10-10", "category": "activities", "counterparty": "王建国"}
    for amount in ("1e999998", "1e999990", "1" + "0" * 5000):
        started = time.monotonic()
        fields = {**entry, "amount": amount}
        refused = await form_post(client, "/disclosure/finance", "/disclosure/finance/entries", fields)
        assert refused.status_code == 422 and "金额过大" in refused.text, (amount[:12], refused.status_code)
        assert time.monotonic() - started < 5, amount[:12]
    assert rt.event_count() == before


async def test_text_with_a_nul_character_is_refused_wherever_it_comes_from(client):
    """PostgreSQL's text takes no NUL: a proposal titled with one was recorded and stopped the proposals' view for
    everyone at that event, and a search for one failed in the query. A form, a search or a phone's JSON holding
    one is refused, and nothing is written (on SQLite the same, so that both stores say the same)."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await grant(rt, place, 0, "clerk", now=NOW)
    await sign_in(client, place.phones[0])
    before = rt.event_count()
    proposal = {"title": "楼道灯\x00坏了", "description": "晚上很黑，老人容易摔倒，请更换。", "category": "facilities"}
    refused = await form_post(client, "/proposals/new", "/proposals/new", proposal)
    assert refused.status_code == 400 and "NUL" in refused.text, refused.status_code
    assert (await client.get("/clerk/residents", params={"q": "王\x00"})).status_code == 400
    headers = {"x-csrftoken": client.cookies.get("csrftoken")}
    phone = {"endpoint": "https://push.example/a\x00b", "keys": {"p256dh": "BPk", "auth": "YXV0aA"}}
    assert (await client.post("/inbox/phones", json=phone, headers=headers)).status_code == 422
    assert rt.event_count() == before
    await settle(rt)
    assert (await client.get("/proposals")).status_code == 200
