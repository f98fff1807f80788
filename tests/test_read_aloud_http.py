"""Issue 23 item 6, read aloud (朗读), through HTTP: the notice page, a residents' ballot and the proposal list carry
the read-aloud button (frontend/templates/_read_aloud.html), hidden until its script shows it, its words translated
by the server; it names what it reads, and a ballot's words say the choices and when voting closes; the service
worker keeps the script for offline use. What the browser does with it: e2e/test_elder.py."""

from __future__ import annotations

import html
import re

from backend.web.pages import static
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_phone_defects_http import ballot_running, published_notice
from tests.test_residents_http import settle

BUTTON = re.compile(
    r'<p class="read-aloud" hidden><button type="button"[^>]*data-read-aloud="([^"]*)"([^>]*)>([^<]*)</button>'
)
WORDS = ("朗读", "停止朗读", "这部手机不能朗读。", "这部手机没有中文语音，不能朗读。", "朗读没有成功，请再按一次。")


def read_aloud(page: str) -> tuple[str, str, str]:
    """The button's selector, its other attributes and its label; the page has one, and the script once."""
    found = BUTTON.findall(page)
    assert len(found) == 1, "one read-aloud button, hidden without JavaScript"
    assert page.count(f'src="{static("js/read-aloud.js")}"') == 1
    return found[0]


def ids_of(selector: str) -> list[str]:
    return re.findall(r"#([\w-]+)", selector)


async def test_the_notice_page_reads_its_title_period_and_text(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "supervisor", now=NOW)
    notice_id = await published_notice(rt, place)
    await settle(rt)
    page = (await client.get(f"/board/notices/{notice_id}")).text  # a visitor: the notice is public
    selector, attributes, label = read_aloud(page)
    assert label == "朗读"
    for word in WORDS:
        assert f'"{word}"' in attributes or word == label
    assert ids_of(selector) == ["notice-title", "notice-when", "notice-body"]
    assert re.search(r'<h1 id="notice-title">活动室改造</h1>', page)
    assert re.search(r'<div class="description notice-text" id="notice-body"><p>费用见财务公开。</p>', page)
    assert 'id="notice-when"' in page


async def test_a_residents_ballot_reads_its_question_choices_and_closing_time(client):
    place, _, ballot = await ballot_running(client)

    await sign_in(client, place.phones[3])
    page = (await client.get(f"/meetings/{ballot}")).text
    selector, attributes, _ = read_aloud(page)
    for name in ids_of(selector):
        assert f'id="{name}"' in page, name
    assert '<p id="motion-text">同意加装电梯</p>' in page
    said = html.unescape(re.search(r'data-read-text="([^"]*)"', attributes).group(1))
    assert said.startswith("选项：赞成、反对、弃权。 投票截止时间：")
    closes = said.removeprefix("选项：赞成、反对、弃权。 投票截止时间：").removesuffix("。")
    assert f"至 {closes}" in page, "the same closing time the page shows"


async def test_the_proposal_list_reads_aloud_in_either_language_and_the_script_works_offline(client):
    await community(app_runtime(client), NOW, residents=1)
    selector, _, label = read_aloud((await client.get("/proposals")).text)
    assert "main h1" in selector and ".card h2" in selector and label == "朗读"
    client.cookies.set("lang", "en")
    _, attributes, label = read_aloud((await client.get("/proposals")).text)
    assert label == "Read aloud" and '"Stop reading"' in attributes and '"This phone cannot read aloud."' in attributes
    worker = (await client.get("/sw.js")).text
    assert static("js/read-aloud.js") in worker
    script = await client.get(static("js/read-aloud.js"))
    assert script.status_code == 200 and "speechSynthesis" in script.text
