"""The shell around every page (issue 23, a shell that fits 360 px) through HTTP: one header row (the brand, the
bell and the outbox's count; no menu, no language or sign-out), a tab bar of five destinations whose current one is
marked; a visitor's first-visit prompt; language, larger text, sign-out and the staff tools on 我的 (with the same
permissions the header used). The sizes on a phone are measured in e2e/test_shell.py."""

from __future__ import annotations

import re

from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in

TABS = [("/", "首页"), ("/proposals", "议事"), ("/services", "服务"), ("/board", "公开")]


def header(html: str) -> str:
    return html[html.index('<header class="site">') : html.index("</header>")]


def tabs(html: str) -> list[tuple[str, str, str]]:
    bar = html[html.index('<nav class="tabs"') :]
    bar = bar[: bar.index("</nav>")]
    return re.findall(r'<a href="([^"]*)"(?: aria-current="(\w+)")?>([^<]*)</a>', bar)


async def test_a_visitor_sees_one_header_row_five_tabs_and_the_first_visit_prompt(client):
    rt = app_runtime(client)
    await community(rt, NOW, residents=1, passwords=False)
    html = (await client.get("/proposals")).text
    assert re.findall(r"<a [^>]*>", header(html)) == ['<a class="brand" href="/">'], "the brand alone"
    assert tabs(html) == [
        ("/", "", "首页"), ("/proposals", "page", "议事"), ("/services", "", "服务"), ("/board", "", "公开"),
        ("/signin", "", "我的"),
    ]  # fmt: skip
    assert 'id="welcome"' in html and "/lang/en?next=/proposals" in html and "data-elder-toggle" in html
    for path, current in (("/matters", "议事"), ("/volunteer", "服务"), ("/verify", "公开"), ("/register", "我的")):
        marked = [label for _href, mark, label in tabs((await client.get(path)).text) if mark]
        assert marked == [current], path
    signin = (await client.get("/signin?next=/me")).text
    assert 'id="welcome"' not in signin, "the sign-in page has the same controls in the page itself"
    assert 'id="elder-toggle"' in signin and "/lang/en?next=/signin%3Fnext%3D/me" in signin
    assert 'href="/register"' in signin


async def test_my_page_has_language_larger_text_sign_out_and_only_my_staff_tools(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=2)
    await grant(rt, place, 0, "clerk", now=NOW)
    await sign_in(client, place.phones[1])
    page = (await client.get("/proposals")).text
    assert 'class="bell"' in header(page) and 'id="outbox-count"' in header(page)
    for gone in ("/signout", "/lang/", "elder-toggle", "/clerk", "/proposals/new", "/cases"):
        assert gone not in header(page), gone
    assert tabs(page)[-1] == ("/me", "", "我的") and 'id="welcome"' not in page
    me = (await client.get("/me")).text
    assert tabs(me)[-1] == ("/me", "page", "我的")
    assert 'action="/signout"' in me and 'name="_csrf_token"' in me
    assert 'id="elder-toggle"' in me and "/lang/en?next=/me" in me and "/lang/zh?next=/me" in me
    assert 'href="/cases"' in me and 'href="/proposals/new"' in me
    assert "tools-heading" not in me, "a resident has no staff tools"
    mine = me[me.index('id="mine-heading"') :]
    mine = mine[: mine.index("</nav>")]
    for other in ("/me/notices", "/me/outbox"):  # which notices to get; what waits on this phone
        assert f'href="{other}"' in mine and (await client.get(other)).status_code == 200, other

    await client.post("/signout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await sign_in(client, place.phones[0])
    me = (await client.get("/me")).text
    tools = me[me.index('id="tools-heading"') :]
    tools = tools[: tools.index("</nav>")]
    assert re.findall(r'href="([^"]+)"', tools) == ["/cases/desk", "/clerk", "/disclosure"]
    assert "/clerk" not in header((await client.get("/")).text), "staff tools are not in the residents' bar"
