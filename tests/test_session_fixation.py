"""Session fixation (issue 21, defect 1): the server adopts only session ids it issued; every sign-in (password,
one-time code, registration) and every change of the resident's roles moves the session to a fresh random id and
deletes the old entry; signing out deletes it."""

from __future__ import annotations

from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from backend.web.app import create_app
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in

COOKIE = "linli_session"


def other_phone(client: AsyncTestClient[Any], session_id: str) -> httpx.AsyncClient:
    """Another browser that sends the same session cookie (the attacker's, or the next person at a counter), to the
    same running app (a second test client would run the app's lifespan again)."""
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app), base_url="http://testserver.local")
    other.cookies.set(COOKIE, session_id, domain="testserver.local")
    return other


async def signed_in_as(client: AsyncTestClient[Any] | httpx.AsyncClient) -> str | None:
    response = await client.get("/me/data.json", headers={"accept": "application/json"})
    return str(response.json()["resident"]["id"]) if response.status_code == 200 else None


async def stored(client: AsyncTestClient[Any], session_id: str) -> bool:
    return await client.app.stores.get("sessions").get(session_id) is not None


async def test_an_id_the_client_chose_is_not_adopted_at_sign_in(client) -> None:
    place = await community(app_runtime(client), NOW, residents=1)
    client.cookies.set(COOKIE, "chosen-by-the-attacker", domain="testserver.local")
    await sign_in(client, place.phones[0])
    issued = client.cookies.get(COOKIE)
    assert issued and issued != "chosen-by-the-attacker"
    assert not await stored(client, "chosen-by-the-attacker")
    async with other_phone(client, "chosen-by-the-attacker") as attacker:
        assert await signed_in_as(attacker) is None
    assert await signed_in_as(client) == str(place.residents[0])


async def test_each_sign_in_gets_a_fresh_id_and_the_old_entry_is_deleted(client) -> None:
    place = await community(app_runtime(client), NOW, residents=2)
    await sign_in(client, place.phones[0])
    first = client.cookies.get(COOKIE)
    assert first and await stored(client, first)
    await sign_in(client, place.phones[1])  # the next person at the counter phone
    second = client.cookies.get(COOKIE)
    assert second and second != first
    assert not await stored(client, first)
    async with other_phone(client, first) as kept_the_old_cookie:
        assert await signed_in_as(kept_the_old_cookie) is None
    assert await signed_in_as(client) == str(place.residents[1])


async def test_a_role_change_moves_the_session_to_a_fresh_id(client) -> None:
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await sign_in(client, place.phones[0])
    await client.get("/proposals")
    before = client.cookies.get(COOKIE)
    await grant(rt, place, 0, "clerk", now=NOW)
    await client.get("/proposals")  # the first request after the change
    after = client.cookies.get(COOKIE)
    assert after and after != before
    assert not await stored(client, before)
    async with other_phone(client, before) as kept_the_old_cookie:
        assert await signed_in_as(kept_the_old_cookie) is None
    await client.get("/proposals")
    assert client.cookies.get(COOKIE) == after, "renewed once per change, not on every request"


async def test_signing_out_deletes_the_entry(client) -> None:
    place = await community(app_runtime(client), NOW, residents=1)
    await sign_in(client, place.phones[0])
    session_id = client.cookies.get(COOKIE)
    token = client.cookies.get("csrftoken")
    response = await client.post("/signout", data={"_csrf_token": token})
    assert response.status_code == 303
    assert not await stored(client, session_id)
    async with other_phone(client, session_id) as kept_the_old_cookie:
        assert await signed_in_as(kept_the_old_cookie) is None


async def test_an_anonymous_visit_stores_no_session(settings) -> None:
    async with AsyncTestClient(app=create_app(settings), base_url="http://testserver.local") as visitor:
        response = await visitor.get("/signin")
        assert response.status_code == 200
        assert not any(v.startswith(f"{COOKIE}=") for v in response.headers.get_list("set-cookie"))
        assert list((settings.data_dir / "sessions").glob("*")) == []
