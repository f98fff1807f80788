"""Who looked at personal data (issue 21, PIPL's access record): the clerk's resident page shows name, phone and ID
number masked until the clerk gives a reason from a short list; the view is recorded first (who, when, why), as are
the resident's downloads and their erasure; the resident sees the record on their page, the supervisory committee
the totals. The blind index of the clerk's search finds pieces of names and phones, and leaves with erasure."""

from __future__ import annotations

import re
from uuid import UUID, uuid4

import pytest

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.residents import commands
from backend.residents.domain.access import REASONS, AccessRecord
from projections.residents import blind
from projections.residents import queries as resident_views
from tests.conftest import NOW
from tests.factories import app_runtime, community, count_topic, grant, sign_in, snapshot
from tests.test_residents_http import form_post, settle

ID_NUMBER = "11010519491231002X"


async def test_a_clerk_sees_details_only_with_a_reason_and_the_resident_and_the_committee_see_the_record(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 2, "supervisor", now=NOW)
    counter = await commands.register(
        rt, Ctx(place.community_id, None, NOW), "欧阳明华", "13912345678", place.households[1], "abc12345",
        ID_NUMBER, verified=True,
    )  # fmt: skip
    newcomer = UUID(counter.result["resident_id"])
    await settle(rt)
    await sign_in(client, place.phones[0])
    page = f"/clerk/residents/{newcomer}"
    masked = (await client.get(page)).text
    assert "欧**华" in masked and "139****5678" in masked
    assert "欧阳明华" not in masked and "13912345678" not in masked and ID_NUMBER not in masked

    before = rt.event_count()
    for bad in ("", "curious"):
        refused = await form_post(client, page, f"{page}/reveal", {"reason": bad})
        assert refused.status_code == 422 and "请选择查看该居民信息的原因" in refused.text
        assert "13912345678" not in refused.text
    assert rt.event_count() == before, "a refused reason writes nothing and shows nothing"

    shown = await form_post(client, page, f"{page}/reveal", {"reason": "verification"})
    assert shown.status_code == 303
    clear = (await client.get(page)).text
    assert "欧阳明华" in clear and "13912345678" in clear and ID_NUMBER in clear
    assert count_topic(rt, AccessRecord.Accessed) == 1
    await settle(rt)

    await sign_in(client, "13912345678", "abc12345")
    download = await client.get("/me/data.json")
    assert download.status_code == 200 and download.json()["resident"]["name"] == "欧阳明华"
    await settle(rt)
    mine = (await client.get("/me")).text
    record = re.search(r'<ul class="activity access-record">(.*?)</ul>', mine, re.S).group(1)
    assert "居*****0" in record and "核验登记" in record and "查看了姓名、手机号和身份证号" in record
    assert "您本人" in record and "下载了个人信息" in record and "居民本人申请" in record
    assert "13912345678" not in mine, "their own page masks the phone as before"

    assert (await client.get("/review/personal-data")).status_code == 403
    await sign_in(client, place.phones[2])
    totals = (await client.get("/review/personal-data")).text
    assert "核验登记" in totals and "居*****0 · 1" in totals and "欧" not in totals
    counts = re.findall(r'class="access-count">(\d+)<', totals)
    assert sorted(counts) == ["1", "1"]

    await commands.erase(rt, Ctx(place.community_id, newcomer, NOW), newcomer)
    await settle(rt)
    totals = (await client.get("/review/personal-data")).text
    assert "注销了个人信息" in totals and sorted(re.findall(r'class="access-count">(\d+)<', totals)) == ["1"] * 3


