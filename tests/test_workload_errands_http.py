"""Errands done for residents (全程代办, issue 30) through HTTP with the real stores: the clerk finds a resident by
name and opens a 高龄津贴申请 for them, cannot hand it over before every document is ticked, ticks them, hands it to
the office, records the office's answer and hands it back; the resident follows the steps on the phone, reads where
to get the 健在证明 the committee never issues, and alone confirms receipt, once. Another community's clerk sees
nothing; the counts the 一表通 takes add up per community."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.workload.commands import errands as commands
from backend.workload.domain.errands import CATALOG, Errand
from projections.workload.errands import queries
from tests.factories import app_runtime, community, count_topic, grant, sign_in
from tests.test_residents_http import form_post, settle

DESK = "/desk/errands"
ELDER = CATALOG["elder_allowance"]


async def setting(client):
    """社区test: resident 0 the clerk, 1 and 2 plain residents."""
    rt = app_runtime(client)
    earlier = datetime.now(UTC) - timedelta(days=2)
    place = await community(rt, earlier, residents=3)
    await grant(rt, place, 0, "clerk", now=earlier)
    return rt, place


def errand_id(page: str) -> str:
    return re.search(r'id="errand-([0-9a-f-]{36})"', page).group(1)


async def test_the_clerk_runs_an_errand_and_the_resident_alone_confirms_receipt(client):
    rt, place = await setting(client)
    await sign_in(client, place.phones[0])
    found = await client.get(DESK, params={"q": "居民test1"})
    assert found.status_code == 200 and "1栋1单元102室" in found.text and "高龄津贴申请" in found.text
    opened = await form_post(client, DESK, DESK, {"resident_id": str(place.residents[1]), "item": "elder_allowance"})
    assert opened.status_code == 303, opened.text[:500]
    bad = await form_post(client, DESK, DESK, {"resident_id": str(place.residents[1]), "item": "dog"})
    assert bad.status_code == 422 and count_topic(rt, Errand.Opened) == 1
    await settle(rt)
    desk = await client.get(DESK)
    errand = errand_id(desk.text)
    assert "收到：身份证" in desk.text and "健在证明" in desk.text and "社会保险经办机构" in desk.text
    day = datetime.now(LOCAL_ZONE).date().isoformat()
    early = await form_post(client, DESK, f"{DESK}/{errand}/hand-over", {"on": day})
    assert early.status_code == 409 and "勾选全部所需材料" in early.text
    for document in ELDER.documents:
        ticked = await form_post(client, DESK, f"{DESK}/{errand}/receive", {"document": document})
        assert ticked.status_code == 303, ticked.text[:300]
    assert (await form_post(client, DESK, f"{DESK}/{errand}/receive", {"document": "身份证"})).status_code == 409
    await settle(rt)
    assert (await form_post(client, DESK, f"{DESK}/{errand}/hand-over", {"on": day})).status_code == 303
    await settle(rt)
    assert "部门答复" in (await client.get(DESK)).text
    no_reason = await form_post(client, DESK, f"{DESK}/{errand}/decide", {"result": "refused", "reason": ""})
    assert no_reason.status_code == 422
    decided = await form_post(client, DESK, f"{DESK}/{errand}/decide", {"result": "approved"})
    assert decided.status_code == 303
    await settle(rt)
    assert (await form_post(client, DESK, f"{DESK}/{errand}/hand-back", {})).status_code == 303
    await settle(rt)
    assert "等待居民在手机上确认领取" in (await client.get(DESK)).text
    clerk_confirms = await form_post(client, DESK, f"/me/errands/{errand}/confirm", {})
    assert clerk_confirms.status_code == 404, "not the clerk's errand to confirm"

    await sign_in(client, place.phones[2])  # another resident sees nothing of it and cannot confirm it
    assert "高龄津贴申请" not in (await client.get("/me/errands")).text
    assert (await form_post(client, "/me/errands", f"/me/errands/{errand}/confirm", {})).status_code == 404
    assert (await client.get(DESK)).status_code == 403

    await sign_in(client, place.phones[1])
    mine = await client.get("/me/errands")
    assert mine.status_code == 200 and "高龄津贴申请" in mine.text and "我已领取" in mine.text
    assert "已收材料：银行卡" in mine.text and "已送交民政/街道" in mine.text and "部门答复：已获批准" in mine.text
    assert "健在证明" in mine.text
    confirmed = await form_post(client, "/me/errands", f"/me/errands/{errand}/confirm", {})
    assert confirmed.status_code == 303
    await settle(rt)
    again = await form_post(client, "/me/errands", f"/me/errands/{errand}/confirm", {})
    assert again.status_code == 409 and count_topic(rt, Errand.Confirmed) == 1
    assert "本人已确认领取" in (await client.get("/me/errands")).text


async def test_the_counts_for_the_one_table_add_up_per_community(runtime):
    now = datetime.now(UTC)
    place = await community(runtime, now - timedelta(days=1), residents=3, passwords=False)
    empty = (await community(runtime, now - timedelta(days=1), code="other", residents=1, passwords=False)).community_id
    await grant(runtime, place, 0, "clerk", now=now - timedelta(days=1))

    def clerk() -> Ctx:  # a fresh command id for each command
        return Ctx(place.community_id, place.residents[0], now)

    made = [
        await commands.open_errand(runtime, clerk(), place.residents[who], code)
        for who, code in ((1, "dibao"), (2, "elder_allowance"))
    ]
    first, second = (UUID(m.result["errand_id"]) for m in made)
    for document in CATALOG["dibao"].documents:
        await commands.receive(runtime, clerk(), first, document)
    await commands.hand_over(runtime, clerk(), first, clerk().today)
    await commands.decide(runtime, clerk(), first, "refused", "收入超过标准")
    await commands.hand_back(runtime, clerk(), first)
    await commands.confirm(runtime, Ctx(place.community_id, place.residents[1], now), first)
    try:
        await commands.confirm(runtime, Ctx(place.community_id, place.residents[2], now), second)
        raise AssertionError("not handed back, and not hers")
    except DomainError as error:
        assert error.status in (403, 409)
    await settle(runtime)
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    counts = await queries.errand_counts([place.community_id, empty], start, end)
    assert counts[str(place.community_id)] == {"opened": 2, "handed_over": 1, "done": 1, "confirmed": 1}
    assert counts[str(empty)] == {"opened": 0, "handed_over": 0, "done": 0, "confirmed": 0}
    assert (await queries.errand_counts([place.community_id], end, end + timedelta(days=30)))[str(place.community_id)][
        "opened"
    ] == 0
    assert await queries.errand_counts([], start, end) == {}


async def test_the_demo_has_an_errand_done_and_one_with_the_office(runtime):
    from backend.community.domain.community import community_id_for
    from backend.demo import DEMO_CODE, load_demo

    loaded = await load_demo(runtime)
    assert loaded["errands"] == 2
    await settle(runtime)
    place = community_id_for(DEMO_CODE)
    counts = await queries.errand_counts(
        [place], datetime.now(UTC) - timedelta(days=30), datetime.now(UTC) + timedelta(hours=1)
    )
    assert counts[str(place)] == {"opened": 2, "handed_over": 2, "done": 1, "confirmed": 1}
    assert [r["item_name"] for r in await queries.running(place)] == ["低保申请"]
