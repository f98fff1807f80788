"""Pages kept for their reader (backend/web/kept.py), through HTTP with the real stores: the grid worker's queue and
the street's dashboard are sent again while nothing is projected, the session is unchanged and it is the same
minute — and never to another reader, never after a sign-out (here or everywhere), never without a new case once
it is projected, never with a flash shown twice. A page sent from the kept pages carries no Set-Cookie (the app
sets the session cookie on every page it renders): that is how these tests tell the two apart."""

from __future__ import annotations

import asyncio
import json

import anyio
import httpx

from backend.casework.commands import cases
from backend.web.kept import KeptPages, _key
from tests.factories import app_runtime, sign_in
from tests.test_casework_http import world
from tests.test_residents_http import form_post, settle


async def kept_get(client, path: str, headers: dict | None = None):
    """GET `path` until it comes from the kept pages (the first may take the sign-in's flash, the next keeps it)."""
    for _ in range(3):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text[:500]
        if "set-cookie" not in response.headers:
            return response
    raise AssertionError(f"{path} was never sent from the kept pages")


async def test_the_queue_is_kept_for_its_reader_until_a_case_is_projected(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[1])  # the 网格员 of 第一网格
    rendered = await client.get("/grid")
    kept = await kept_get(client, "/grid")
    assert "路灯不亮了" not in kept.text
    assert kept.headers["content-type"].startswith("text/html")
    assert kept.headers["x-content-type-options"] == "nosniff", "the app's security headers are kept with the page"
    assert rendered.text.count("<li") == kept.text.count("<li")

    # A resident of 1栋 raises a case: once it is projected, the queue shows it.
    await cases.raise_case(rt, w.ctx(w.residents[4]), "facilities", "路灯不亮了")
    await settle(rt)
    fresh = await client.get("/grid")
    assert "路灯不亮了" in fresh.text and "set-cookie" in fresh.headers
    assert "路灯不亮了" in (await kept_get(client, "/grid")).text

    # The fragment the websocket asks for is not the page, and the page is not the fragment.
    fragment = await kept_get(client, "/grid/live", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "路灯不亮了" in fragment.text
    assert "<html" in (await kept_get(client, "/grid")).text


async def at_once(client, path: str, times: int) -> list[httpx.Response]:
    """`times` GETs of `path` running at once in the app's own event loop (the test client takes requests one by
    one; on PostgreSQL the app's connections belong to its loop), with the client's cookies."""
    cookies = dict(client.cookies.items())

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url=str(client.base_url), cookies=cookies) as phone:
            return list(await asyncio.gather(*(phone.get(path) for _ in range(times))))

    return await anyio.to_thread.run_sync(client.blocking_portal.call, together)


async def test_requests_for_a_page_being_rendered_wait_for_that_rendering(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[1])
    await client.get("/grid")  # takes the sign-in's flash
    answers = await at_once(client, "/grid", 6)
    assert {a.status_code for a in answers} == {200} and len({a.text for a in answers}) == 1
    assert sum("set-cookie" in a.headers for a in answers) == 1, "rendered once, the others waited for it"


async def test_another_reader_never_gets_a_page_kept_for_someone_else(client):
    rt = app_runtime(client)
    w = await world(rt)
    await cases.raise_case(rt, w.ctx(w.residents[4]), "facilities", "楼道灯坏了")
    await settle(rt)
    await sign_in(client, w.phones[1])
    assert "楼道灯坏了" in (await kept_get(client, "/grid")).text
    await sign_in(client, w.phones[6])  # the 网格员 of 第二网格, on the same phone
    other = await client.get("/grid")
    assert other.status_code == 200 and "set-cookie" in other.headers
    assert "楼道灯坏了" not in other.text
    await sign_in(client, w.phones[4])  # a resident: not theirs to handle
    assert (await client.get("/grid")).status_code == 403


