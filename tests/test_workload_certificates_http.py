"""Certificates (证明事项, issue 30) through HTTP with the real stores: a resident asks for a 居住证明 on the phone, the
clerk sees it beside the register's facts and issues it (numbered without gaps for the community and year, valid
until a day); its print view carries a QR with a check code; the public verification finds it by that code alone
(masked name, validity, status), never by its number, and an altered code is a 404 that says so; a cancelled
certificate keeps its number and verifies as 作废. A 亲属关系证明 is refused in one click with its basis and where to
go instead, and can never be issued; one on neither list is refused with "ask the street". The street operator keeps
the lists, every edit citing its rule. The counts the 一表通 takes add up."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from backend.community import commands as community_commands
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands as resident_commands
from backend.workload.commands import certificates as commands
from backend.workload.domain.certificates import Certificate
from projections.workload.certificates import queries
from tests.factories import app_runtime, community, count_topic, grant, sign_in
from tests.test_residents_http import form_post, settle

STREET = "江南街道"
DESK = "/desk/certificates"


def today():
    return datetime.now(LOCAL_ZONE).date()


async def setting(client, residents: int = 4):
    """社区test of 江南街道: resident 0 the clerk, 3 the street's operator, 1 and 2 residents."""
    rt = app_runtime(client)
    earlier = datetime.now(UTC) - timedelta(days=2)
    place = await community(rt, earlier, residents=residents)
    system = Ctx(place.community_id, None, earlier)
    await community_commands.set_street(rt, system, STREET)
    await grant(rt, place, 0, "clerk", now=earlier)
    await resident_commands.grant_role(rt, system, place.residents[3], "street_operator", street=STREET)
    return rt, place


async def ask(client, place, who: int, data: dict):
    await sign_in(client, place.phones[who])
    return await form_post(client, "/me/certificates", "/me/certificates", data)


async def test_a_resident_asks_the_clerk_issues_and_it_verifies_by_its_check_code_only(client):
    rt, place = await setting(client)
    asked = await ask(client, place, 1, {"code": "residence", "purpose": "办理居住证"})
    assert asked.status_code == 303, asked.text[:500]
    await settle(rt)
    mine = await client.get("/me/certificates")
    assert "居住证明" in mine.text and "等待" in mine.text

    await sign_in(client, place.phones[0])
    desk = await client.get(DESK)
    assert desk.status_code == 200 and "居民test1" in desk.text and "1栋1单元102室" in desk.text
    certificate_id = re.search(r'action="/desk/certificates/([0-9a-f-]{36})/issue"', desk.text).group(1)
    too_long = await form_post(
        client, DESK, f"{DESK}/{certificate_id}/issue", {"valid_until": (today() + timedelta(days=91)).isoformat()}
    )
    assert too_long.status_code == 422 and "90" in too_long.text
    assert count_topic(rt, Certificate.Issued) == 0, "a refused command writes nothing"
    until = (today() + timedelta(days=30)).isoformat()
    issued = await form_post(client, DESK, f"{DESK}/{certificate_id}/issue", {"valid_until": until})
    assert issued.status_code == 303 and issued.headers["location"] == f"/certificates/issued/{certificate_id}"
    await settle(rt)
    printed = await client.get(issued.headers["location"])
    number = f"{today().year}-0001"
    assert printed.status_code == 200 and number in printed.text and "<svg" in printed.text
    assert (
        "盖章处" in printed.text
        and "兹证明居民test1，现居住于本社区1栋1单元102室" in printed.text
        and until in printed.text
    )
    code = re.search(r"/verify/c/([A-Z2-7]{16})", printed.text).group(1)

    await sign_in(client, place.phones[2])  # anyone can verify; nobody else sees the print view
    assert (await client.get(f"/certificates/issued/{certificate_id}")).status_code == 404
    verified = await client.get(f"/verify/c/{code}")
    assert verified.status_code == 200 and "真实有效" in verified.text and "居住证明" in verified.text
    assert "居*****1" in verified.text and "居民test1" not in verified.text and "102室" not in verified.text
    assert (await client.get(f"/verify/c/{code.lower()}")).status_code == 200, "as typed from the paper"
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    refused = await client.get(f"/verify/c/{altered}")
    assert refused.status_code == 404 and "查验码" in refused.text and "居住证明" not in refused.text
    for guess in (number, certificate_id, "0001"):
        assert (await client.get(f"/verify/c/{guess}")).status_code == 404, "nothing by number or id"

    # A second one takes the next number; the first, cancelled, keeps its number and verifies as 作废.
    second = await ask(client, place, 2, {"code": "residence", "purpose": "子女入学"})
    await settle(rt)
    await sign_in(client, place.phones[0])
    assert second.status_code == 303
    second_id = re.search(r'action="/desk/certificates/([0-9a-f-]{36})/issue"', (await client.get(DESK)).text).group(1)
    assert (await form_post(client, DESK, f"{DESK}/{second_id}/issue", {"valid_until": until})).status_code == 303
    page = f"/certificates/issued/{certificate_id}"
    no_reason = await form_post(client, page, f"{DESK}/{certificate_id}/cancel", {"reason": ""})
    assert no_reason.status_code == 422
    cancelled = await form_post(client, page, f"{DESK}/{certificate_id}/cancel", {"reason": "门牌号登记有误"})
    assert cancelled.status_code == 303
    await settle(rt)
    assert "作废" in (await client.get(f"/verify/c/{code}")).text
    again = await form_post(client, page, f"{DESK}/{certificate_id}/cancel", {"reason": "再次"})
    assert again.status_code == 409
    register = await client.get(f"{DESK}/register")
    assert register.status_code == 200 and number in register.text and f"{today().year}-0002" in register.text
    assert "门牌号登记有误" in register.text


