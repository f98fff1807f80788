"""Casework through HTTP with the real stores (SQLite, or PostgreSQL with LINLI_TEST_DATABASE=postgres): a resident
raises a case with a photo (its metadata stripped, never at a public address), the grid worker accepts it (a second
accept is told someone was first), whistles it, the department reports in and answers, the owner answers, the
resident rates, and the street's dashboard and the board's digest count it. A 楼长 raises one for a neighbour. Bad
input gets a clear 4xx message and writes nothing; nobody sees another's private case, a grid worker only their
grids' cases, a department only its whistles; care flags never reach a public page. Views are read through pages
(on PostgreSQL they belong to the app's event loop)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from PIL import Image

from backend.casework.commands import cases, grids, street
from backend.casework.domain.case import Case
from backend.community import commands as community_commands
from backend.community.domain.community import community_id_for
from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands as resident_commands
from backend.residents.domain.household import HouseholdRow, household_id_for
from tests.conftest import NOW
from tests.factories import PASSWORD, app_runtime, community, count_topic, grant, sign_in
from tests.test_residents_http import form_post, settle

STREET = "和平街道"
MARKER = "LinliTestCamera"  # in the photo's EXIF: it must not survive the upload


@dataclass
class World:
    """社区test of 和平街道. Residents of 1栋 (in 第一网格): 0 the clerk, 1 its 网格员, 2 its 楼长, 3 the street's
    operator, 4 and 5 residents; 6 the 网格员 of 第二网格 (which holds no building). `elsewhere` lives in 2栋 (in no
    grid). In 社区there (same street) live the staff of 供电所 (`power_staff`) and of 城管 (`city_staff`)."""

    community_id: UUID
    residents: list[UUID]
    phones: list[str]
    grid_a: UUID
    elsewhere: UUID
    elsewhere_phone: str
    power: UUID
    power_staff_phone: str
    city_staff_phone: str

    def ctx(self, who: UUID | None, now: datetime | None = None, **kw: object) -> Ctx:
        return Ctx(self.community_id, who, now or datetime.now(UTC), **kw)  # type: ignore[arg-type]


async def _resident(rt, cid: UUID, building: str, phone: str) -> UUID:
    system = Ctx(cid, None, NOW)
    await resident_commands.import_households(rt, system, [HouseholdRow(0, building, "1单元", "101室", ())])
    household = household_id_for(cid, building, "1单元", "101室")
    done = await resident_commands.register(rt, system, f"住户{phone[-2:]}", phone, household, PASSWORD, verified=True)
    return UUID(done.result["resident_id"])


async def world(rt) -> World:
    place = await community(rt, NOW, residents=7)
    cid, system = place.community_id, Ctx(place.community_id, None, NOW)
    await community_commands.set_street(rt, system, STREET)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "grid_worker", now=NOW)
    await grant(rt, place, 6, "grid_worker", now=NOW)
    await grant(rt, place, 2, "building_head", now=NOW)
    await resident_commands.grant_role(rt, system, place.residents[3], "street_operator", street=STREET)
    elsewhere = await _resident(rt, cid, "2栋", "13700000001")
    clerk = Ctx(cid, place.residents[0], NOW)
    grid_a = UUID((await grids.draw_grid(rt, clerk, "第一网格")).result["grid_id"])
    grid_b = UUID(
        (await grids.draw_grid(rt, Ctx(cid, place.residents[0], NOW, command_id="b"), "第二网格")).result["grid_id"]
    )
    await grids.add_building(rt, clerk, grid_a, "1栋")
    await grids.assign_worker(rt, clerk, grid_a, place.residents[1])
    await grids.assign_worker(rt, Ctx(cid, place.residents[0], NOW, command_id="w2"), grid_b, place.residents[6])
    await grids.assign_head(rt, clerk, "1栋", place.residents[2])
    there = community_id_for("there")
    await community_commands.found(rt, Ctx(there, None, NOW), "社区there", "there")
    await community_commands.set_street(rt, Ctx(there, None, NOW), STREET)
    power_staff = await _resident(rt, there, "9栋", "13700000002")
    city_staff = await _resident(rt, there, "8栋", "13700000003")
    operator = Ctx(cid, place.residents[3], NOW)
    power = UUID(
        (await street.register_department(rt, operator, STREET, "供电所", "power", ["power"])).result["department_id"]
    )
    city = UUID(
        (
            await street.register_department(
                rt, Ctx(cid, place.residents[3], NOW, command_id="c"), STREET, "城管", "city", ["city"]
            )
        ).result["department_id"]
    )
    await street.appoint_staff(rt, operator, power, power_staff)
    await street.appoint_staff(rt, Ctx(cid, place.residents[3], NOW, command_id="s2"), city, city_staff)
    await settle(rt)
    return World(
        cid, place.residents, place.phones, grid_a, elsewhere, "13700000001", power, "13700000002", "13700000003"
    )


def photo(marker: str = MARKER) -> bytes:
    """A JPEG whose EXIF names the camera (`marker`)."""
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0110] = marker  # Model
    Image.new("RGB", (64, 48), (200, 80, 40)).save(out, format="JPEG", exif=exif.tobytes())
    assert marker.encode() in out.getvalue()
    return out.getvalue()


async def raise_through_page(client, fields: dict, photos: list[bytes] = ()) -> object:
    files = [("photos", (f"p{i}.jpg", data, "image/jpeg")) for i, data in enumerate(photos)]
    return await form_post(client, "/cases/new", "/cases/new", fields, files=files or None)


def case_path(response) -> str:
    assert response.status_code == 303, response.text[:800]
    location = response.headers["location"]
    assert re.fullmatch(r"/cases/[0-9a-f-]{36}", location), location
    return location


async def test_a_case_from_raising_to_rating_and_the_rates_it_moves(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[4])
    form = (await client.get("/cases/new")).text
    assert "公共设施" in form and "供电用电" in form, "the categories of the matter list"
    raised = await raise_through_page(
        client, {"category": "power", "text": "1栋整栋停电两小时", "public": "0"}, [photo()]
    )
    case = case_path(raised)
    case_id = UUID(case.rsplit("/", 1)[1])
    page = (await client.get(case)).text
    assert "1栋整栋停电两小时" in page and "等待受理" in page
    name = re.search(r'/photos/([0-9a-f]{64}\.jpg)"', page).group(1)
    served = await client.get(f"{case}/photos/{name}")
    assert served.status_code == 200 and MARKER.encode() not in served.content, "EXIF is stripped"
    assert "private" in served.headers["cache-control"]
    assert (await client.get(f"/uploads/{name}")).status_code == 404, "never at a public address"

    await sign_in(client, w.phones[5])  # a neighbour: a private case is not theirs to see
    assert (await client.get(case)).status_code == 404
    assert (await client.get(f"{case}/photos/{name}")).status_code == 404
    assert "整栋停电" not in (await client.get("/cases")).text

    await sign_in(client, w.phones[6])  # the worker of another grid
    assert "整栋停电" not in (await client.get("/grid")).text and (await client.get(case)).status_code == 404

    await sign_in(client, w.phones[1])  # the grid worker
    queue = (await client.get("/grid")).text
    assert "1栋整栋停电两小时" in queue and f'action="{case}/accept"' in queue
    accepted = await form_post(client, case, f"{case}/accept", {})
    assert accepted.status_code == 303
    await sign_in(client, w.phones[0])  # the clerk, a moment later
    late = await form_post(client, "/cases/desk", f"{case}/accept", {})
    assert late.status_code == 409 and "有人先受理了" in late.text
    assert count_topic(rt, Case.Accepted) == 1

    await sign_in(client, w.phones[1])
    page = (await client.get(case)).text  # the matter list names 供电所: it is chosen, the others offered
    power = re.search(r'<option value="([0-9a-f-]{36})" selected>供电所</option>', page).group(1)
    assert re.search(r'<option value="[0-9a-f-]{36}">城管</option>', page)
    whistled = await form_post(client, case, f"{case}/whistle", {"reason": "", "department_id": power})
    assert whistled.status_code == 303
    assert "供电所" in (await client.get(case)).text

    await sign_in(client, w.city_staff_phone)  # another department: not theirs
    assert (await client.get(case)).status_code == 404
    assert "整栋停电" not in (await client.get("/department")).text
    await sign_in(client, w.power_staff_phone)
    desk = (await client.get("/department")).text
    assert "1栋整栋停电两小时" in desk and "报到" in desk
    assert (await form_post(client, case, f"{case}/report-in", {})).status_code == 303
    answered = await form_post(client, case, f"{case}/department-answer", {"text": "更换了变压器保险"})
    assert answered.status_code == 303

    await sign_in(client, w.phones[1])
    assert "更换了变压器保险" in (await client.get(case)).text
    done = await form_post(client, case, f"{case}/answer", {"text": "供电所已恢复供电，请留意"})
    assert done.status_code == 303

    await sign_in(client, w.phones[4])
    mine = (await client.get("/cases")).text
    assert "供电所已恢复供电" in mine and f'action="{case}/rate"' in mine
    rated = await form_post(client, case, f"{case}/rate", {"level": "satisfied", "solved": "yes", "comment": "很快"})
    assert rated.status_code == 303
    page = (await client.get(case)).text
    assert "已评价，结束" in page and "满意" in page and "很快" in page
    assert rt.store.repository.get(case_id).state == "closed"

    await sign_in(client, w.phones[3])  # the street operator
    month = datetime.now(LOCAL_ZONE).strftime("%Y-%m")
    board = (await client.get(f"/street/cases?month={month}")).text
    assert "社区test" in board and "供电所" in board and "100.0%" in board
    await client.post("/signout", data={"_csrf_token": client.cookies.get("csrftoken")})
    digest = await client.get(f"/board/cases?community=test&month={month}")  # public: no sign-in
    assert digest.status_code == 200 and "供电用电" in digest.text and "100.0%" in digest.text
    assert "整栋停电" not in digest.text and "居民test" not in digest.text and "居*" not in digest.text, (
        "nothing personal"
    )


async def test_bad_input_gets_a_clear_message_and_writes_nothing(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[4])
    before = rt.event_count()
    good = {"category": "facilities", "text": "楼道灯坏了", "place": "", "public": "1"}
    for bad, message, photos in [
        ({"category": "spa"}, "请从事项清单中选择类别", []),
        ({"text": "   "}, "请说明问题", []),
        ({"text": "长" * 2001}, "请说明问题", []),
        ({"place": "南门"}, "请选择社区内的地点", []),
        ({}, "最多上传 4 张照片", [photo()] * 5),
        ({}, "照片须为 JPEG、PNG 或 WebP 格式", [b"not an image"]),
    ]:
        refused = await raise_through_page(client, {**good, **bad}, photos)
        assert refused.status_code == 422 and message in refused.text, (bad, refused.status_code, message)
        assert 'name="text"' in refused.text, "the form comes back"
        if bad.get("text", "x").strip():
            assert (bad.get("text") or "楼道灯坏了") in refused.text, "with what was typed"
    assert rt.event_count() == before
    assert not (rt.settings.uploads_dir / "cases").exists() or not any((rt.settings.uploads_dir / "cases").iterdir())

    case = case_path(await raise_through_page(client, good))
    await settle(rt)
    before = rt.event_count()
    refused = await form_post(client, case, f"{case}/rate", {"level": "satisfied", "solved": "yes"})
    assert refused.status_code == 409 and "办结后才能评价" in refused.text, "not answered yet"
    refused = await form_post(client, case, f"{case}/rate", {"level": "great", "solved": "maybe"})
    assert refused.status_code == 422 and "请说明问题是否解决" in refused.text
    refused = await form_post(client, case, f"{case}/join", {})
    assert refused.status_code == 409 and "已在关注" in refused.text, "the raiser follows it already"
    assert (await form_post(client, case, f"{case}/accept", {})).status_code == 403, "a resident handles nothing"
    assert (await client.get("/grid")).status_code == 403
    assert (await client.get("/department")).status_code == 403
    assert (await client.get("/grids")).status_code == 403
    assert (await client.get(f"/cases/{UUID(int=7)}")).status_code == 404

    await sign_in(client, w.phones[1])  # the grid worker
    await form_post(client, case, f"{case}/accept", {})
    await settle(rt)
    before = rt.event_count()
    page = (await client.get(case)).text  # 公共设施 is 即办 and names no department: the owner chooses one
    assert 'name="department_id" required' in page
    city = re.search(r'<option value="([0-9a-f-]{36})">城管</option>', page).group(1)
    for action, fields, status, message in [
        ("note", {"text": ""}, 422, "请填写进展"),
        ("whistle", {"reason": ""}, 422, "请选择职能部门"),  # none chosen, none named
        ("whistle", {"reason": "", "department_id": city}, 422, "请说明原因"),  # 即办: a reason is required
        ("whistle", {"reason": "器材属市政", "department_id": "城管"}, 422, "请选择本街道的职能部门"),
        ("extension", {"days": "三天", "reason": "等"}, 422, "整数"),
        ("extension", {"days": "16", "reason": "等配件"}, 422, "1"),
        ("hand-over", {"to_id": "nobody", "reason": "休假"}, 422, "网格员或社区工作人员"),
        ("merge", {"duplicate_id": str(UUID(int=9))}, 404, "没有这件诉求"),
        ("answer", {"text": "  "}, 422, "答复"),
        ("downgrade", {"reason": "x"}, 409, "紧急"),
    ]:
        refused = await form_post(client, case, f"{case}/{action}", fields)
        assert refused.status_code == status and message in refused.text, (action, refused.status_code, message)
    assert rt.event_count() == before
    whistled = await form_post(client, case, f"{case}/whistle", {"reason": "路灯归城管维护", "department_id": city})
    assert whistled.status_code == 303
    assert count_topic(rt, Case.Whistled) == 1


async def test_public_cases_me_too_and_who_sees_what(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[4])
    public = case_path(
        await raise_through_page(client, {"category": "facilities", "text": "1栋门口路灯不亮", "public": "1"})
    )
    private = case_path(await raise_through_page(client, {"category": "neighbours", "text": "与楼上邻居因漏水起纠纷"}))
    await sign_in(client, w.phones[5])  # a neighbour
    listed = (await client.get("/cases")).text
    assert "1栋门口路灯不亮" in listed and "漏水起纠纷" not in listed
    assert "居*****4" not in (await client.get(public)).text, "a public case does not say who raised it"
    assert (await client.get(private)).status_code == 404
    joined = await form_post(client, public, f"{public}/join", {})
    assert joined.status_code == 303
    assert "1栋门口路灯不亮" in (await client.get("/cases")).text, "now among the neighbour's own cases"
    again = await form_post(client, public, f"{public}/join", {})
    assert again.status_code == 409

    await sign_in(client, w.elsewhere_phone)  # a resident of 2栋 sees the public one, not the private one
    assert (await client.get(public)).status_code == 200 and (await client.get(private)).status_code == 404
    await sign_in(client, w.phones[6])  # the worker of 第二网格
    assert (await client.get(private)).status_code == 404
    await sign_in(client, w.power_staff_phone)  # a department: only its whistles
    assert (await client.get(private)).status_code == 404 and (await client.get(public)).status_code == 404
    await sign_in(client, w.phones[3])  # the street's operator: not a case never whistled
    assert (await client.get(private)).status_code == 404
    await sign_in(client, w.phones[1])  # the grid's worker
    page = (await client.get(private)).text
    assert "漏水起纠纷" in page and "居*****4" in page, "the handler sees who raised it"


async def test_a_building_head_raises_a_case_for_an_elderly_neighbour(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[2])  # the 楼长 of 1栋
    found = (await client.get("/cases/for?q=居民test5")).text
    assert "1栋1单元106室" in found, "found by a piece of the name"
    chosen = await client.get(f"/cases/for?q=106&resident={w.residents[5]}")
    assert 'action="/cases/for"' in chosen.text and str(w.residents[5]) in chosen.text
    assert "13700000001" not in (await client.get("/cases/for?q=0000001")).text, "2栋 is not the 楼长's"
    before = rt.event_count()
    outside = await form_post(
        client,
        "/cases/for",
        "/cases/for",
        {"resident_id": str(w.elsewhere), "category": "elderly", "text": "需要助餐", "public": "0"},
    )
    assert outside.status_code == 403 and "只能为" in outside.text
    assert rt.event_count() == before
    raised = await form_post(
        client,
        f"/cases/for?q=106&resident={w.residents[5]}",
        "/cases/for",
        {"resident_id": str(w.residents[5]), "category": "elderly", "text": "独居老人需要助餐", "public": "0"},
    )
    case = case_path(raised)
    page = (await client.get(case)).text
    assert "独居老人需要助餐" in page and "代居民提交" in page
    first = next(iter(rt.store.events.get(UUID(case.rsplit("/", 1)[1]))))
    assert (first.actor_id, first.on_behalf_of, first.authority) == (w.residents[2], w.residents[5], "building_head")
    await sign_in(client, w.phones[5])  # the neighbour sees it among their own
    assert "独居老人需要助餐" in (await client.get("/cases")).text
    await sign_in(client, w.phones[4])  # another resident does not
    assert (await client.get(case)).status_code == 404


async def test_an_overdue_case_is_marked_in_words_wherever_it_appears(client):
    rt = app_runtime(client)
    w = await world(rt)
    long_ago = datetime.now(UTC) - timedelta(days=10)
    done = await cases.raise_case(rt, w.ctx(w.residents[4], long_ago), "facilities", "电梯按钮失灵")
    case = f"/cases/{done.result['case_id']}"
    await settle(rt)
    for phone, page in [
        (w.phones[1], "/grid"),
        (w.phones[0], "/cases/desk"),
        (w.phones[4], "/cases"),
        (w.phones[4], case),
    ]:
        await sign_in(client, phone)
        text = (await client.get(page)).text
        assert "电梯按钮失灵" in text and "已逾期" in text, page
    await sign_in(client, w.phones[3])
    assert "1 件逾期" in (await client.get("/street/cases")).text


async def test_the_clerk_draws_grids_decides_extensions_and_records_a_rating_by_phone(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[0])
    page = (await client.get("/grids")).text
    assert "第一网格" in page and "未划入网格的楼栋" in page and "2栋" in page
    before = rt.event_count()
    for action, fields, message in [
        ("/grids", {"name": "第一网格"}, "已有同名网格"),
        ("/grids", {"name": ""}, "网格"),
        (f"/grids/{w.grid_a}/buildings", {"building": "1栋"}, "该楼栋已在这个网格中"),
        (f"/grids/{w.grid_a}/worker", {"resident_id": str(w.residents[4])}, "网格员角色"),
        ("/grids/heads", {"building": "2栋", "resident_id": str(w.residents[2])}, "请先把该楼栋划入网格"),
        ("/grids/buildings/move", {"building": "1栋", "to_grid_id": "x"}, "请选择网格"),
    ]:
        refused = await form_post(client, "/grids", action, fields)
        assert refused.status_code in (404, 409, 422) and message in refused.text, (action, refused.status_code)
    assert rt.event_count() == before
    assert (await form_post(client, "/grids", "/grids", {"name": "第三网格"})).status_code == 303
    page = (await client.get("/grids")).text
    grid_c = re.search(r'id="grid-([0-9a-f-]{36})"[^>]*>\s*<h2[^>]*>第三网格', page).group(1)
    assert (await form_post(client, "/grids", f"/grids/{grid_c}/buildings", {"building": "2栋"})).status_code == 303
    assert (
        await form_post(client, "/grids", "/grids/places", {"name": "小区北门", "grid_id": grid_c})
    ).status_code == 303
    page = (await client.get("/grids")).text
    assert "登记簿上的楼栋都已划入网格" in page and "小区北门" in page

    done = await cases.raise_case(rt, w.ctx(w.residents[4]), "neighbours", "楼上漏水到我家")
    case = f"/cases/{done.result['case_id']}"
    await cases.accept(rt, w.ctx(w.residents[1]), UUID(done.result["case_id"]))
    await cases.request_extension(rt, w.ctx(w.residents[1]), UUID(done.result["case_id"]), 10, "等房屋鉴定")
    await settle(rt)
    desk = (await client.get("/cases/desk")).text
    assert "楼上漏水到我家" in desk and "申请延期 10 天" in desk
    refused = await form_post(client, case, f"{case}/extension/decline", {"reason": ""})
    assert refused.status_code == 422
    assert (await form_post(client, case, f"{case}/extension/approve", {})).status_code == 303
    assert "已批准延期 10 天" in (await client.get(case)).text
    await cases.answer(rt, w.ctx(w.residents[1]), UUID(done.result["case_id"]), "已协调楼上维修")
    await settle(rt)
    before = rt.event_count()
    for fields, message in [
        (
            {"resident_id": str(w.residents[5]), "channel": "phone", "level": "satisfied", "solved": "yes"},
            "请选择作出评价的居民",
        ),
        ({"resident_id": str(w.residents[4]), "channel": "self", "level": "satisfied", "solved": "yes"}, "电话"),
    ]:
        refused = await form_post(client, case, f"{case}/rate-for", fields)
        assert refused.status_code == 422 and message in refused.text
    assert rt.event_count() == before
    phoned = {"resident_id": str(w.residents[4]), "channel": "phone", "level": "dissatisfied", "solved": "no"}
    assert (await form_post(client, case, f"{case}/rate-for", phoned)).status_code == 303
    rated = next(e for e in rt.store.events.get(UUID(done.result["case_id"])) if isinstance(e, Case.Rated))
    assert (rated.actor_id, rated.on_behalf_of, rated.channel) == (w.residents[0], w.residents[4], "phone")
    desk = (await client.get("/cases/desk")).text
    assert "楼上漏水到我家" in desk and "重新打开" in desk, "不满意 reopens it to the clerks' queue"

    matters = (await client.get("/cases/matters")).text
    assert "物业服务" in matters
    refused = await form_post(
        client, "/cases/matters", "/cases/matters/narrow", {"code": "property", "effective_from": "昨天"}
    )
    assert refused.status_code == 422
    narrowed = {"code": "other", "dropped": "1", "effective_from": datetime.now(LOCAL_ZONE).date().isoformat()}
    assert (await form_post(client, "/cases/matters", "/cases/matters/narrow", narrowed)).status_code == 303
    await sign_in(client, w.phones[4])
    assert 'value="other"' not in (await client.get("/cases/new")).text, "a dropped category cannot be raised"


async def test_the_street_registers_departments_appoints_staff_and_reroutes(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[0])
    assert (await client.get("/street/casework")).status_code == 403, "a clerk is no street operator"
    await sign_in(client, w.phones[3])
    page = (await client.get("/street/casework")).text
    assert "供电所" in page and "城管" in page and "供电用电" in page
    before = rt.event_count()
    refused = await form_post(client, "/street/casework", "/street/departments", {"name": "供电所", "kind": "power"})
    assert refused.status_code == 409 and "同名" in refused.text
    refused = await form_post(
        client, "/street/casework", f"/street/departments/{w.power}/staff", {"phone": "13999999999"}
    )
    assert refused.status_code == 404 and "没有用这个手机号登记的居民" in refused.text
    assert rt.event_count() == before
    made = await form_post(
        client,
        "/street/casework",
        "/street/departments",
        {"name": "幸福物业", "kind": "property", "categories": ["property"], "street": STREET},
    )
    assert made.status_code == 303
    page = (await client.get("/street/casework")).text
    assert "幸福物业" in page
    line = {"code": "parking", "label": "停车管理", "handling": "whistle", "answer_days": "5", "department_id": "",
            "effective_from": datetime.now(LOCAL_ZONE).date().isoformat()}  # fmt: skip
    assert (await form_post(client, "/street/casework", "/street/matters", line)).status_code == 303
    await sign_in(client, w.phones[4])
    assert "停车管理" in (await client.get("/cases/new")).text, "the street's new category reaches the community"

    done = await cases.raise_case(rt, w.ctx(w.residents[4]), "power", "路灯线路老化")
    case_id = UUID(done.result["case_id"])
    case = f"/cases/{case_id}"
    await cases.accept(rt, w.ctx(w.residents[1]), case_id)
    from backend.casework.commands import whistles

    await whistles.whistle(rt, w.ctx(w.residents[1]), case_id)
    await settle(rt)
    await sign_in(client, w.phones[3])
    assert "路灯线路老化" in (await client.get("/street/casework")).text, "the street sees every open whistle"
    page = (await client.get(case)).text
    city = re.search(r'<option value="([0-9a-f-]{36})">城管</option>', page).group(1)
    assert (await form_post(client, case, f"{case}/reroute", {"department_id": city, "reason": ""})).status_code == 422
    rerouted = await form_post(client, case, f"{case}/reroute", {"department_id": city, "reason": "路灯归城管"})
    assert rerouted.status_code == 303
    await sign_in(client, w.city_staff_phone)
    assert "路灯线路老化" in (await client.get("/department")).text
    returned = await form_post(client, case, f"{case}/return", {"reason": "线路属供电所"})
    assert returned.status_code == 303
    await sign_in(client, w.phones[1])
    assert "线路属供电所" in (await client.get(case)).text, "the owner reads why it came back"


async def test_care_flags_never_reach_a_public_page(client):
    from backend.casework.commands import care

    rt = app_runtime(client)
    w = await world(rt)
    household = household_id_for(w.community_id, "1栋", "1单元", "105室")
    await care.flag_care(rt, w.ctx(w.residents[0]), household, ["alone", "elderly"], w.residents[4])
    done = await cases.raise_case(rt, w.ctx(w.residents[4]), "elderly", "想申请助餐服务", public=True)
    await cases.accept(rt, w.ctx(w.residents[1]), UUID(done.result["case_id"]))
    await settle(rt)
    await sign_in(client, w.phones[5])
    month = datetime.now(LOCAL_ZONE).strftime("%Y-%m")
    for page in ["/cases", f"/cases/{done.result['case_id']}", f"/board/cases?month={month}", "/cases/new"]:
        text = (await client.get(page)).text
        assert not any(word in text for word in ("独居", "高龄", "关爱对象", "alone")), page


def test_a_case_page_and_the_queue_are_told_live_and_only_their_viewers(settings):
    """The case's socket (and the grid worker's queue) says when the case moved; the page then fetches its live part
    as its viewer. A socket from another origin, or of someone who may not see the case, is closed."""
    import pytest
    from litestar.exceptions import WebSocketDisconnect
    from litestar.testing import TestClient

    from backend.web.app import create_app

    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        rt = client.app.state.runtime
        w = client.blocking_portal.call(world, rt)
        done = client.blocking_portal.call(cases.raise_case, rt, w.ctx(w.residents[4]), "facilities", "楼道灯不亮")
        case_id = UUID(done.result["case_id"])

        def signed_in(phone: str) -> None:
            client.get("/signin")
            token = client.cookies.get("csrftoken")
            client.post("/signin", data={"phone": phone, "password": PASSWORD, "_csrf_token": token})

        origin = {"origin": "http://testserver.local"}
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(f"/live/cases/{case_id}", headers=origin) as s,
        ):
            s.receive_text()  # not signed in
        signed_in(w.phones[5])  # a neighbour: the case is private
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(f"/live/cases/{case_id}", headers=origin) as s,
        ):
            s.receive_text()
        signed_in(w.phones[1])  # the grid worker
        evil = {"origin": "http://evil.example"}
        with pytest.raises(WebSocketDisconnect), client.websocket_connect(f"/live/cases/{case_id}", headers=evil) as s:
            s.receive_text()
        with (
            client.websocket_connect(f"/live/cases/{case_id}", headers=origin) as page,
            client.websocket_connect("/live/queue", headers=origin) as queue,
        ):
            first = page.receive_text()
            assert f'hx-get="/cases/{case_id}/live"' in first and 'hx-swap-oob="true"' in first
            assert 'hx-get="/grid/live"' in queue.receive_text()
            client.blocking_portal.call(cases.accept, rt, w.ctx(w.residents[1]), case_id)
            assert f'hx-get="/cases/{case_id}/live"' in page.receive_text(), "the page is told the case moved"
            assert 'hx-get="/grid/live"' in queue.receive_text(), "and so is the queue"
        live = client.get(f"/cases/{case_id}/live")
        assert live.status_code == 200 and 'id="case-live"' in live.text and "办理中" in live.text
        assert "<html" not in live.text, "a fragment"
        signed_in(w.phones[5])
        assert client.get(f"/cases/{case_id}/live").status_code == 404
