"""Sign-in protection: lockout after repeated wrong passwords, a rate limit per client, sign out everywhere."""

import asyncio
import time
from uuid import uuid4

from backend.web import auth, lockout
from backend.web.same_turn import SameTurn
from projections.residents import queries as residents
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


def count_statements(monkeypatch) -> list[int]:
    """The residents' reads from now on, each as the number of ids it asked for."""
    statements: list[int] = []
    read = residents.by_ids

    async def counted(ids):
        statements.append(len(ids))
        return await read(ids)

    monkeypatch.setattr(residents, "by_ids", counted)
    return statements


async def test_residents_wanted_in_the_same_turn_are_read_in_one_statement(runtime, monkeypatch):
    """A burst of first requests after a quiet spell reads their residents together; each gets their own."""
    place = await community(runtime, NOW, residents=6, passwords=False)
    await runtime.projector.catch_up()
    statements = count_statements(monkeypatch)
    wanted = [*place.residents, place.residents[0], uuid4()]
    users = await asyncio.gather(*(auth._reads.read((str(r), None)) for r in wanted))
    assert statements == [7], "six residents and an unknown id in one statement; the repeat shares it"
    assert [u and u.id for u in users] == [*place.residents, place.residents[0], None]
    assert {u.community_id for u in users if u} == {place.community_id}

    async def broken(ids):
        raise OSError("disk gone")

    monkeypatch.setattr(residents, "by_ids", broken)
    failed = await asyncio.gather(
        *(auth._reads.read((str(r), None)) for r in place.residents[:2]), return_exceptions=True
    )
    assert [type(f) for f in failed] == [OSError, OSError], "every waiting request fails as its own query would"


async def test_more_residents_in_a_turn_than_a_statement_takes_are_read_in_several(runtime, monkeypatch):
    """A statement's parameters are bounded: a bigger burst is read a few residents to a statement, all answered."""
    place = await community(runtime, NOW, residents=5, passwords=False)
    await runtime.projector.catch_up()
    statements = count_statements(monkeypatch)
    reads = SameTurn(auth._read_users, most=2)
    users = await asyncio.gather(*(reads.read((str(r), None)) for r in place.residents))
    assert sorted(statements) == [1, 2, 2]
    assert [u and u.id for u in users] == place.residents


async def test_residents_in_use_are_read_again_in_bulk_before_their_requests_must(runtime, monkeypatch):
    """Rows cached together are refreshed together beside the app, not by a wave of waiting requests; a resident
    not used lately is left to expire, and one forgotten (changed) during the read is not put back stale."""
    place = await community(runtime, NOW, residents=4, passwords=False)
    await runtime.projector.catch_up()
    monkeypatch.setattr(auth, "USER_TTL", 0.4)
    monkeypatch.setattr(auth, "_recent", {})
    monkeypatch.setattr(auth, "_used", {})
    users = await asyncio.gather(*(auth._reads.read((str(r), None)) for r in place.residents))
    ids = [str(u.id) for u in users]
    cached_at = time.monotonic() - 0.3  # due: older than half the TTL
    auth._recent.update({i: (u, cached_at) for i, u in zip(ids, users, strict=True)})
    auth._used.update({ids[0]: time.monotonic(), ids[2]: time.monotonic(), ids[3]: time.monotonic()})  # 1 is idle
    statements: list[int] = []
    read = residents.by_ids

    async def counted(wanted):
        statements.append(len(wanted))
        auth.forget_user(ids[3])  # their roles changed while the rows were being read
        return await read(wanted)

    monkeypatch.setattr(residents, "by_ids", counted)
    keeper = asyncio.create_task(auth.keep_users_fresh())
    try:
        async with asyncio.timeout(10):
            while auth._recent[ids[0]][1] == cached_at:
                await asyncio.sleep(0.01)
    finally:
        keeper.cancel()
    assert statements[0] == 3, "the three residents in use, in one statement"
    assert auth._recent[ids[0]][0] == users[0] and auth._recent[ids[2]][1] > cached_at
    assert auth._recent[ids[1]][1] == cached_at, "not used lately: left to expire"
    assert ids[3] not in auth._recent, "forgotten during the read: not put back"


async def test_a_lockout_is_per_address_and_a_phone_attacked_from_everywhere_only_slows_down(tmp_path, monkeypatch):
    """Issue 21, defect 6: wrong passwords from one address lock that address out, not the resident; from many
    addresses the phone slows down (2, 4… at most 60 s between attempts) and is never locked out."""
    from backend.web.sessions import StampedFileStore

    clock = [1_000_000.0]
    monkeypatch.setattr(lockout.time, "time", lambda: clock[0])
    guard = lockout.SignInGuard(StampedFileStore(tmp_path, create_directories=True), "secret")
    phone = "13900000001"
    assert [await guard.failed(phone, "attacker") for _ in range(5)] == [4, 3, 2, 1, 0]
    assert await guard.locked_for(phone, "attacker") == lockout.LOCK_SECONDS
    assert await guard.locked_for(phone, "the resident's phone") == 0, "only the attacking address is locked out"

    for n in range(40):  # the same attack from forty addresses
        clock[0] += 1
        await guard.failed(phone, f"botnet-{n}")
    wait = await guard.locked_for(phone, "the resident's phone")
    assert 0 < wait <= lockout.BACKOFF_MAX_SECONDS, "slowed down, never locked out"
    clock[0] += lockout.BACKOFF_MAX_SECONDS
    assert await guard.locked_for(phone, "the resident's phone") == 0, "a minute later the resident may try"
    seen = await guard.lockout(phone)
    assert len(seen.locked_until) == 1 and seen.failures_last_hour == 45  # once from each bot: none locked out
    await guard.succeeded(phone)
    assert await guard.locked_for(phone, "attacker") == 0 and (await guard.lockout(phone)).failures_last_hour == 0


async def test_the_sign_in_form_warns_before_the_lockout(client):
    place = await community(app_runtime(client), NOW, residents=1)
    texts = [(await attempt(client, place.phones[0], "wrong")).text for _ in range(5)]
    assert "3" in texts[1] and "15" in texts[1], "the second wrong password says how many tries are left"
    assert (await attempt(client, place.phones[0], PASSWORD)).status_code == 429


async def test_the_clerk_sees_a_residents_lockouts_on_their_page(client):
    from tests.factories import grant

    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await grant(rt, place, 0, "clerk", now=NOW)
    for _ in range(5):
        await attempt(client, place.phones[1], "wrong")
    await sign_in(client, place.phones[0])
    page = (await client.get(f"/clerk/residents/{place.residents[1]}")).text
    assert 'id="lockout"' in page and "5" in page.split('id="lockout"')[1][:400]
    calm = (await client.get(f"/clerk/residents/{place.residents[0]}")).text
    assert 'id="lockout"' not in calm