async def test_a_negative_item_is_refused_in_one_click_with_its_basis_and_never_issued(client):
    rt, place = await setting(client)
    assert (await ask(client, place, 1, {"code": "kinship", "purpose": "银行要求"})).status_code == 303
    await ask(client, place, 2, {"code": "", "asked": "收入证明", "purpose": "贷款"})
    await settle(rt)
    await sign_in(client, place.phones[0])
    desk = (await client.get(DESK)).text
    kinship_id, other_id = re.findall(r'id="request-([0-9a-f-]{36})"', desk)  # oldest first
    assert "不应出具" in desk and "民发〔2020〕20号" in desk and "公安机关户籍窗口" in desk
    cannot = await form_post(client, DESK, f"{DESK}/{kinship_id}/issue", {"valid_until": today().isoformat()})
    assert cannot.status_code == 409 and count_topic(rt, Certificate.Issued) == 0
    one_click = await form_post(client, DESK, f"{DESK}/{kinship_id}/refuse", {"kind": "negative"})
    assert one_click.status_code == 303
    wrong_kind = await form_post(client, DESK, f"{DESK}/{other_id}/refuse", {"kind": "negative"})
    assert wrong_kind.status_code == 422
    assert (await form_post(client, DESK, f"{DESK}/{other_id}/refuse", {"kind": "ask_street"})).status_code == 303
    await settle(rt)

    await sign_in(client, place.phones[1])
    mine = (await client.get("/me/certificates")).text
    assert "亲属关系证明" in mine and "民发〔2020〕20号" in mine and "公安机关户籍窗口" in mine


async def test_the_clerk_takes_a_request_at_the_counter_for_a_resident(client):
    rt, place = await setting(client)
    await sign_in(client, place.phones[0])
    taken = await form_post(
        client,
        DESK,
        DESK,
        {"resident_id": str(place.residents[2]), "code": "residence", "purpose": "办理居住证"},
    )
    assert taken.status_code == 303
    await settle(rt)
    (certificate_id,) = re.findall(r'id="request-([0-9a-f-]{36})"', (await client.get(DESK)).text)
    stored = rt.store.repository.get(UUID(certificate_id))
    assert stored.resident_id == place.residents[2] and stored.channel == "counter"
    (event,) = [e for e in rt.store.repository.event_store.get(stored.id)]
    assert event.actor_id == place.residents[0] and event.on_behalf_of == place.residents[2]


async def test_the_street_keeps_the_lists_each_edit_citing_its_rule(client):
    rt, place = await setting(client)
    await sign_in(client, place.phones[3])
    editor = await client.get("/street/certificates")
    assert editor.status_code == 200 and STREET in editor.text
    item = {
        "side": "positive",
        "code": "tenancy",
        "name": "租住证明",
        "basis": "某市村（居）出具证明事项清单（2026年版）第3项",
        "purpose": "办理租房补贴",
        "procedure": "本人申请，核对登记后出具",
        "sample": "兹证明{name}租住于本社区{address}。",
        "valid_days": "60",
        "effective_from": today().isoformat(),
        "street": STREET,
    }
    uncited = await form_post(client, "/street/certificates", "/street/certificates", item)
    assert uncited.status_code == 422, "an edit cites its rule"
    saved = await form_post(
        client, "/street/certificates", "/street/certificates", {**item, "rule": "某市民政局〔2026〕5号"}
    )
    assert saved.status_code == 303, saved.text[:500]
    floor = {**item, "code": "kinship", "name": "亲属关系证明", "rule": "某省规定"}
    assert (await form_post(client, "/street/certificates", "/street/certificates", floor)).status_code == 409
    await settle(rt)
    board = (await client.get("/certificates/lists?community=test")).text
    assert "租住证明" in board and "某市民政局〔2026〕5号" in board and "亲属关系证明" in board and "居住证明" in board
    prefilled = (await client.get("/street/certificates?code=tenancy")).text
    assert "兹证明{name}租住于本社区{address}。" in prefilled and 'value="60"' in prefilled

    await sign_in(client, place.phones[1])
    assert (await client.get("/street/certificates")).status_code == 403
    asked = await form_post(client, "/me/certificates", "/me/certificates", {"code": "tenancy", "purpose": "补贴"})
    assert asked.status_code == 303, "the new item can be asked for from its day"


