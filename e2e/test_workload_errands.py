"""Journey: errands done for residents (全程代办, issue 30) on phones. The clerk finds a demo resident by phone and
opens a 高龄津贴申请 for her, ticks the three documents, hands it to the office, records its approval and hands it
back; the resident follows the steps on her phone, reads where to get the 健在证明 the committee never issues, and
confirms receipt with 我已领取. axe-core on every page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.helpers import check_a11y, phone_number, sign_in

RESIDENT, CLERK = 32, 2  # a plain demo resident no other journey signs in as; demo resident 2 is a clerk


def step(clerk: Page, card_id: str, button: str, flash: str) -> None:
    clerk.locator(f"#{card_id}").get_by_role("button", name=button, exact=True).click()
    expect(clerk.locator(".flash")).to_contain_text(flash)


def test_the_clerk_runs_an_elder_allowance_errand_and_the_resident_confirms_receipt(phone):
    clerk = phone()
    sign_in(clerk, CLERK)
    clerk.goto("/desk/errands")
    expect(clerk.get_by_role("heading", level=1)).to_have_text("全程代办")
    check_a11y(clerk)
    clerk.get_by_label("姓名、手机号（至少4位）或房号").fill(phone_number(RESIDENT))
    clerk.get_by_role("button", name="查找", exact=True).click()
    found = clerk.locator("li.card").first
    name = found.locator("h3").inner_text()
    found.get_by_label("代办事项").select_option("elder_allowance")
    check_a11y(clerk)
    found.get_by_role("button", name="受理代办").click()
    expect(clerk.locator(".flash")).to_contain_text("已受理")
    card = clerk.locator("li.card", has_text=f"高龄津贴申请 · {name}").first
    card_id = card.get_attribute("id") or ""
    assert re.fullmatch(r"errand-[0-9a-f-]{36}", card_id)
    expect(card).to_contain_text("健在证明")
    check_a11y(clerk)
    for document in ("身份证", "户口簿", "银行卡"):
        step(clerk, card_id, f"收到：{document}", "已收取材料")
    step(clerk, card_id, "送交办理部门", "已送交办理部门")
    clerk.locator(f"#{card_id}").get_by_label("部门答复", exact=True).select_option("approved")
    check_a11y(clerk)
    step(clerk, card_id, "记录答复", "已登记部门答复")
    step(clerk, card_id, "交还居民", "已交还")
    expect(clerk.locator(f"#{card_id}")).to_contain_text("等待居民在手机上确认领取")

    resident = phone()
    sign_in(resident, RESIDENT)
    resident.goto("/me")
    resident.get_by_role("link", name="我的代办（全程代办）").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("我的代办")
    mine = resident.locator(f"#{card_id}")
    expect(mine).to_contain_text("已获批准")
    expect(mine.locator("ol.timeline li")).to_have_count(7)
    mine.get_by_text("如果办理部门要求以下证明").click()
    expect(mine).to_contain_text("社会保险经办机构")
    check_a11y(resident)
    mine.get_by_role("button", name="我已领取").click()
    expect(resident.locator(".flash")).to_contain_text("谢谢，已确认领取")
    expect(resident.locator(f"#{card_id}")).to_contain_text("本人已确认领取")
    check_a11y(resident)
