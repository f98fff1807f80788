from tests.conftest import NOW
from tests.factories import app_runtime, community, sign_in


async def test_board_and_proposal_flow(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3, threshold=2)
    await sign_in(client, place.phones[0])
    r = await client.get("/proposals/new")
    assert r.status_code == 200, r.text[:2000]
    token = client.cookies.get("csrftoken")
    r = await client.post(
        "/proposals/new",
        data={"title": "路灯坏了", "description": "三栋门口", "category": "facilities", "_csrf_token": token},
    )
    assert r.status_code == 303, r.text[:3000]
    r = await client.get(r.headers["location"])
    assert r.status_code == 200
    assert "路灯坏了" in r.text
    r = await client.get("/proposals")
    assert "路灯坏了" in r.text