async def test_numbers_have_no_gaps_when_clerks_issue_at_once(runtime):
    now = datetime.now(UTC)
    place = await community(runtime, now - timedelta(days=1), residents=3, passwords=False)
    await grant(runtime, place, 0, "clerk", now=now - timedelta(days=1))
    clerk = Ctx(place.community_id, place.residents[0], now)
    ids = []
    for who in (1, 2, 1, 2, 1, 2, 1, 2):
        made = await commands.request(runtime, Ctx(place.community_id, place.residents[who], now), "residence", "", "x")
        ids.append(UUID(made.result["certificate_id"]))
    refused = await commands.request(runtime, Ctx(place.community_id, place.residents[1], now), "death", "", "x")
    await commands.refuse(runtime, clerk, UUID(refused.result["certificate_id"]), "negative")
    results = await asyncio.gather(
        *(commands.issue(runtime, Ctx(place.community_id, place.residents[0], now), i, clerk.today) for i in ids)
    )
    assert sorted(int(r.result["number"]) for r in results) == list(range(1, 9))
    other = await commands.request(runtime, Ctx(place.community_id, place.residents[2], now), "", "收入证明", "贷款")
    await commands.refuse(runtime, clerk, UUID(other.result["certificate_id"]), "ask_street")
    await commands.cancel(runtime, clerk, ids[0], "登记有误")
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    counts = await queries.certificate_counts([place.community_id], now - timedelta(hours=1), now + timedelta(hours=1))
    assert counts["issued"] == 8 and counts["cancelled"] == 1 and counts["refused"] == 2
    assert counts["refused_by_kind"] == {"negative": 1, "ask_street": 1}
    assert counts["refused_by_item"] == {"死亡证明": 1, "收入证明": 1}
    assert counts["median_hours_to_issue"] is not None and counts["median_hours_to_issue"] < 1
    nobody = uuid4()  # a community of the street with nothing to count
    per = await queries.certificate_counts_by_community(
        [place.community_id, nobody], now - timedelta(hours=1), now + timedelta(hours=1)
    )
    assert per[str(place.community_id)]["issued"] == 8 and per[str(place.community_id)]["refused_negative"] == 1
    assert per[str(place.community_id)]["refused_ask_street"] == 1 and per[str(place.community_id)]["cancelled"] == 1
    assert set(per[str(nobody)].values()) == {0}
    empty = await queries.certificate_counts([], now - timedelta(hours=1), now + timedelta(hours=1))
    assert empty["issued"] == 0 and empty["median_hours_to_issue"] is None
    try:
        await commands.issue(runtime, clerk, UUID(refused.result["certificate_id"]), clerk.today)
        raise AssertionError("a refused request is never issued")
    except DomainError as error:
        assert error.status == 409


async def test_the_demo_has_the_street_lists_an_issued_and_a_refused_certificate(runtime):
    from backend.community.domain.community import community_id_for
    from backend.demo import DEMO_CODE, DEMO_STREET, load_demo

    loaded = await load_demo(runtime)
    assert loaded["certificates"] == 2
    await settle(runtime)
    lists = await queries.lists_on(DEMO_STREET, today())
    assert "转学证明" in [i.name for i in lists["negative"]] and len(lists["negative"]) == 21
    assert [i.code for i in lists["positive"]] == ["residence"] and "××市" in lists["positive"][0].basis
    place = community_id_for(DEMO_CODE)
    counts = await queries.certificate_counts(
        [place], datetime.now(UTC) - timedelta(days=5), datetime.now(UTC) + timedelta(hours=1)
    )
    assert counts["issued"] == 1 and counts["refused_by_kind"] == {"negative": 1}
    assert counts["median_hours_to_issue"] == 2.0
    (row,) = await queries.register(place, (datetime.now(UTC) - timedelta(days=3)).astimezone(LOCAL_ZONE).year)
    assert row["number"] == 1 and row["household"]
