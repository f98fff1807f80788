"""Journey: volunteering on phones. The volunteer leader founds a team and a recurring activity → residents sign up
until the shift is full → one more joins the waitlist → someone cancels → the waitlisted resident sees the seat
without reloading → she checks in with the rotating code on the leader's screen and checks out → the leader
confirms the hours → she asks for a correction → the leader approves → her certificate's print view has a QR code →
the public verification page confirms it. axe-core on every page visited."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from backend.kernel.zone import LOCAL_ZONE
from e2e.helpers import check_a11y, sign_in

LEADER = 6  # backend.demo.ROLE_PLAN: resident 6 is the volunteer leader
TITLE = "楼道清扫志愿行动"


def create_activity(leader: Page) -> str:
    leader.goto("/teams")
    check_a11y(leader)
    leader.get_by_label("服务队名称").fill("幸福里清洁服务队")
    leader.get_by_role("button", name="成立", exact=True).click()
    leader.wait_for_url("**/teams/*")
    check_a11y(leader)
    start = (datetime.now(LOCAL_ZONE) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    leader.get_by_label("标题").fill(TITLE)
    leader.get_by_label("服务内容").fill("清扫 3 栋楼道，擦拭扶手")
    leader.get_by_label("地点", exact=True).fill("3栋")
    leader.get_by_label("类别").select_option("environment")
    leader.get_by_label("服务对象").fill("3栋居民")
    leader.get_by_label("第一个班次的日期").fill(start.date().isoformat())
    leader.get_by_label("开始", exact=True).fill(start.strftime("%H:%M"))
    leader.get_by_label("结束", exact=True).fill((start + timedelta(hours=1)).strftime("%H:%M"))
    leader.get_by_label("每周一次，共几周").fill("4")
    leader.get_by_label("每班名额").fill("2")
    leader.get_by_label("空出的名额为候补第一人保留几小时（0：直接递补）").fill("0")
    leader.get_by_role("button", name="保存活动").click()
    leader.wait_for_url("**/activities/*")
    expect(leader.locator("li[id^=shift-]")).to_have_count(4)
    leader.get_by_role("button", name="发布活动").click()
    expect(leader.get_by_text("活动已发布，居民可以报名了。")).to_be_visible()
    check_a11y(leader)
    return leader.url


def first_shift(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("li[id^=shift-]").first


def test_sign_up_waitlist_check_in_hours_and_certificate(phone):
    leader = phone()
    sign_in(leader, LEADER)
    activity = create_activity(leader)

    residents = {}
    for index in (12, 13, 14):
        residents[index] = phone()
        sign_in(residents[index], index)
        residents[index].goto("/volunteer")
        residents[index].get_by_role("link", name=TITLE).click()
        residents[index].wait_for_url(activity)
    check_a11y(residents[12])
    for index in (12, 13):
        first_shift(residents[index]).get_by_role("button", name="报名").click()
        expect(residents[index].get_by_text("您已报名成功。").first).to_be_visible()
    waiting = residents[14]
    waiting.reload()
    first_shift(waiting).get_by_role("button", name="已满：加入候补").click()
    expect(first_shift(waiting)).to_contain_text("您在候补名单中。")
    expect(first_shift(waiting).locator("[data-live]")).to_have_count(1)  # the socket's first frame has arrived
    check_a11y(waiting)

    first_shift(residents[12]).get_by_role("button", name="取消报名").click()
    expect(residents[12].get_by_text("已取消报名。")).to_be_visible()
    expect(first_shift(waiting)).to_contain_text("您已报名成功。")  # live, without reloading

    # At the venue: the rotating code on the leader's screen, typed on the volunteer's phone
    leader.goto(activity)
    first_shift(leader).get_by_role("link", name="名单和签到").click()
    leader.wait_for_url("**/shifts/*")
    code = leader.locator(".checkin-code .code strong").inner_text().replace(" ", "")
    check_a11y(leader)
    roster = leader.url
    waiting.goto(f"{roster}/checkin")
    waiting.get_by_label("队长屏幕上的签到码").fill(code)
    waiting.get_by_role("button", name="我已到场（签到）").click()
    expect(waiting.get_by_text("签到成功，谢谢您！")).to_be_visible()
    check_a11y(waiting)
    waiting.get_by_role("button", name="我要离开（签退）").click()
    expect(waiting.get_by_text("签退成功。")).to_be_visible()

    leader.goto(roster)
    leader.get_by_role("button", name="确认 0.0 小时").click()
    expect(leader.get_by_text("服务时长已确认。")).to_be_visible()

    # The volunteer asks for a correction; the leader approves it
    waiting.goto("/me/volunteering")
    check_a11y(waiting)
    record = waiting.locator("[id^=record-]", has_text=TITLE)  # the demo gave her hours from last week too
    record.get_by_text("申请更正").click()
    record.get_by_label("正确的小时数").fill("1")
    record.get_by_label("原因").fill("提前到场布置，签到晚了")
    record.get_by_role("button", name="提交给队长").click()
    expect(waiting.get_by_text("申请已提交给队长。")).to_be_visible()
    leader.goto("/teams")
    leader.get_by_role("link", name="幸福里清洁服务队").click()
    expect(leader.get_by_text("提前到场布置，签到晚了")).to_be_visible()
    check_a11y(leader)
    leader.get_by_role("button", name="批准").click()
    expect(leader.get_by_text("更正申请已处理。")).to_be_visible()

    # The certificate, its print view and the public verification
    waiting.goto("/me/volunteering")
    expect(waiting.locator("[id^=record-]", has_text=TITLE)).to_contain_text("1.0 小时")
    waiting.get_by_label("服务队", exact=True).select_option(label="幸福里清洁服务队")
    today = datetime.now(LOCAL_ZONE).date().isoformat()
    waiting.get_by_label("起", exact=True).fill(today)
    waiting.get_by_label("止", exact=True).fill(today)
    waiting.get_by_role("button", name="开具证明（免费）").click()
    waiting.wait_for_url("**/certificates/*")
    expect(waiting.locator(".qr svg")).to_have_count(1)
    expect(waiting.locator("table")).to_contain_text(TITLE)
    check_a11y(waiting)
    verify = waiting.locator(".print-sheet").get_by_text("查验真伪").inner_text().split("：", 1)[1]
    stranger = phone()
    stranger.goto(verify)
    expect(stranger.get_by_role("status")).to_contain_text("真实有效")
    check_a11y(stranger)
