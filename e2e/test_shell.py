"""The shell: health, PWA installability, offline reading, accessibility of the public pages."""

import json
import tempfile
import urllib.request

from e2e.helpers import check_a11y, installability_errors


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
    }
    assert set(body["projections"]) == names


def test_board_is_public_and_accessible(phone):
    page = phone()
    page.goto("/proposals")  # (`/` was this list until the home page; e2e/test_home.py has the home)
    assert page.get_by_role("heading", level=1).inner_text().endswith("民主提事")
    assert page.locator(".card").count() >= 5
    check_a11y(page)
    page.get_by_role("button", name="大字").click()
    assert "elder" in page.evaluate("document.documentElement.className")
    check_a11y(page)
    page.reload()
    assert "elder" in page.evaluate("document.documentElement.className"), "elder mode is remembered"


def test_english_switch(phone):
    page = phone()
    page.goto("/proposals")
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("link", name="Board").is_visible()
    check_a11y(page)


def test_installable(playwright, live_server):
    with tempfile.TemporaryDirectory() as profile:
        assert installability_errors(playwright, live_server, profile) == []


def test_pages_seen_open_offline(phone):
    page = phone()
    page.goto("/proposals")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which caches the page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
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
