"""Journey (issue 29): the committee opens a matter from the web, without a proposal; at the party organisation's
sitting on it a member asks for the floor from the phone, the chair sees the request arrive live and gives the floor,
the member's phone and the projector view (大屏) show it live with the time left, the chair ends the turn, the member
votes, the projector shows the result live, and the meeting record lists who spoke."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.helpers import check_a11y, sign_in
from e2e.test_procedure import demo_name, schedule
from e2e.test_residents import CLERK

MEMBER = 3  # party committee in the demo (backend.demo.ROLE_PLAN)
TITLE = "北门人行道破损修补"


def test_a_member_asks_for_the_floor_and_the_chair_gives_it(phone, office_pc):
    sign_in(office_pc, CLERK)
    office_pc.goto("/matters")
    office_pc.get_by_text("发起事项", exact=True).click()
    office_pc.get_by_label("标题").fill(TITLE)
    office_pc.get_by_label("需要决定的内容").fill("北门人行道多处地砖破损，雨天积水，拟申请维修。")
    office_pc.get_by_role("button", name="发起", exact=True).click()
    office_pc.wait_for_url("**/matters/*")
    expect(office_pc.get_by_role("heading", name=TITLE)).to_be_visible()
    check_a11y(office_pc)

    meeting = schedule(office_pc, "party_committee")
    office_pc.locator("ul.members li", has_text=demo_name(MEMBER)).get_by_role("button", name="登记到场").click()
    expect(office_pc.get_by_text("暂无人等待发言。")).to_be_visible()

    wall = phone()  # the projector view, opened by nobody in particular
    wall.goto(meeting + "/screen")
    expect(wall.get_by_text("当前没有人发言。")).to_be_visible()
    check_a11y(wall)

    member = phone()
    sign_in(member, MEMBER)
    member.goto(meeting)
    member.get_by_role("button", name="举手发言").click()
    expect(member.get_by_text("您已加入发言名单。")).to_be_visible()
    expect(member.get_by_role("button", name="取消发言")).to_be_visible()
    check_a11y(member)

    # the chair's page was open all along: the request arrives over the websocket
    give = office_pc.locator("#floor li", has_text=demo_name(MEMBER)).get_by_role("button", name="给予发言")
    expect(give).to_be_visible()
    give.click()
    expect(office_pc.get_by_text(f"正在发言：{demo_name(MEMBER)}")).to_be_visible()
    check_a11y(office_pc)
    expect(member.get_by_text("正在发言：", exact=False)).to_be_visible()  # live on the member's phone, masked
    expect(wall.locator(".speaker")).to_contain_text("正在发言：")
    assert demo_name(MEMBER) not in wall.locator(".speaker").inner_text()  # masked on the wall
    expect(wall.locator(".time-left")).to_have_text(re.compile(r"^[0-3]:[0-5][0-9]$"))  # counting down

    office_pc.get_by_role("button", name="结束本次发言").click()
    expect(office_pc.get_by_role("heading", name="已发言")).to_be_visible()
    member.get_by_role("button", name="赞成").click()
    expect(member.get_by_text("您的投票：赞成", exact=True)).to_be_visible()
    office_pc.get_by_role("button", name="结束表决并记录结果").click()
    expect(wall.locator(".tally-result")).to_have_text("通过")  # the result reaches the wall live
    office_pc.goto(meeting + "/record")
    expect(office_pc.get_by_role("heading", name="发言")).to_be_visible()
    expect(office_pc.locator("ol.record-members li")).to_have_count(1)
