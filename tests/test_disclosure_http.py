"""居务公开 through HTTP with the real stores: the clerk records a month's finance entries and drafts the report, the
supervisor approves it, it is published; a resident objects and the clerk answers; the board, time travel, the
print view, verification, exports and the open-data feed; the street's overview. Bad input gets a clear message and
writes nothing; an erased resident's name appears nowhere. Views are read through pages."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

from openpyxl import load_workbook

from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands as resident_commands
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_residents_http import form_post, settle


def last_month() -> str:
    first = datetime.now(LOCAL_ZONE).date().replace(day=1)
    previous = first - timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


async def test_finance_report_review_objection_answer_board_print_verify_and_exports(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=4)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "supervisor", now=NOW)
    await resident_commands.grant_role(
        rt, Ctx(place.community_id, None, NOW), place.residents[3], "street_operator", street="和平街道"
    )
    from backend.community import commands as community_commands

    await community_commands.set_street(rt, Ctx(place.community_id, None, NOW), "和平街道")
    month = last_month()
    day = f"{month}-10"

    await sign_in(client, place.phones[0])
    entry = {
        "kind": "expense",
        "on": day,
        "amount": "1234.50",
        "category": "activities",
        "counterparty": "王建国",
        "person": "1",
    }
    before = rt.event_count()
    for bad, message in [
        ({"amount": "12.345"}, "如 1234.50"),
        ({"amount": "-5"}, "如 1234.50"),
        ({"amount": "0"}, "必须大于零"),
        ({"amount": "99999999999"}, "金额过大"),
        ({"on": (datetime.now(LOCAL_ZONE).date() + timedelta(days=1)).isoformat()}, "不能晚于今天"),
        ({"on": "昨天"}, "请填写日期"),
        ({"category": "allocation"}, "请为这类账目选择科目"),
        ({"counterparty": ""}, "收付对象"),
    ]:
        refused = await form_post(client, "/disclosure/finance", "/disclosure/finance/entries", {**entry, **bad})
        assert refused.status_code == 422 and message in refused.text, (bad, refused.status_code)
    assert rt.event_count() == before
    for form in (
        entry,
        {
            **entry,
            "kind": "income",
            "category": "allocation",
            "amount": "5000",
            "counterparty": "和平街道办事处",
            "person": "",
        },
    ):
        assert (await form_post(client, "/disclosure/finance", "/disclosure/finance/entries", form)).status_code == 303
    await settle(rt)
    book = (await client.get("/disclosure/finance")).text
    assert "王*国" in book and "王建国" not in book and "3,765.50" in book
    drafted = await form_post(client, "/disclosure/finance", "/disclosure/finance/reports", {"month": month})
    assert drafted.status_code == 303
    notice = drafted.headers["location"]
    notice_id = notice.rsplit("/", 1)[1]
    refused = await form_post(client, notice, f"{notice}/publish", {})
    assert refused.status_code == 409 and "须经监督委员会审核" in refused.text
    assert (await form_post(client, notice, f"{notice}/submit", {})).status_code == 303

    await sign_in(client, place.phones[1])
    await settle(rt)
    review = await client.get("/review")
    assert "财务收支公开" in review.text and "5,000.00" in review.text
    assert (await form_post(client, "/review", f"/review/{notice_id}/approve", {})).status_code == 303

    await sign_in(client, place.phones[0])
    assert (await form_post(client, notice, f"{notice}/publish", {})).status_code == 303
    await settle(rt)
    board = await client.get("/board")
    assert board.status_code == 200 and "财务收支公开" in board.text and "财务" in board.text
    public = f"/board/notices/{notice_id}"
    page = await client.get(public)
    head = re.search(r'<code class="chain-head">([0-9a-f]{64})</code>', page.text).group(1)

    await sign_in(client, place.phones[2])
    refused = await form_post(client, public, f"{public}/objections", {"reason": ""})
    assert refused.status_code == 422 and "请写明异议理由" in refused.text
    objected = await form_post(client, public, f"{public}/objections", {"reason": "活动费用明细在哪里？"})
    assert objected.status_code == 303
    await sign_in(client, place.phones[0])
    await settle(rt)
    answered = await form_post(client, public, f"{public}/objections/1/answer", {"answer": "明细见账簿第 1 笔。"})
    assert answered.status_code == 303
    await settle(rt)
    page = (await client.get(public)).text
    assert "活动费用明细在哪里？" in page and "明细见账簿第 1 笔。" in page and "居*****2" in page

    yesterday = (datetime.now(LOCAL_ZONE) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    earlier = (await client.get(f"/board?at={yesterday}")).text
    assert "财务收支公开" not in earlier, "the board as of yesterday lacks today's notice"
    assert (await client.get("/board?at=昨天")).status_code == 422
    printed = await client.get(f"{public}/print")
    assert "<svg" in printed.text and head in printed.text and "（盖章）" in printed.text
    verified = await client.get(f"/verify?head={head}")
    assert verified.status_code == 200 and "一致" in verified.text and "财务收支公开" in verified.text
    unknown = await client.get(f"/verify?head={'0' * 64}")
    assert unknown.status_code == 404 and "记录中没有这个链头" in unknown.text

    exported = await client.get("/board/export/finance.csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    # Amounts are numbers (a spreadsheet sums them; a negative correction is no formula), without thousands separators.
    assert rows[0][0] == "序号" and rows[1][4] == "1234.50" and rows[1][5] == "王*国"
    workbook = load_workbook(io.BytesIO((await client.get("/board/export/notices.xlsx")).content))
    assert workbook.active.cell(row=2, column=8).value == head
    feed = (await client.get("/board/open-data.json")).json()
    assert [n["chain_head"] for n in feed["notices"]] == [head] and len(feed["finance"]) == 2
    assert (await client.get("/board/export/secrets.csv")).status_code == 404

    await sign_in(client, place.phones[3])
    street = (await client.get("/street")).text
    assert "逾期未公开" in street

    # Someone alters a stored event behind the application's back: the same chain head no longer verifies.
    from tests.test_projections import tamper

    tamper(rt.settings, 3)
    altered = await client.get(f"/verify?head={head}")
    assert altered.status_code == 409 and "记录不一致：事件 #3 被改动或缺失" in altered.text

    # 注销: the objector's name is gone from every page and export.
    await resident_commands.erase(rt, Ctx(place.community_id, None, NOW), place.residents[2])
    await settle(rt)
    page = (await client.get(public)).text
    assert "已注销居民" in page and "居*****2" not in page and "居民test2" not in page
    for path in ("/board/export/notices.csv", "/board/export/finance.csv", "/board/open-data.json", "/board"):
        assert "居民test2" not in (await client.get(path)).text


async def test_a_clerks_notice_with_a_correction_and_the_supervisors_return(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "supervisor", now=NOW)
    await sign_in(client, place.phones[0])
    before = rt.event_count()
    for bad, message in [({"title": ""}, "公告需要标题"), ({"category": "gossip"}, "请选择类别")]:
        form = {"category": "affairs", "title": "停水通知", "text": "周二停水", **bad}
        refused = await form_post(client, "/disclosure", "/disclosure/notices", form)
        assert refused.status_code == 422 and message in refused.text
    assert rt.event_count() == before
    client.cookies.clear()  # an anonymous reader keeps the board's page…
    assert "停水通知" not in (await client.get("/board?community=test")).text
    await sign_in(client, place.phones[0])
    made = await form_post(
        client,
        "/disclosure",
        "/disclosure/notices",
        {"category": "affairs", "title": "停水通知", "text": "周二 9:00–12:00 停水"},
    )
    notice = made.headers["location"]
    notice_id = notice.rsplit("/", 1)[1]
    assert (await form_post(client, notice, f"{notice}/submit", {})).status_code == 303
    await sign_in(client, place.phones[1])
    refused = await form_post(client, "/review", f"/review/{notice_id}/return", {"reason": ""})
    assert refused.status_code == 422
    assert (
        await form_post(client, "/review", f"/review/{notice_id}/return", {"reason": "写明区域"})
    ).status_code == 303
    await sign_in(client, place.phones[0])
    await settle(rt)
    assert "写明区域" in (await client.get(notice)).text
    revised = {"title": "停水通知", "text": "1–3栋 周二 9:00–12:00 停水"}
    assert (await form_post(client, notice, f"{notice}/revise", revised)).status_code == 303
    assert (await form_post(client, notice, f"{notice}/submit", {})).status_code == 303
    await sign_in(client, place.phones[1])
    assert (await form_post(client, "/review", f"/review/{notice_id}/approve", {})).status_code == 303
    await sign_in(client, place.phones[0])
    assert (await form_post(client, notice, f"{notice}/publish", {})).status_code == 303
    await settle(rt)
    refused = await form_post(client, notice, f"{notice}/revise", {"title": "停水通知", "text": "改为周三"})
    assert refused.status_code == 422 and "更正的内容" in refused.text
    corrected = {"title": "停水通知", "text": "1–3栋 周三 9:00–12:00 停水", "reason": "日期有误"}
    assert (await form_post(client, notice, f"{notice}/revise", corrected)).status_code == 303
    assert (await form_post(client, notice, f"{notice}/submit", {})).status_code == 303
    await sign_in(client, place.phones[1])
    assert (await form_post(client, "/review", f"/review/{notice_id}/approve", {})).status_code == 303
    await sign_in(client, place.phones[0])
    assert (await form_post(client, notice, f"{notice}/publish", {})).status_code == 303
    await settle(rt)
    page = (await client.get(f"/board/notices/{notice_id}")).text
    assert "周三" in page and "历史版本" in page and "日期有误" in page and "周二" in page
    assert (await client.get("/board?category=affairs")).text.count("停水通知") == 1
    client.cookies.clear()  # …until anything new is projected
    anonymous = (await client.get("/board?community=test")).text
    assert "停水通知" in anonymous and 'x-csrftoken": ""' in anonymous and "居民test0" not in anonymous
