"""Journey: service bookings on phones. The provider publishes a slot of the errands service (代办服务) → resident A
books its only seat → resident B joins the waitlist → A cancels → B is promoted and sees it without reloading →
the provider marks B's booking done → B rates it → the board shows the service's rates; B's inbox has the news.
axe-core on every page visited."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from backend.kernel.zone import LOCAL_ZONE
from e2e.helpers import check_a11y, sign_in

PROVIDER = 7  # backend.demo.ROLE_PLAN: resident 7 acts for the demo providers
RESIDENT_A, RESIDENT_B = 20, 21
SERVICE = "代办服务"
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def slot_start() -> datetime:
    """A few minutes from now, in a slot that does not run past midnight (China time)."""
    start = (datetime.now(LOCAL_ZONE) + timedelta(minutes=3)).replace(second=0, microsecond=0)
    if (start + timedelta(minutes=15)).date() != start.date():
        time.sleep((start + timedelta(minutes=20) - datetime.now(LOCAL_ZONE)).total_seconds())
        return slot_start()
    return start


def publish(provider: Page, start: datetime) -> str:
    provider.goto("/provide")
    check_a11y(provider)
    provider.get_by_role("link", name=f"发布时段：{SERVICE}").click()
    provider.wait_for_url("**/schedule")
    check_a11y(provider)
    for number, name in enumerate(WEEKDAYS):
        provider.get_by_label(name, exact=True).set_checked(number == start.weekday())
    provider.locator("#first_day").fill(start.date().isoformat())
    provider.get_by_label("持续周数（1–12）").fill("1")
    provider.get_by_label("开始时间").fill(start.strftime("%H:%M"))
    provider.get_by_label("结束时间").fill((start + timedelta(minutes=15)).strftime("%H:%M"))
    provider.get_by_label("每个时段分钟数").fill("15")
    provider.get_by_label("每个时段人数").fill("1")
    provider.get_by_label("地点（留空表示上门服务）").fill("居委会一楼大厅")
    provider.get_by_role("button", name="发布时段").click()
    expect(provider.get_by_text("已发布 1 个时段。")).to_be_visible()
    expect(provider.locator("li[id^=slot-]")).to_have_count(1)
    check_a11y(provider)
    return provider.url


def test_book_wait_promotion_done_rating_and_rates(phone):
    provider = phone()
    sign_in(provider, PROVIDER)
    service = publish(provider, slot_start())
    slot = provider.locator("li[id^=slot-]").first.get_attribute("id").removeprefix("slot-")

    a = phone()
    sign_in(a, RESIDENT_A)
    a.goto(service)
    check_a11y(a)
    a.locator("summary", has_text="预约这个时段").click()
    a.get_by_label("给服务方的备注（可选）").fill("帮忙代缴电费")
    a.get_by_role("button", name="预约", exact=True).click()
    expect(a.get_by_text("预约成功，已列入“我的预约”。")).to_be_visible()
    expect(a.locator(f"#seats-{slot}")).to_contain_text("已约 1 / 1")
    check_a11y(a)

    b = phone()
    sign_in(b, RESIDENT_B)
    b.goto(service)
    b.locator("summary", has_text="已满：加入候补").click()
    b.get_by_role("button", name="加入候补").click()
    expect(b.get_by_text("您已加入候补：有人退约时按顺序递补。")).to_be_visible()
    expect(b.locator(f"#mine-{slot}")).to_contain_text("候补中")
    expect(b.locator(f"#seats-{slot}[data-live]")).to_be_attached()  # the live socket has sent the current state
    check_a11y(b)

    a.goto("/bookings")
    check_a11y(a)
    expect(a.get_by_text("帮忙代缴电费")).to_be_visible()
    a.get_by_role("button", name="取消", exact=True).click()
    expect(a.get_by_text("已取消。")).to_be_visible()

    # B never reloads: the seat comes to her live, with a link to her bookings.
    expect(b.locator(f"#mine-{slot}")).to_contain_text("已预约", timeout=10_000)
    expect(b.locator(f"#mine-{slot}").get_by_role("link", name="我的预约")).to_be_visible()
    check_a11y(b)

    provider.goto("/provide")
    check_a11y(provider)
    card = provider.locator(f"#slot-{slot}")
    expect(card).to_contain_text("已预约")
    card.get_by_role("button", name=re.compile("^已办结")).click()
    expect(provider.get_by_text("已标记为办结。")).to_be_visible()

    b.goto("/bookings")
    check_a11y(b)
    b.get_by_label("5", exact=True).check()
    b.get_by_label("评价内容（可选）").fill("很及时")
    b.get_by_role("button", name="提交评价").click()
    expect(b.get_by_text("感谢您的评价。")).to_be_visible()

    b.goto("/services")
    check_a11y(b)
    errands = b.locator("li.card", has_text=SERVICE)
    expect(errands).to_contain_text("办结率")
    expect(errands.locator("dd").nth(1)).to_have_text("100%")
    expect(errands.locator("dd").nth(2)).to_contain_text("100%")
    b.get_by_role("link", name=re.compile("^通知")).click()
    expect(b.get_by_text("名额已归您", exact=True)).to_be_visible()
    check_a11y(b)
