"""The shell: health, PWA installability, offline reading, and the phone's frame (issue 23, a shell that fits 360 px):
one header row of at most 56 px, measured; a bottom tab bar of five destinations with distinct labels that stays on
screen; the first notice of /board on the first screen; language and larger text on 我的 and in a visitor's
first-visit prompt, not in the header; staff tools on 我的. axe-core checks every page visited."""

import json
import tempfile
import urllib.request

from playwright.sync_api import Page, expect

from e2e.helpers import check_a11y, installability_errors, sign_in, under_service_worker

SMALL = {"width": 360, "height": 640}
TABS = ["首页", "议事", "服务", "公开", "我的"]
RESIDENT, CLERK, STREET = 26, 2, 40  # backend.demo.ROLE_PLAN: a plain resident, a clerk; the last one is the street's


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not laid out on {page.url}"
    return found


def small_phone(phone) -> Page:  # type: ignore[no-untyped-def]
    page = phone()
    page.set_viewport_size(SMALL)
    return page


def dismiss_welcome(page: Page) -> None:
    """This phone has answered the first-visit prompt (as if closed on an earlier visit)."""
    page.context.add_init_script("try { localStorage.setItem('linli-welcomed', '1'); } catch (e) {}")


def check_frame(page: Page, header_max: float) -> None:
    """One header row no taller than `header_max`; the five tabs on screen, at the bottom, covering nothing at the end
    of the page."""
    header = box(page, "header.site")
    assert header["y"] == 0 and header["height"] <= header_max, header
    tabs = page.locator("nav.tabs a")
    assert tabs.all_inner_texts() == TABS
    bar = box(page, "nav.tabs")
    assert abs(bar["y"] + bar["height"] - SMALL["height"]) < 1, bar
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert box(page, "nav.tabs")["y"] == bar["y"], "the bar stays put as the page scrolls"
    for n in range(5):
        expect(tabs.nth(n)).to_be_in_viewport()
    footer = box(page, "footer.site")
    assert footer["y"] + footer["height"] <= bar["y"] + 0.5, "the end of the page scrolls clear of the bar"
    page.evaluate("window.scrollTo(0, 0)")


def current_tab(page: Page) -> str:
    current = page.locator("nav.tabs a[aria-current]")
    expect(current).to_have_count(1)
    return current.inner_text()


def test_health(live_server):
    with urllib.request.urlopen(live_server + "/healthz") as response:
        body = json.load(response)
    assert body["status"] == "ok"
    assert body["events"] > 100
    names = {
        "chain",
        "community",
        "residents",
        "deliberation",
        "procedure",
        "volunteering",
        "services",
        "casework",
        "casework_care",
        "inbox",
        "disclosure",
        "merkle",
        "checkpoints",
        "record_keys",
        "verification",
        "news",  # issue 23 item 4, community news
        "floor",  # issue 29: the sittings' speaker lists
        "workload_admission",  # issue 30: 准入清单, 证明事项, 一表通, 全程代办
        "workload_certificates",
        "workload_one_table",
        "workload_errands",
    }
    assert set(body["projections"]) == names


def test_one_header_row_and_five_tabs_at_360_by_640(phone):
    page = small_phone(phone)
    dismiss_welcome(page)
    page.goto("/proposals")  # (`/` was this list until the home page; e2e/test_home.py has the home)
    assert page.get_by_role("heading", level=1).inner_text().endswith("民主提事")
    check_frame(page, 56)
    assert current_tab(page) == "议事"
    expect(page.locator("header.site").get_by_role("link")).to_have_count(1)  # a visitor: the brand alone
    check_a11y(page)
    for path, tab in (
        ("/matters", "议事"),
        ("/services", "服务"),
        ("/volunteer", "服务"),
        ("/board", "公开"),
        ("/verify", "公开"),
        ("/signin", "我的"),
        ("/", "首页"),
    ):
        page.goto(path)
        assert current_tab(page) == tab, path
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的").click()
    page.wait_for_url("**/signin")
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text("我的")

    sign_in(page, RESIDENT)
    check_frame(page, 56)  # the brand, the resident's name and the bell: still one row
    header = page.locator("header.site")
    expect(header.get_by_role("link", name="通知")).to_be_visible()
    expect(header.locator("#outbox-count")).to_have_count(1)
    for gone in ("退出", "大字", "English", "中文", "提事", "诉求"):
        expect(header.get_by_text(gone, exact=True)).to_have_count(0)
    page.goto("/me")
    check_a11y(page)
    page.locator("#elder-toggle").click()
    for path in ("/proposals", "/board", "/me"):
        page.goto(path)
        assert "elder" in page.evaluate("document.documentElement.className")
        check_frame(page, 64)  # 60 px targets: one row still
        for tab in page.locator("nav.tabs a").all():
            found = tab.bounding_box()
            assert found and found["width"] >= 60 and found["height"] >= 60, found
    check_a11y(page)


def test_the_first_notice_of_the_board_is_on_the_first_screen(phone):
    """A first visit, prompt and all: the filters fold behind one button, and the first notice shows unscrolled."""
    page = small_phone(phone)
    page.goto("/board")
    expect(page.locator("#welcome")).to_be_visible()
    filters = page.locator("details.fold")
    expect(filters.locator("summary")).to_have_text("筛选")
    expect(page.get_by_label("查看某一时刻的公开栏")).to_be_hidden()
    first = page.locator("ul.cards > li.card").first
    title = box(page, "ul.cards > li.card h2")
    floor = min(box(page, "nav.tabs")["y"], box(page, "#welcome")["y"])
    assert title["y"] >= 0 and title["y"] + title["height"] <= floor, (title, floor)
    expect(first).to_be_in_viewport(ratio=0.3)
    check_a11y(page)

    filters.locator("summary").click()
    page.get_by_label("状态").select_option("open")
    page.get_by_role("button", name="显示").click()
    page.wait_for_url("**state=open**")
    expect(page.locator("details.fold summary")).to_have_text("筛选（已选 1 项）")
    check_a11y(page)