async def test_a_signed_out_session_gets_no_kept_page(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[1])
    cookie = (await kept_get(client, "/grid")).request.headers["cookie"]
    assert (await form_post(client, "/grid", "/signout", {})).status_code in (302, 303)
    client.cookies.clear()
    replayed = await client.get("/grid", headers={"cookie": cookie})  # the old cookies, exactly as they were
    assert replayed.status_code != 200 or "第一网格" not in replayed.text


async def test_signing_out_everywhere_ends_the_kept_pages_of_every_phone(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[1])
    cookie = (await kept_get(client, "/grid")).request.headers["cookie"]
    client.cookies.clear()  # the same worker on a second phone (signing in there leaves the first one's session)
    await sign_in(client, w.phones[1])
    assert client.cookies.get("linli_session") not in cookie
    assert (await form_post(client, "/grid", "/signout/everywhere", {})).status_code in (302, 303)
    client.cookies.clear()
    after = await client.get("/grid", headers={"cookie": cookie})  # the first phone
    assert after.status_code != 200 or "第一网格" not in after.text


async def test_a_flash_added_to_the_session_is_shown_once_not_kept(client):
    """Another process (or a refused form) puts a flash in the session: the next queue shows it, the one after
    does not show it again."""
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[1])
    await kept_get(client, "/grid")
    sessions = client.app.stores.get("sessions")
    session_id = client.cookies.get("linli_session")

    async def add_flash() -> None:  # in the app's own loop: on PostgreSQL the store's connections belong to it
        data = json.loads(await sessions.get(session_id))
        data["flashes"] = [["info", "别处留下的消息"]]
        await sessions.set(session_id, json.dumps(data), expires_in=3600)

    await anyio.to_thread.run_sync(client.blocking_portal.call, add_flash)
    assert "别处留下的消息" in (await client.get("/grid")).text
    assert "别处留下的消息" not in (await kept_get(client, "/grid")).text


async def test_the_street_dashboard_is_kept_per_query(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[3])  # the street's operator
    this_month = await kept_get(client, "/street/cases")
    other = await client.get("/street/cases?month=2026-01")
    assert other.status_code == 200 and "set-cookie" in other.headers, "another query is another page"
    assert "社区test" in this_month.text


def test_the_kept_pages_hold_at_most_their_limit():
    pages = KeptPages(app=None, limit=8_000)
    scope = {"path": "/grid", "query_string": b"", "headers": []}
    from backend.web.kept import Page

    for n in range(20):
        pages._keep(_key({**scope, "path": f"/p{n}"}, 1), Page(None, "r", None, [], b"x" * 900))
    assert pages.size <= 8_000 and len(pages.pages) == 8
    pages._keep(_key(scope, 1), Page(None, "r", None, [], b"x" * 1_001))  # over an eighth of the limit
    assert _key(scope, 1) not in pages.pages


async def test_a_page_rendered_while_its_reader_signed_out_everywhere_is_not_kept():
    """The sign-out lands after the app found the session valid and before the page is kept: the stamp kept would
    be the new one, so the page itself must be refused."""
    from types import SimpleNamespace

    from litestar.stores.memory import MemoryStore

    stores = {"sessions": MemoryStore(), "security": MemoryStore()}
    await stores["sessions"].set("s1", b'{"resident_id": "r1", "since": 100.0}')
    rendered = []

    async def app(scope, receive, send) -> None:
        rendered.append(scope["path"])
        scope["session"] = {"resident_id": "r1", "since": 100.0}
        await stores["security"].set("valid-from-r1", b"200.0")  # signed out everywhere, on another phone
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"<html>signed in</html>"})

    projector = SimpleNamespace(running=True, position=1)
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/board",
        "query_string": b"",
        "headers": [(b"cookie", b"linli_session=s1; csrftoken=t")],
        "route_handler": SimpleNamespace(opt={"kept": True}),
        "app": SimpleNamespace(
            stores=SimpleNamespace(get=stores.get), state=SimpleNamespace(runtime=SimpleNamespace(projector=projector))
        ),
    }
    kept = KeptPages(app)

    async def ignore(message) -> None:
        pass

    for _ in range(2):
        await kept(dict(scope), None, ignore)
    assert rendered == ["/board", "/board"] and not kept.pages
