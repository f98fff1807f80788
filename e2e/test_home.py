"""Journey: the home page (首页, issue 23) on phones. A visitor sees the community's board and how to register. The
volunteer leader puts up a one-seat shift tomorrow whose freed seat is held for 2 hours; one resident takes the
seat, another joins the waitlist, the first cancels: the second opens her home and finds, soonest first, the seat
held for her (with the time left and a 确认参加 button that works), the residents' online ballot (closing in days)
and the doctor's session she booked for tomorrow. The clerk's home shows the desk's queue. axe-core on every page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from playwright.sync_api import Page, expect

from backend.kernel.zone import LOCAL_ZONE
from e2e.helpers import check_a11y, publish_one_seat_activity, sign_in

LEADER, PROVIDER, CLERK = 6, 7, 1  # backend.demo.ROLE_PLAN
FIRST, SECOND = 30, 31  # demo residents no other journey signs in as (they have not voted in the demo ballot)
TITLE = "首页测试：楼道巡查"
DOCTOR = "家庭医生坐诊"


def tomorrow() -> datetime:
    return datetime.combine(datetime.now(LOCAL_ZONE).date() + timedelta(days=1), time(7), LOCAL_ZONE)


def shift_tomorrow(leader: Page) -> str:
    """A one-seat shift tomorrow 07:00–08:00 whose freed seat waits 2 hours for the first on the waitlist."""
    leader.goto("/teams")
    leader.get_by_role("link", name="幸福里志愿服务队").click()
    leader.wait_for_url("**/teams/*")
    return publish_one_seat_activity(leader, TITLE, "巡查楼道杂物", "5栋", "5栋居民", tomorrow())


def doctor_tomorrow(provider: Page) -> str:
    """An extra early session of the family doctor tomorrow at 07:00 (the demo's sessions start at 09:00)."""
    provider.goto("/services")
    provider.get_by_role("link", name=DOCTOR).first.click()
    provider.wait_for_url("**/services/*")
    service = provider.url
    provider.goto(service + "/schedule")
    day = tomorrow()
    for number, name in enumerate(("周一", "周二", "周三", "周四", "周五", "周六", "周日")):
        provider.get_by_label(name, exact=True).set_checked(number == day.weekday())
    provider.locator("#first_day").fill(day.date().isoformat())
    provider.get_by_label("持续周数（1–12）").fill("1")
    provider.get_by_label("开始时间").fill("07:00")
    provider.get_by_label("结束时间").fill("07:30")
    provider.get_by_label("每个时段分钟数").fill("30")
    provider.get_by_label("每个时段人数").fill("1")
    provider.get_by_label("地点（留空表示上门服务）").fill("社区卫生服务站二楼")
    provider.get_by_role("button", name="发布时段").click()
    expect(provider.get_by_text("已发布 1 个时段。")).to_be_visible()
    return service


def test_a_visitor_sees_the_board_and_how_to_register(phone):
    page = phone()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("幸福里社区")
    expect(page.get_by_role("heading", name="居务公开")).to_be_visible()
    expect(page.locator("main").get_by_role("link", name="登记")).to_be_visible()
    expect(page.locator("main a[href='/board']").first).to_be_visible()
    check_a11y(page)


def test_a_resident_finds_the_held_seat_the_ballot_and_the_booking_soonest_first(phone):
    leader = phone()
    sign_in(leader, LEADER)
    activity = shift_tomorrow(leader)
    provider = phone()
    sign_in(provider, PROVIDER)
    service = doctor_tomorrow(provider)

    first, second = phone(), phone()
    sign_in(first, FIRST)
    first.goto(activity)
    first.locator("li[id^=shift-]").first.get_by_role("button", name="报名").click()
    expect(first.get_by_text("您已报名成功。").first).to_be_visible()
    sign_in(second, SECOND)
    second.goto(activity)
    second.locator("li[id^=shift-]").first.get_by_role("button", name="已满：加入候补").click()
    expect(second.locator("li[id^=shift-]").first).to_contain_text("您在候补名单中。")
    first.locator("li[id^=shift-]").first.get_by_role("button", name="取消报名").click()
    expect(first.get_by_text("已取消报名。")).to_be_visible()

    second.goto(service)
    slot = second.locator("li[id^=slot-]", has=second.locator("time", has_text="07:00")).first
    slot.locator("summary").click()
    slot.get_by_role("button", name="预约", exact=True).click()
    expect(second.get_by_text("预约成功，已列入“我的预约”。")).to_be_visible()

    second.goto("/")
    expect(second.get_by_role("heading", level=1)).to_have_text("首页")
    items = second.locator("#now li.card")
    expect(items.first).to_contain_text("候补名额为您保留")
    expect(items.first).to_contain_text(TITLE)
    expect(items.first).to_contain_text("还剩 2 小时")
    kinds = [c.split()[2] for c in items.evaluate_all("(cards) => cards.map((c) => c.className)")]
    assert kinds.index("offer") < kinds.index("booking") < kinds.index("ballot"), kinds
    ballot = second.locator("#now li.ballot").first
    expect(ballot).to_contain_text("居民会议")
    expect(ballot).to_contain_text("截止")
    expect(ballot.get_by_role("link", name="去投票")).to_be_visible()
    booking = second.locator("#now li.booking").first
    expect(booking).to_contain_text(DOCTOR)
    expect(booking).to_contain_text("明天 07:00")
    check_a11y(second)

    items.first.get_by_role("button", name="确认参加").click()  # the offer's own form: it takes the seat
    second.wait_for_url("**/activities/*")
    expect(second.get_by_text("您已报名成功。").first).to_be_visible()
    second.goto("/")
    expect(second.locator("#now li.offer")).to_have_count(0)
    expect(second.locator("#now li.shift", has_text=TITLE)).to_contain_text("明天 07:00")
    check_a11y(second)


def test_the_clerk_sees_the_desk_queue_on_the_home(phone):
    clerk = phone()
    sign_in(clerk, CLERK)
    clerk.goto("/")
    desk = clerk.get_by_role("region", name="您的工作台")
    expect(desk.get_by_role("link", name="待核验的登记")).to_be_visible()
    expect(desk.get_by_role("link", name="待受理的诉求（工作人员队列）")).to_be_visible()
    check_a11y(clerk)
    desk.get_by_role("link", name="待核验的登记").click()
    clerk.wait_for_url("**/clerk")
