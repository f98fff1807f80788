"""Cookies and HTTPS (issue 21, defect 5): behind TLS — LINLI_PUBLIC_URL is https, or a trusted proxy forwarded the
request as https — every cookie is Secure and HSTS is sent; plain-http local use keeps working as before."""

from __future__ import annotations

from dataclasses import replace

import httpx
from litestar.testing import AsyncTestClient

from backend.web.app import create_app
from tests.conftest import NOW
from tests.factories import PASSWORD, app_runtime, community, sign_in
from tests.test_workers import serving


def cookies_of(response: httpx.Response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}


def secure(cookie: str) -> bool:
    return any(part.strip().lower() == "secure" for part in cookie.split(";")[1:])


async def test_with_an_https_public_url_every_cookie_is_secure_and_hsts_is_sent(settings) -> None:
    app = create_app(replace(settings, public_url="https://linli.example.cn"))
    # A request that reached the app over plain http (the TLS proxy in front says nothing) still gets them.
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as plain:
        page = await plain.get("/signin")
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        assert secure(cookies_of(page)["csrftoken"])
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        client.follow_redirects = False
        place = await community(app_runtime(client), NOW, residents=1)
        await client.get("/signin")
        form = {"phone": place.phones[0], "password": PASSWORD, "_csrf_token": client.cookies.get("csrftoken")}
        signed_in = await client.post("/signin", data=form)
        assert signed_in.status_code == 303
        assert secure(cookies_of(signed_in)["linli_session"])
        assert signed_in.headers["strict-transport-security"] == "max-age=31536000"


async def test_plain_http_local_use_sets_no_secure_cookie_and_no_hsts(client) -> None:
    place = await community(app_runtime(client), NOW, residents=1)
    page = await client.get("/signin")
    assert "strict-transport-security" not in page.headers
    assert not secure(cookies_of(page)["csrftoken"])
    await sign_in(client, place.phones[0])
    response = await client.get("/proposals")
    assert not secure(cookies_of(response)["linli_session"])


def test_a_trusted_proxy_forwarding_https_gets_secure_cookies_and_an_untrusted_one_does_not(settings) -> None:
    """Through `linli serve` (uvicorn's proxy headers): X-Forwarded-Proto is believed only from the trusted proxies."""
    for trusted, expected in (("127.0.0.1", True), ("10.0.0.0/8", False)):
        with serving(settings, LINLI_WORKERS="1", LINLI_TRUSTED_PROXIES=trusted) as (base, _server):
            forwarded = httpx.get(base + "/signin", headers={"x-forwarded-proto": "https"}, timeout=10)
            assert forwarded.status_code == 200
            assert secure(cookies_of(forwarded)["csrftoken"]) is expected
            assert ("strict-transport-security" in forwarded.headers) is expected
            plain = httpx.get(base + "/signin", timeout=10)
            assert not secure(cookies_of(plain)["csrftoken"]) and "strict-transport-security" not in plain.headers
