"""Journey: notices for everything that concerns a resident (issue 23 item 3), on a phone. A resident opens her
notifications and finds that the residents' online ballot she may vote in has opened, with a link to it; from there
she chooses which notices come to her phone (turns off the ballots' openings, asks for every notice of the board,
moves her quiet hours) on /me/notices, and finds her choices kept. axe-core on every page."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.helpers import check_a11y, sign_in

RESIDENT = 37  # a plain verified resident of the demo no other journey signs in as (she has not voted)


def test_a_resident_finds_the_ballot_in_her_notifications_and_chooses_her_notices(phone):
    page = phone()
    sign_in(page, RESIDENT)
    page.goto("/inbox")
    check_a11y(page)
    ballot = page.locator("li.card").filter(has_text="表决开始")
    expect(ballot).to_have_count(1)
    expect(ballot).to_contain_text("投票截止到")
    ballot.get_by_role("link").click()
    page.wait_for_url("**/meetings/*")
    check_a11y(page)

    page.goto("/inbox")
    page.get_by_role("link", name="设置推送到手机的通知和免打扰时段").click()
    page.wait_for_url("**/me/notices")
    check_a11y(page)
    opened = page.get_by_label("我可参加的表决开始了")
    board = page.locator("input[name=opt_in][value=board_notice]")
    expect(opened).to_be_checked()
    expect(board).not_to_be_checked()
    expect(page.get_by_label("开启免打扰")).to_be_checked()
    expect(page.get_by_label("起", exact=True)).to_have_value("22:00")
    opened.set_checked(False)
    board.set_checked(True)
    page.get_by_label("起", exact=True).fill("23:00")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/me/notices")
    expect(page.get_by_text("通知设置已保存。")).to_be_visible()
    check_a11y(page)
    page.reload()
    expect(page.get_by_label("我可参加的表决开始了")).not_to_be_checked()
    expect(page.locator("input[name=opt_in][value=board_notice]")).to_be_checked()
    expect(page.get_by_label("起", exact=True)).to_have_value("23:00")
    expect(page.get_by_label("止", exact=True)).to_have_value("07:00")
