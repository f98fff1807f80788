"""What every journey needs: signing in, and axe-core on every page visited."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
DEMO_PASSWORD = "linli2026"

HOME = re.compile(r"^https?://[^/]+/(\?.*)?$")  # the home page, `/`, where signing in lands


def phone_number(index: int) -> str:
    """Demo resident number `index` (1-based), as backend.demo.phone_for makes them."""
    return f"138{index:08d}"


def check_a11y(page: Page) -> None:
    """axe-core (WCAG 2.1 A/AA and best practices) must report no violations. Evaluated, so our CSP allows it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert not problems, f"axe violations on {page.url}:\n" + "\n".join(problems)


def sign_in(page: Page, index: int) -> None:
    page.goto("/signin")
    check_a11y(page)
    page.get_by_label("手机号").fill(phone_number(index))
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(HOME)  # signing in lands on the home (首页, issue 23)


def under_service_worker(page: Page, path: str = "/board") -> None:
    """Open `path` and reload it once the service worker is active: from then on the page is controlled by it (pages
    kept for offline, the outbox's Background Sync)."""
    page.goto(path)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def installability_errors(playwright, base_url: str, user_data_dir: str) -> list:  # type: ignore[no-untyped-def]
    """Chromium's own PWA installability check, in a persistent context, after the service worker is active."""
    from e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    context = playwright.chromium.launch_persistent_context(
        user_data_dir, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        page = context.new_page()
        page.goto(base_url + "/proposals")
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        session = context.new_cdp_session(page)
        return session.send("Page.getInstallabilityErrors")["installabilityErrors"]
    finally:
        context.close()


def publish_one_seat_activity(leader: Page, title: str, what: str, where: str, for_whom: str, start: datetime) -> str:
    """On a team's page: a weekly activity of one week, one seat, starting at `start` for an hour, whose freed seat is
    held 2 hours for the first on the waitlist (an offer); saved and published. Its page's address."""
    leader.get_by_label("标题").fill(title)
    leader.get_by_label("服务内容").fill(what)
    leader.get_by_label("地点", exact=True).fill(where)
    leader.get_by_label("类别").select_option("environment")
    leader.get_by_label("服务对象").fill(for_whom)
    leader.get_by_label("第一个班次的日期").fill(start.date().isoformat())
    leader.get_by_label("开始", exact=True).fill(start.strftime("%H:%M"))
    leader.get_by_label("结束", exact=True).fill((start + timedelta(hours=1)).strftime("%H:%M"))
    leader.get_by_label("每周一次，共几周").fill("1")
    leader.get_by_label("每班名额").fill("1")
    leader.get_by_label("空出的名额为候补第一人保留几小时（0：直接递补）").fill("2")
    leader.get_by_role("button", name="保存活动").click()
    leader.wait_for_url("**/activities/*")
    leader.get_by_role("button", name="发布活动").click()
    expect(leader.get_by_text("活动已发布，居民可以报名了。")).to_be_visible()
    return leader.url
