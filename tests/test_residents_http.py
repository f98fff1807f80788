"""Residents through HTTP with the real stores: self-registration waits for a clerk; the register is imported whole
or by its good rows, repeatably; sign-in slips work once; a clerk acts for a resident who is present; every bad
input gets a clear message and writes nothing; who may do what, per role and across communities."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from openpyxl import Workbook

from backend.community import commands as community_commands
from backend.deliberation.commands import matters, meetings, proposals
from backend.deliberation.domain.rules import Body
from backend.kernel.authz import ROLES
from backend.kernel.context import Ctx
from backend.kernel.masking import mask_name
from backend.residents import commands
from tests.conftest import NOW, hidden
from tests.factories import PASSWORD, app_runtime, community, grant, sign_in
from tests.test_domain_residents import EXPECTED_ALLOWED


async def form_post(client, page: str, action: str, data: dict, files=None):
    response = await client.get(page)
    fields = {"_csrf_token": client.cookies.get("csrftoken"), **data}
    if 'name="command_id"' in response.text:
        fields.setdefault("command_id", hidden(response.text, "command_id"))
    return await client.post(action, data=fields, files=files)


def registered(rt, phone: str):
    """The resident holding `phone`, read from the log (the views belong to the app's event loop)."""
    claim = rt.store.repository.get(commands.phone_claim_id(rt, phone))
    return rt.store.repository.get(claim.resident_id)


async def settle(rt) -> None:
    await rt.projector.wait_for(rt.event_count(), timeout=10)


# -- self-registration and verification -------------------------------------------------------------------------------
async def test_a_resident_registers_waits_for_the_clerk_and_then_may_cosign(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await grant(rt, place, 0, "clerk", now=NOW)
    proposal = await proposals.submit(rt, Ctx(place.community_id, place.residents[1], NOW), "路灯", "坏了", "other", [])
    proposal_id = proposal.result["proposal_id"]

    page = await client.get("/register/household?community=test&building=1栋&unit=1单元")
    assert page.status_code == 200 and str(place.households[1]) in page.text
    sent = await form_post(
        client,
        "/register",
        "/register",
        {
            "community": "test",
            "name": "新居民",
            "phone": "13712345678",
            "password": "abc12345",
            "id_number": "11010519491231002X",
            "building": "1栋",
            "unit": "1单元",
            "household_id": str(place.households[1]),
        },
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/me"
    me = await client.get("/me")
    assert "等待" in me.text or "waiting" in me.text
    refused = await form_post(client, f"/proposals/{proposal_id}", f"/proposals/{proposal_id}/cosign", {})
    assert refused.status_code == 303
    assert registered(rt, "13712345678").status == "pending"
    assert (await client.get(f"/proposals/{proposal_id}")).text.count("附议 0") >= 1

    await sign_in(client, place.phones[0])
    desk = await client.get("/clerk")
    assert "核验 新居民" in desk.text and "核验 居民test1" not in desk.text  # only the pending one waits
    newcomer = registered(rt, "13712345678").id
    verified = await form_post(client, "/clerk", f"/clerk/registrations/{newcomer}/verify", {})
    assert verified.status_code == 303
    assert registered(rt, "13712345678").status == "verified"

    await sign_in(client, "13712345678", "abc12345")
    cosigned = await form_post(client, f"/proposals/{proposal_id}", f"/proposals/{proposal_id}/cosign", {})
    assert cosigned.status_code == 303
    await settle(rt)
    assert "附议 1" in (await client.get(f"/proposals/{proposal_id}")).text


async def test_a_rejected_registration_shows_the_reason_and_can_be_sent_again(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await grant(rt, place, 0, "clerk", now=NOW)
    result = await commands.register(
        rt, Ctx(place.community_id, None, NOW), "错房号", "13712340000", place.households[0], "abc12345"
    )
    resident_id = result.result["resident_id"]
    await sign_in(client, place.phones[0])
    no_reason = await form_post(client, "/clerk", f"/clerk/registrations/{resident_id}/reject", {"reason": " "})
    assert no_reason.status_code == 422
    rejected = await form_post(client, "/clerk", f"/clerk/registrations/{resident_id}/reject", {"reason": "房号不对"})
    assert rejected.status_code == 303
    await sign_in(client, "13712340000", "abc12345")
    assert "房号不对" in (await client.get("/me")).text
    again = await form_post(client, "/me", "/me/resubmit", {"household_id": str(place.households[1])})
    assert again.status_code == 303
    row = rt.store.repository.get(UUID(resident_id))
    assert row.status == "pending" and row.household == "1栋1单元102室"


REGISTRATION = {
    "community": "test",
    "name": "张三",
    "phone": "13712345678",
    "password": "abc12345",
    "id_number": "",
}


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"phone": "1234"}, 422, "11 位"),
        ({"id_number": "110105194912310021"}, 422, "身份证号"),
        ({"household_id": str(uuid4())}, 422, "门牌"),
        ({"household_id": "not-a-room"}, 422, "房间"),
        ({"password": "12345678"}, 422, "字母和数字"),
        ({"phone": "PLACE0"}, 409, "已经注册"),
    ],
)
async def test_bad_registrations_say_why_and_write_nothing(client, change, status, message):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    fields = {**REGISTRATION, "household_id": str(place.households[0]), **change}
    if fields["phone"] == "PLACE0":
        fields["phone"] = place.phones[0]
    before = rt.event_count()
    response = await form_post(client, "/register", "/register", fields)
    assert response.status_code == status, response.text[:300]
    assert message in response.text
    assert rt.event_count() == before


