"""Journey: a family shares one phone (issue 23). A resident signs in, opens their bookings and volunteering (the
service worker keeps the pages seen, to open them offline), and signs out; the next person, offline, opens the same
addresses and gets the offline page, not the previous resident's name and bookings. Every page kept while someone
was signed in goes (each carries their name in its header); a page seen after signing out opens offline again."""

from __future__ import annotations

from e2e.helpers import check_a11y, sign_in, under_service_worker

RESIDENT = 23  # backend.demo.ROLE_PLAN: a plain resident


def test_after_signing_out_a_shared_phone_opens_no_private_page_offline(phone):
    page = phone()
    under_service_worker(page)
    sign_in(page, RESIDENT)
    name = page.locator("a.who").inner_text()
    assert name
    for private in ("/bookings", "/me/volunteering"):
        page.goto(private)
        page.wait_for_load_state("networkidle")
    page.wait_for_function("() => caches.open('linli-pages').then((c) => c.match('/bookings')).then(Boolean)")

    page.locator("nav.tabs").get_by_role("link", name="我的").click()  # signing out is on 我的 (issue 23)
    page.get_by_role("button", name="退出", exact=True).click()
    page.wait_for_url("**/proposals?signed-out=1")
    page.wait_for_function("() => caches.open('linli-pages').then((c) => c.match('/bookings')).then((r) => !r)")

    page.goto("/board")  # seen signed out: kept again
    page.wait_for_function("() => caches.open('linli-pages').then((c) => c.match('/board')).then(Boolean)")
    board = page.get_by_role("heading", level=1).inner_text()

    page.context.set_offline(True)
    for private in ("/bookings", "/me/volunteering"):
        page.goto(private)
        assert page.get_by_role("heading", level=1).inner_text() == "您已离线", private
        assert name not in page.content()
    page.goto("/board")
    assert page.get_by_role("heading", level=1).inner_text() == board
    check_a11y(page)
    page.context.set_offline(False)