async def test_only_a_clerk_of_the_community_records_a_view_and_an_erased_resident_shows_nothing(runtime):
    here = await community(runtime, NOW, code="here", residents=3, passwords=False)
    there = await community(runtime, NOW, code="there", residents=1, passwords=False)
    await grant(runtime, here, 0, "clerk", now=NOW)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="not allowed"):
        await commands.record_access(
            runtime, Ctx(here.community_id, here.residents[1], NOW), here.residents[2], "viewed", "business"
        )
    with pytest.raises(DomainError, match="No such resident"):
        await commands.record_access(
            runtime, Ctx(here.community_id, here.residents[0], NOW), there.residents[0], "viewed", "business"
        )
    with pytest.raises(DomainError, match="not allowed"):  # a resident downloads only their own data
        await commands.record_access(
            runtime, Ctx(here.community_id, here.residents[1], NOW), here.residents[2], "exported", "own_request"
        )
    assert runtime.event_count() == before
    await commands.erase(runtime, Ctx(here.community_id, here.residents[2], NOW), here.residents[2])
    with pytest.raises(DomainError, match="erased"):
        await commands.record_access(
            runtime, Ctx(here.community_id, here.residents[0], NOW), here.residents[2], "viewed", "business"
        )


def test_the_record_takes_only_the_short_list_and_names_its_actor():
    clerk, resident, place = uuid4(), uuid4(), uuid4()
    ctx = Ctx(place, clerk, NOW)
    record = AccessRecord.open(ctx, resident)
    for reason in REASONS:
        record.record(ctx, "viewed", reason)
    for kind, reason in (("viewed", "因为好奇"), ("peeked", "other")):
        with pytest.raises(DomainError):
            record.record(ctx, kind, reason)
    with pytest.raises(DomainError):
        record.record(Ctx(place, None, NOW), "viewed", "other")  # nobody's view is no view
    with pytest.raises(DomainError, match="No such resident"):
        record.record(Ctx(uuid4(), clerk, NOW), "viewed", "other")
    events = record.collect_events()
    assert record.count == len(REASONS) and all(e.actor_id == clerk for e in events)


# -- the blind index --------------------------------------------------------------------------------------------------
def test_the_pieces_a_clerk_may_type():
    assert blind.name_pieces("张明") == {"张", "明", "张明"}
    assert blind.name_pieces("Anna  Li") >= {"anna li", "anna", "li", "a"}
    assert "1380" in blind.phone_pieces("13800005678") and "5678" in blind.phone_pieces("13800005678")
    assert "678" not in blind.phone_pieces("13800005678"), f"runs from {blind.PHONE_RUN_MIN} digits"
    key, here, there = b"k" * 32, uuid4(), uuid4()
    stored = blind.index_digests(key, here, "张明", "13800005678")
    assert set(blind.query_digests(key, here, " 张明 ")) & stored
    assert set(blind.query_digests(key, here, "5678")) & stored
    assert not set(blind.query_digests(key, there, "张明")) & stored, "another community's digests differ"
    assert not set(blind.query_digests(b"x" * 32, here, "张明")) & stored, "without the key nothing matches"
    assert len(stored) == 3 + len(blind.phone_pieces("13800005678"))


async def test_search_finds_pieces_of_names_and_phones_and_a_rebuild_gives_the_same_index(runtime):
    place = await community(runtime, NOW, residents=2, passwords=False)
    await commands.register(
        runtime, Ctx(place.community_id, None, NOW), "司马相如", "13712345678", place.households[0], "",
        verified=True,
    )  # fmt: skip
    await runtime.projector.catch_up()

    async def found(query: str) -> set[str]:
        rows = await resident_views.in_community(runtime.personal, place.community_id, query=query)
        return {r["name"] for r in rows}

    assert await found("相如") == await found("司马") == await found("5678") == {"司马相如"}
    assert await found("13712345678") == await found("马相") == {"司马相如"}
    assert await found("678") == set(), "three digits are not searched"
    assert await found("如相") == set() and await found("%") == set()
    assert await found("1单元") == {"居民test0", "居民test1", "司马相如"}, "the household by its address, as before"
    assert await found("居民test1") == {"居民test1"}
    before = await snapshot()
    await runtime.projector.stop()
    await runtime.projector.reset(["residents"])
    await runtime.projector.catch_up()
    assert await snapshot() == before, "the same digests from the same log and key"
