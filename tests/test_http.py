"""Through HTTP with the real stores: bad input gets a clear message and writes nothing; public pages mask names;
the shell endpoints answer."""

import io
from uuid import UUID, uuid4

import pytest
from PIL import Image

from backend.deliberation.commands import proposals
from backend.kernel.context import Ctx
from tests.conftest import NOW
from tests.factories import app_runtime, community, sign_in


def png(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


GOOD = {"title": "楼道灯坏了", "description": "三栋二单元晚上很黑", "category": "facilities"}


async def post_proposal(client, fields, files=None):
    await client.get("/proposals/new")
    data = {**fields, "_csrf_token": client.cookies.get("csrftoken")}
    return await client.post("/proposals/new", data=data, files=files)


@pytest.fixture
async def signed_in(client):
    place = await community(app_runtime(client), NOW, residents=3, threshold=2)
    await sign_in(client, place.phones[0])
    return place


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({**GOOD, "title": ""}, "请填写议题标题。"),
        ({**GOOD, "title": "长" * 61}, "标题太长（最多 60 字）。"),
        ({**GOOD, "description": "   "}, "请说明具体情况。"),
        ({**GOOD, "description": "长" * 2001}, "说明太长（最多 2000 字）。"),
        ({**GOOD, "category": "weather"}, "请从列表中选择类别。"),
    ],
)
async def test_bad_proposal_text_is_refused_and_nothing_is_written(client, signed_in, fields, message):
    events = app_runtime(client).event_count()
    response = await post_proposal(client, fields)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert app_runtime(client).event_count() == events


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            [("photos", ("x.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg"))],
            "照片须为 JPEG、PNG 或 WebP 格式。",
        ),
        ([("photos", ("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), "image/png"))], "每张照片不能超过 5 MB。"),
        ([("photos", (f"{n}.png", png(), "image/png")) for n in range(5)], "最多上传 4 张照片。"),
        (
            [("photos", ("doc.gif", _gif := b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"))],
            "照片须为 JPEG、PNG 或 WebP 格式。",
        ),
    ],
)
async def test_bad_photos_are_refused_and_nothing_is_written(client, signed_in, files, message):
    events = app_runtime(client).event_count()
    response = await post_proposal(client, GOOD, files)
    assert response.status_code == 422
    assert message in response.text
    assert app_runtime(client).event_count() == events


async def test_a_proposal_with_a_photo_is_shown_with_it(client, signed_in):
    response = await post_proposal(client, GOOD, [("photos", ("a.png", png(), "image/png"))])
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "楼道灯坏了" in page.text
    name = page.text.split('src="/uploads/')[1].split('"')[0]
    photo = await client.get(f"/uploads/{name}")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert (await client.get("/uploads/../secret")).status_code == 404


async def test_htmx_validation_error_returns_the_form_fragment(client, signed_in):
    await client.get("/proposals/new")
    response = await client.post(
        "/proposals/new",
        data={**GOOD, "title": ""},
        headers={"HX-Request": "true", "x-csrftoken": client.cookies.get("csrftoken")},
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="proposal-form"')


async def test_post_without_csrf_token_is_refused(client, signed_in):
    events = app_runtime(client).event_count()
    response = await client.post("/proposals/new", data=GOOD)
    assert response.status_code == 403
    assert app_runtime(client).event_count() == events


async def cosign(client, proposal_id):
    await client.get(f"/proposals/{proposal_id}")
    return await client.post(
        f"/proposals/{proposal_id}/cosign",
        data={"_csrf_token": client.cookies.get("csrftoken")},
        headers={"HX-Request": "true"},
    )


async def test_cosign_rules_over_http(client, signed_in):
    rt = app_runtime(client)
    mine = await proposals.submit(rt, Ctx(signed_in.community_id, signed_in.residents[0], NOW), "a", "b", "other", [])
    theirs = await proposals.submit(rt, Ctx(signed_in.community_id, signed_in.residents[1], NOW), "c", "d", "other", [])
    events = rt.event_count()
    own = await cosign(client, mine.result["proposal_id"])
    assert own.status_code == 409 and "不能附议自己提出的议题。" in own.text
    assert rt.event_count() == events
    first = await cosign(client, theirs.result["proposal_id"])
    assert first.status_code == 200 and "您已附议这个议题。" in first.text
    events = rt.event_count()
    twice = await cosign(client, theirs.result["proposal_id"])
    assert twice.status_code == 409 and "您已经附议过这个议题。" in twice.text
    assert rt.event_count() == events


async def test_unknown_and_foreign_proposals_are_not_found(client, signed_in):
    rt = app_runtime(client)
    other = await community(rt, NOW, code="elsewhere", residents=1)
    foreign = await proposals.submit(rt, Ctx(other.community_id, other.residents[0], NOW), "外社区", "x", "other", [])
    events = rt.event_count()
    assert (await cosign(client, uuid4())).status_code == 404
    assert (await cosign(client, foreign.result["proposal_id"])).status_code == 404
    assert rt.event_count() == events
    missing = await client.get(f"/proposals/{uuid4()}")
    assert missing.status_code == 404 and "页面不存在" in missing.text


async def test_the_board_is_public_and_names_are_masked(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    result = await proposals.submit(rt, Ctx(place.community_id, place.residents[0], NOW), "公开", "x", "other", [])
    board = await client.get("/proposals")
    assert board.status_code == 200 and "公开" in board.text
    page = await client.get(f"/proposals/{UUID(result.result['proposal_id'])}")
    assert "居民test0" not in page.text, "the full name never appears on a public page"
    assert "居*****0" in page.text


async def test_shell_endpoints(client):
    rt = app_runtime(client)
    await community(rt, NOW, residents=1)
    health = (await client.get("/healthz")).json()
    assert health["status"] == "ok" and health["events"] == rt.event_count()
    names = {
        "chain",
        "community",
        "residents",
        "deliberation",
        "procedure",
        "volunteering",
        "services",
        "inbox",
        "news",
        "disclosure",
        "casework",
        "casework_care",
        "merkle",
        "checkpoints",
        "record_keys",
        "verification",
        "floor",
        "workload_admission",
        "workload_certificates",
        "workload_errands",
        "workload_one_table",
    }
    assert set(health["projections"]) == names
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200 and "/proposals" in schema.json()["paths"]
    sw = await client.get("/sw.js")
    assert sw.headers["cache-control"] == "no-cache" and "/offline" in sw.text
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["display"] == "standalone"
    page = await client.get("/proposals")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    english = await client.get("/lang/en?next=/proposals")
    assert english.status_code == 303
    assert "Proposals" in (await client.get("/proposals")).text
    assert (await client.get("/lang/en?next=https://evil.example/")).headers["location"] == "/"


async def test_sign_out_ends_the_session_even_for_a_copied_cookie(client, signed_in):
    assert (await client.get("/proposals/new")).status_code == 200
    copied = dict(client.cookies)
    await client.post("/signout", data={"_csrf_token": client.cookies.get("csrftoken")})
    assert (await client.get("/proposals/new")).status_code == 303
    client.cookies.clear()
    for name, value in copied.items():
        client.cookies.set(name, value)
    assert (await client.get("/proposals/new")).status_code == 303, "the old session id is gone from the store"


async def test_wrong_password_and_malformed_phone(client, signed_in):
    await client.get("/signin")
    token = client.cookies.get("csrftoken")
    wrong = await client.post("/signin", data={"phone": signed_in.phones[1], "password": "nope", "_csrf_token": token})
    assert wrong.status_code == 401 and "手机号或密码不正确。" in wrong.text
    bad = await client.post("/signin", data={"phone": "12345", "password": "x", "_csrf_token": token})
    assert bad.status_code == 422 and "请输入 11 位手机号码。" in bad.text


async def test_a_flash_waits_for_the_next_whole_page_an_htmx_fragment_meanwhile_leaves_it(client, signed_in):
    # "已登录：…" waits in the session: the sign-in's redirect was not followed
    fragment = await client.post(
        "/proposals/new",
        data={**GOOD, "title": ""},
        headers={"HX-Request": "true", "x-csrftoken": client.cookies.get("csrftoken")},
    )
    assert fragment.status_code == 422 and "已登录" not in fragment.text
    page = await client.get("/proposals")
    assert "已登录" in page.text, "the fragment did not take the flash"
    assert "已登录" not in (await client.get("/proposals")).text, "shown once"