async def test_a_clerk_registers_and_verifies_at_the_counter_without_a_password(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await grant(rt, place, 0, "clerk", now=NOW)
    await sign_in(client, place.phones[0])
    response = await form_post(
        client,
        "/clerk/residents/new",
        "/clerk/residents/new",
        {"name": "王奶奶", "phone": "13711112222", "password": "", "household_id": str(place.households[0])},
    )
    assert response.status_code == 303
    row = registered(rt, "13711112222")
    assert row.status == "verified" and row.password_hash == ""


# -- the household register ---------------------------------------------------------------------------------------
CSV_GOOD = "楼栋,单元,房号,成员\n8栋,1单元,101室,张三、李四\n8栋,1单元,102室,\n村二组,,1号,王五\n"
CSV_BAD = CSV_GOOD + "9栋,1单元,,赵六\n8栋,1单元,101室,重复\n"


async def import_file(client, name: str, content: bytes, mode: str = "all"):
    return await form_post(
        client, "/clerk/households", "/clerk/households/import", {"mode": mode}, files={"file": (name, content)}
    )


async def test_a_register_with_bad_rows_imports_nothing_or_only_the_good_rows_and_repeats_without_duplicates(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await grant(rt, place, 0, "clerk", now=NOW)
    await sign_in(client, place.phones[0])
    before = rt.event_count()

    refused = await import_file(client, "register.csv", CSV_BAD.encode())
    assert refused.status_code == 422
    assert "第 5 行" in refused.text and "第 6 行" in refused.text
    assert rt.event_count() == before

    partial = await import_file(client, "register.csv", CSV_BAD.encode("gb18030"), mode="good")
    assert partial.status_code == 200 and "3 户新增" in partial.text
    after_first = rt.event_count()
    assert after_first == before + 3 + 1  # three households and the command record

    again = await import_file(client, "register.csv", CSV_GOOD.encode())
    assert again.status_code == 200 and "3 户已在名册" in again.text
    assert rt.event_count() == after_first + 1  # only the command record
    await settle(rt)
    register = (await client.get("/clerk/households")).text
    for household in ("8栋1单元101室", "8栋1单元102室", "村二组1号"):
        assert f">{household}</a></td>" in register
    assert "<td>张三、李四</td>" in register


async def test_an_xlsx_register_is_imported(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await grant(rt, place, 0, "clerk", now=NOW)
    await sign_in(client, place.phones[0])
    book = Workbook()
    sheet = book.active
    sheet.append(["楼栋", "单元", "房号", "成员"])
    sheet.append(["5栋", "2单元", 301, "陈一"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = await import_file(client, "register.xlsx", buffer.getvalue())
    assert response.status_code == 200 and "1 户新增" in response.text
    await settle(rt)
    assert ">5栋2单元301</a></td>" in (await client.get("/clerk/households")).text
    not_a_register = await import_file(client, "photo.png", b"\x89PNG")
    assert not_a_register.status_code == 422


# -- sign-in slips ----------------------------------------------------------------------------------------------------
async def test_a_signin_slip_signs_in_once(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await grant(rt, place, 0, "clerk", now=NOW)
    await sign_in(client, place.phones[0])
    slip = await form_post(
        client, f"/clerk/residents/{place.residents[1]}", f"/clerk/residents/{place.residents[1]}/code", {}
    )
    assert slip.status_code == 200 and "<svg" in slip.text
    url = re.search(r'href="http://[^"]+(/signin/code/[^"]+)"', slip.text).group(1)
    await settle(rt)
    client.cookies.clear()
    page = await client.get(url)
    assert page.status_code == 200 and mask_name("居民test1") in page.text
    used = await client.post(url, data={"_csrf_token": client.cookies.get("csrftoken")})
    assert used.status_code == 303
    me = await client.get("/me")
    assert "居民test1" in me.text
    await settle(rt)
    client.cookies.clear()
    await client.get(url)
    reused = await client.post(url, data={"_csrf_token": client.cookies.get("csrftoken")})
    assert reused.status_code == 410 and "已经用过" in reused.text


async def test_an_expired_or_unknown_signin_code_is_refused(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    code = await commands.issue_signin_code(
        rt, Ctx(place.community_id, None, NOW - timedelta(days=8)), place.residents[0]
    )
    await settle(rt)
    before = rt.event_count()
    expired = await client.get(f"/signin/code/{code}")
    assert expired.status_code == 410 and "过期" in expired.text
    refused = await client.post(f"/signin/code/{code}", data={"_csrf_token": client.cookies.get("csrftoken")})
    assert refused.status_code == 410
    unknown = await client.get("/signin/code/nonsense")
    assert unknown.status_code == 410
    assert rt.event_count() == before


# -- assisted actions -------------------------------------------------------------------------------------------------
async def test_a_clerk_cosigns_for_a_resident_who_then_sees_who_did_it(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    await grant(rt, place, 0, "clerk", now=NOW)
    proposal = await proposals.submit(
        rt, Ctx(place.community_id, place.residents[2], NOW), "长椅", "加几张", "other", []
    )
    await sign_in(client, place.phones[0])
    done = await form_post(
        client,
        f"/clerk/residents/{place.residents[1]}",
        f"/clerk/residents/{place.residents[1]}/cosign/{proposal.result['proposal_id']}",
        {},
    )
    assert done.status_code == 303
    await settle(rt)
    await sign_in(client, place.phones[1])
    me = await client.get("/me")
    assert "长椅" in me.text and mask_name("居民test0") in me.text and "代办" in me.text


async def test_assisting_needs_the_clerk_role_and_a_verified_resident(runtime):
    place = await community(runtime, NOW, residents=3, passwords=False)
    proposal = await proposals.submit(
        runtime, Ctx(place.community_id, place.residents[2], NOW), "长椅", "加几张", "other", []
    )
    proposal_id = UUID(proposal.result["proposal_id"])
    before = runtime.event_count()
    with pytest.raises(Exception, match="not allowed"):
        await proposals.cosign(
            runtime, Ctx(place.community_id, place.residents[0], NOW, on_behalf_of=place.residents[1]), proposal_id
        )
    assert runtime.event_count() == before


# -- who may do what -------------------------------------------------------------------------------------------------
ROLE_PROBES = [  # (action, method, path) — {r} is another resident of the same community
    ("resident.read_private", "GET", "/clerk"),
    ("resident.read_private", "GET", "/clerk/residents"),
    ("resident.read_private", "GET", "/clerk/residents/{r}"),
    ("resident.read_private", "GET", "/clerk/households"),
    ("resident.read_private", "POST", "/clerk/residents/{r}/reveal"),
    ("resident.access_totals", "GET", "/review/personal-data"),
    ("resident.register_at_counter", "GET", "/clerk/residents/new"),
    ("resident.register_at_counter", "POST", "/clerk/residents/new"),
    ("resident.verify", "POST", "/clerk/registrations/{r}/verify"),
    ("resident.verify", "POST", "/clerk/registrations/{r}/reject"),
    ("resident.grant_role", "POST", "/clerk/residents/{r}/roles"),
    ("resident.grant_role", "POST", "/clerk/residents/{r}/roles/representative/revoke"),
    ("resident.issue_signin_code", "POST", "/clerk/residents/{r}/code"),
    ("resident.assist", "POST", "/clerk/residents/{r}/cosign/{p}"),
    ("household.edit", "POST", "/clerk/households"),
    ("household.edit", "POST", "/clerk/households/import"),
    ("resident.read_private", "GET", "/clerk/households/{h}"),
    ("household.edit", "POST", "/clerk/households/{h}/move-out"),
    ("household.edit", "POST", "/clerk/households/{h}/move-in"),
    ("street.oversee", "GET", "/street"),
    ("matter.open", "POST", "/proposals/{p}/matter"),
    ("matter.open", "POST", "/matters"),
    ("matter.open", "POST", "/matters/{m}/resubmit"),
    ("matter.open", "POST", "/matters/{m}/reject"),
    ("meeting.run", "POST", "/matters/{m}/meetings"),
    ("matter.disclose", "POST", "/matters/{m}/publish"),
    ("matter.disclose", "POST", "/matters/{m}/progress"),
    ("matter.disclose", "POST", "/matters/{m}/objections/1/answer"),
    ("disclosure.review", "POST", "/matters/{m}/notice/approve"),
    ("disclosure.review", "POST", "/matters/{m}/notice/return"),
    ("matter.object", "POST", "/matters/{m}/objections"),
    ("meeting.run", "POST", "/meetings/{g}/paper"),
    ("meeting.run", "GET", "/meetings/{g}/paper"),
    ("meeting.run", "POST", "/meetings/{g}/papers"),
    ("meeting.run", "POST", "/meetings/{g}/paper-code"),
    ("meeting.run", "POST", "/meetings/{g}/ballot/close"),
    ("meeting.vote", "POST", "/meetings/{g}/vote"),
    ("meeting.vote", "POST", "/meetings/{g}/checkin"),
    ("meeting.vote", "POST", "/meetings/{g}/floor"),
    ("meeting.run", "POST", "/meetings/{g}/floor/end"),
    ("volunteering.lead", "GET", "/teams"),
    ("volunteering.lead", "POST", "/teams"),
    ("volunteering.sign_up", "GET", "/me/volunteering"),
    ("service.catalog", "GET", "/services/catalog"),
    ("service.catalog", "POST", "/providers"),
    ("service.catalog", "POST", "/services/new"),
    ("service.provide", "GET", "/provide"),
    ("service.book", "GET", "/bookings"),
    ("disclosure.write", "GET", "/disclosure"),
    ("disclosure.write", "GET", "/disclosure/finance"),
    ("disclosure.write", "POST", "/disclosure/notices"),
    ("disclosure.write", "POST", "/disclosure/finance/entries"),
    ("disclosure.write", "POST", "/disclosure/finance/reports"),
    ("disclosure.review", "GET", "/review"),
    ("errand.run", "GET", "/desk/errands"),
    ("errand.run", "POST", "/desk/errands"),
    ("errand.follow", "GET", "/me/errands"),
]
MATRIX_ROLES = list(ROLES)


async def test_every_route_asks_the_policy_for_every_role(client):
    """Each role alone (on a verified resident) against every protected route: the allowed role passes the gate,
    every other role gets 403 and nothing is written."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=len(MATRIX_ROLES) + 1)
    await community_commands.set_street(rt, Ctx(place.community_id, None, NOW), "和平街道")
    for index, role in enumerate(MATRIX_ROLES):
        if role == "street_operator":
            await commands.grant_role(
                rt, Ctx(place.community_id, None, NOW), place.residents[index], role, street="和平街道"
            )
        elif role != "resident":
            await grant(rt, place, index, role, now=NOW)
    target = place.residents[-1]
    proposal = await proposals.submit(rt, Ctx(place.community_id, target, NOW), "议题", "说明", "other", [])
    system = Ctx(place.community_id, None, NOW)
    matter = await matters.open_matter(rt, system, "事项", "说明")
    meeting = await meetings.schedule(
        rt, system, UUID(matter.result["matter_id"]), Body.PARTY_COMMITTEE, "活动室", NOW, "动议", place.residents
    )
    await meetings.open_ballot(rt, system, UUID(meeting.result["meeting_id"]))
    await settle(rt)
    for index, role in enumerate(MATRIX_ROLES):
        await sign_in(client, place.phones[index])
        for action, method, template in ROLE_PROBES:
            path = template.format(
                r=target,
                p=proposal.result["proposal_id"],
                m=matter.result["matter_id"],
                g=meeting.result["meeting_id"],
                h=place.households[-1],
            )
            before = rt.event_count()
            if method == "GET":
                response = await client.get(path)
            else:
                response = await client.post(path, data={"_csrf_token": client.cookies.get("csrftoken")})
            allowed = bool({role, "resident"} & EXPECTED_ALLOWED[action])  # every one of them is verified
            assert (response.status_code != 403) is allowed, (role, method, path, response.status_code)
            if not allowed:
                assert not written_by(rt, before, place.residents[index]), (role, method, path)
    assert written_by(rt, 0, target)  # the check sees a resident's own events (the target's proposal)


def written_by(rt, after: int, actor) -> list:
    """The events after position `after` that `actor` wrote. Not a count of every event: the app's own rounds (on
    the real clock every 15 s: checkpoints, deadlines) may write while a long test runs."""
    found = rt.store.recorder.select_notifications(start=after + 1, limit=1000)
    events = (rt.store.mapper.to_domain_event(n) for n in found)
    return [e for e in events if getattr(e, "actor_id", None) == actor]


async def test_nobody_reads_or_acts_in_another_community(client):
    rt = app_runtime(client)
    here = await community(rt, NOW, code="here", residents=2)
    there = await community(rt, NOW, code="there", residents=2)
    await grant(rt, here, 0, "clerk", now=NOW)
    pending = await commands.register(
        rt, Ctx(there.community_id, None, NOW), "别处", "13799990000", there.households[0], "abc12345"
    )
    await settle(rt)
    await sign_in(client, here.phones[0])
    before = rt.event_count()
    assert (await client.get(f"/clerk/residents/{there.residents[0]}")).status_code == 404
    verify = await client.post(
        f"/clerk/registrations/{pending.result['resident_id']}/verify",
        data={"_csrf_token": client.cookies.get("csrftoken")},
    )
    assert verify.status_code == 404
    desk = await client.get("/clerk")
    assert "别处" not in desk.text
    assert rt.event_count() == before
    # and in the commands themselves, whatever the route
    with pytest.raises(Exception, match="No such resident"):
        await commands.verify(rt, Ctx(here.community_id, here.residents[0], NOW), UUID(pending.result["resident_id"]))
    with pytest.raises(Exception, match="not allowed"):
        await commands.verify(rt, Ctx(there.community_id, here.residents[0], NOW), UUID(pending.result["resident_id"]))
    assert rt.event_count() == before


async def test_a_street_operator_sees_only_the_communities_of_its_street(client):
    rt = app_runtime(client)
    ours = await community(rt, NOW, code="ours", residents=1)
    theirs = await community(rt, NOW, code="theirs", residents=1)
    await community_commands.set_street(rt, Ctx(ours.community_id, None, NOW), "和平街道")
    await community_commands.set_street(rt, Ctx(theirs.community_id, None, NOW), "别的街道")
    await commands.grant_role(
        rt, Ctx(ours.community_id, None, NOW), ours.residents[0], "street_operator", street="和平街道"
    )
    await settle(rt)
    await sign_in(client, ours.phones[0], PASSWORD)
    page = await client.get("/street")
    assert page.status_code == 200
    assert "社区ours" in page.text and "社区theirs" not in page.text