def test_first_visit_prompt_offers_language_and_larger_text_once(phone):
    page = small_phone(phone)
    page.goto("/proposals")
    prompt = page.get_by_role("region", name="欢迎！请选择语言和字号：")
    expect(prompt).to_be_visible()
    check_a11y(page)
    prompt.get_by_role("button", name="大字").click()
    assert "elder" in page.evaluate("document.documentElement.className")
    expect(prompt.get_by_role("button", name="大字")).to_have_attribute("aria-pressed", "true")
    check_a11y(page)
    prompt.get_by_role("link", name="English").click()
    expect(page.locator("nav.tabs a")).to_have_text(["Home", "Discuss", "Service", "Public", "Me"])
    expect(page.locator("#welcome")).to_be_hidden()  # answered: not asked again on this phone
    page.goto("/board")
    expect(page.locator("#welcome")).to_be_hidden()
    assert "elder" in page.evaluate("document.documentElement.className"), "larger text is remembered"
    check_a11y(page)

    other = small_phone(phone)  # another phone: asked, and closing the prompt is remembered
    other.goto("/board")
    other.get_by_role("region", name="欢迎！请选择语言和字号：").get_by_role("button", name="关闭").click()
    expect(other.locator("#welcome")).to_be_hidden()
    other.reload()
    expect(other.locator("#welcome")).to_be_hidden()
    assert "elder" not in other.evaluate("document.documentElement.className")


def test_language_and_larger_text_on_my_page_and_the_sign_in_page(phone):
    page = small_phone(phone)
    dismiss_welcome(page)
    page.goto("/signin")  # a visitor's 我的
    settings = page.get_by_role("region", name="语言和字号")
    settings.get_by_role("button", name="大字").click()
    assert "elder" in page.evaluate("document.documentElement.className")
    settings.get_by_role("button", name="大字").click()
    assert "elder" not in page.evaluate("document.documentElement.className")
    expect(page.get_by_role("link", name="用手机号和房号登记")).to_have_attribute("href", "/register")
    check_a11y(page)

    sign_in(page, RESIDENT)
    page.locator("nav.tabs").get_by_role("link", name="我的").click()
    page.wait_for_url("**/me")
    settings = page.get_by_role("region", name="语言和字号")
    settings.get_by_role("link", name="English").click()
    page.wait_for_url("**/me")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.locator("nav.tabs a")).to_have_text(["Home", "Discuss", "Service", "Public", "Me"])
    page.get_by_role("button", name="Larger text").click()
    page.reload()
    assert "elder" in page.evaluate("document.documentElement.className"), "remembered on this phone"
    expect(page.locator("#elder-toggle")).to_have_attribute("aria-pressed", "true")
    check_a11y(page)
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账号")
    expect(page.get_by_role("region", name="工作台")).to_have_count(0)  # a plain resident: no staff tools
    expect(page.get_by_role("navigation", name="工作台")).to_have_count(0)
    mine = page.get_by_role("navigation", name="常用")
    for name, href in (("我的诉求", "/cases"), ("我要提事", "/proposals/new"), ("通知", "/inbox")):
        expect(mine.get_by_role("link", name=name, exact=True)).to_have_attribute("href", href)
    page.get_by_role("button", name="退出", exact=True).click()
    page.wait_for_url("**signed-out=1")
    expect(page.locator("header.site .who")).to_have_count(0)


def test_staff_tools_are_on_my_page_not_in_the_bar(phone):
    page = small_phone(phone)
    dismiss_welcome(page)
    sign_in(page, CLERK)
    expect(page.locator("nav.tabs a")).to_have_text(TABS)
    expect(page.get_by_role("link", name="工作台", exact=True)).to_have_count(0)  # not in the shell
    page.locator("nav.tabs").get_by_role("link", name="我的").click()
    tools = page.get_by_role("navigation", name="工作台")
    expect(tools.get_by_role("link")).to_have_text(["诉求待办", "工作台", "公开工作台"])
    check_a11y(page)
    tools.get_by_role("link", name="工作台", exact=True).click()
    page.wait_for_url("**/clerk")
    assert current_tab(page) == "我的"
    check_a11y(page)


def test_the_street_finds_its_desks_on_my_page(phone):
    page = small_phone(phone)
    dismiss_welcome(page)
    sign_in(page, STREET)
    page.goto("/me")
    tools = page.get_by_role("navigation", name="工作台")
    tools.get_by_role("link", name="街道诉求").click()
    page.wait_for_url("**/street/cases**")
    check_a11y(page)


def test_installable(playwright, live_server):
    with tempfile.TemporaryDirectory() as profile:
        assert installability_errors(playwright, live_server, profile) == []


def test_pages_seen_open_offline(phone):
    page = phone()
    under_service_worker(page, "/proposals")  # now controlled by the service worker, which caches the page
    first = page.locator(".card h2 a").first
    first.click()
    page.wait_for_load_state("networkidle")
    title = page.get_by_role("heading", level=1).inner_text()
    page.context.set_offline(True)
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == title
    page.goto("/signin?never-seen=1")
    assert page.get_by_role("heading", level=1).inner_text() == "您已离线"
    check_a11y(page)
    page.context.set_offline(False)
