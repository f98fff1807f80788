"""Sign-in protection: lockout after repeated wrong passwords, a rate limit per client, sign out everywhere."""

import asyncio
from uuid import uuid4

from backend import auth
from projections import residents
from tests.conftest import NOW
from tests.factories import PASSWORD, app_runtime, community, sign_in


async def attempt(client, phone, password):
    await client.get("/signin")
    return await client.post(
        "/signin", data={"phone": phone, "password": password, "_csrf_token": client.cookies.get("csrftoken")}
    )


async def test_five_wrong_passwords_lock_the_phone_even_for_the_right_one(client):
    place = await community(app_runtime(client), NOW, residents=2)
    phone = place.phones[0]
    for _ in range(4):
        assert (await attempt(client, phone, "wrong-1")).status_code == 401
    assert (await attempt(client, phone, PASSWORD)).status_code == 303, "a success before the limit resets the count"
    for _ in range(5):
        assert (await attempt(client, phone, "wrong-2")).status_code == 401
    locked = await attempt(client, phone, PASSWORD)
    assert locked.status_code == 429
    assert "密码错误次数过多" in locked.text
    other = await attempt(client, place.phones[1], PASSWORD)
    assert other.status_code == 303, "only the attacked phone is locked"


async def test_a_client_address_is_rate_limited(client):
    # A different phone each time, so the per-phone lockout never triggers: only the address limit can.
    statuses = [(await attempt(client, f"1390000{n:04d}", "x")).status_code for n in range(22)]
    assert statuses[:20] == [401] * 20
    assert statuses[20:] == [429, 429]


def use_cookies(client, jar: dict[str, str]) -> None:
    client.cookies.clear()
    for name, value in jar.items():
        client.cookies.set(name, value)


async def test_sign_out_everywhere_ends_other_sessions(client):
    place = await community(app_runtime(client), NOW, residents=1)
    await sign_in(client, place.phones[0])
    other_phone = dict(client.cookies)
    client.cookies.clear()
    await sign_in(client, place.phones[0])
    this_phone = dict(client.cookies)
    use_cookies(client, other_phone)
    assert (await client.get("/proposals/new")).status_code == 200
    use_cookies(client, this_phone)
    page = await client.get("/me")
    assert page.status_code == 200 and "139****" in page.text
    response = await client.post("/signout/everywhere", data={"_csrf_token": client.cookies.get("csrftoken")})
    assert response.status_code == 303
    assert (await client.get("/me")).status_code == 303
    use_cookies(client, other_phone)
    assert (await client.get("/proposals/new")).status_code == 303, "the other phone is signed out"
    await sign_in(client, place.phones[0])
    assert (await client.get("/me")).status_code == 200, "signing in again works"


async def test_residents_wanted_in_the_same_turn_are_read_in_one_statement(runtime, monkeypatch):
    """A burst of first requests after a quiet spell reads their residents together; each gets their own."""
    place = await community(runtime, NOW, residents=6, passwords=False)
    await runtime.projector.catch_up()
    statements: list[int] = []
    read = residents.by_ids

    async def counted(ids):
        statements.append(len(ids))
        return await read(ids)

    monkeypatch.setattr(residents, "by_ids", counted)
    wanted = [*place.residents, place.residents[0], uuid4()]
    users = await asyncio.gather(*(auth._reads.get(str(r)) for r in wanted))
    assert statements == [7], "six residents and an unknown id in one statement; the repeat shares it"
    assert [u and u.id for u in users] == [*place.residents, place.residents[0], None]
    assert {u.community_id for u in users if u} == {place.community_id}

    async def broken(ids):
        raise OSError("disk gone")

    monkeypatch.setattr(residents, "by_ids", broken)
    failed = await asyncio.gather(*(auth._reads.get(str(r)) for r in place.residents[:2]), return_exceptions=True)
    assert [type(f) for f in failed] == [OSError, OSError], "every waiting request fails as its own query would"
