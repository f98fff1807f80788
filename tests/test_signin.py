"""Sign-in protection: lockout after repeated wrong passwords, a rate limit per client, sign out everywhere."""

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
