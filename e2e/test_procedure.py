"""Journey: the whole of 四议两公开 on phones. A resident's proposal on the agenda → the clerk opens the matter → the
party organisation proposes (①) → the two committees pass it (②) → the party members' meeting approves it, one member
voting on paper entered by a clerk and confirmed by another (③) → the representatives pass it while another phone
watches the tally change live (④) → the resolution notice (⑤), drafted by the clerk and approved on a phone by the
居务监督委员会 → a resident objects → the committee answers → implementation progress with a photo → the result
notice (⑥), through the same review. axe-core on every page visited."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import Page, expect

from backend.demo import BALLOT_MATTER, GIVEN, SURNAMES
from e2e.helpers import check_a11y, phone_number, sign_in
from e2e.test_residents import CLERK

SECOND_CLERK = 2
SUPERVISOR = 5  # backend.demo.ROLE_PLAN: the 居务监督委员会
# Demo roles (backend.demo.ROLE_PLAN): 3 party committee, party member and committee member; 4 committee member;
# 8 representative and party member; 9 representative; 10 party member; 12 an ordinary resident.
TITLE = "3栋楼道灯坏了两个月"


def demo_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


def schedule(office: Page, body: str) -> str:
    """From the matter page: schedule the next sitting of `body`, open its ballot; the meeting's address."""
    office.get_by_label("会议类型").select_option(body)
    office.get_by_label("地点").fill("社区党群服务中心")
    office.get_by_label("日期和时间", exact=True).fill("2026-12-20T19:00")
    office.get_by_role("button", name="安排会议").click()
    office.wait_for_url("**/meetings/*")
    office.get_by_role("button", name="开始表决").click()
    expect(office.get_by_text("表决进行中。")).to_be_visible()
    return office.url


def vote(member: Page, meeting: str, checked: set[str]) -> None:
    member.goto(meeting)
    if meeting not in checked:
        check_a11y(member)
        checked.add(meeting)
    member.evaluate("window.linliSamePage = true")
    member.get_by_role("button", name="赞成").click()
    expect(member.get_by_text("您的投票：赞成", exact=True)).to_be_visible()
    assert member.evaluate("window.linliSamePage === true"), "the vote panel answers in place, without a reload"


def close(office: Page, meeting: str) -> None:
    office.goto(meeting)
    office.get_by_role("button", name="结束表决并记录结果").click()
    expect(office.get_by_role("status").filter(has_text="通过")).to_be_visible()
    office.get_by_role("link", name=TITLE).click()
    office.wait_for_url("**/matters/*")


def approve(supervisor: Page, matter: str) -> None:
    """The supervisor approves the matter's draft from the review queue: it is published."""
    supervisor.goto("/review")
    card = supervisor.locator("article.card", has_text=TITLE)
    expect(card).to_have_count(1)
    check_a11y(supervisor)
    card.get_by_role("button", name=re.compile("审核通过并公开")).click()
    expect(supervisor.get_by_text("已审核通过，公告已公开。")).to_be_visible()
    supervisor.goto(matter)


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (250, 220, 80)).save(out, format="PNG")
    return out.getvalue()


def test_four_deliberations_two_disclosures(phone, office_pc):
    members: dict[int, Page] = {}
    checked: set[str] = set()

    def member(index: int) -> Page:
        if index not in members:
            members[index] = phone()
            sign_in(members[index], index)
        return members[index]

    sign_in(office_pc, CLERK)
    office_pc.goto("/proposals?state=on_agenda")
    office_pc.get_by_role("link", name=TITLE).click()
    office_pc.get_by_role("button", name="进入议事程序（四议两公开）").click()
    office_pc.wait_for_url("**/matters/*")
    matter = office_pc.url
    check_a11y(office_pc)

    # ① the party organisation, ② the two committees
    for body, voters in (("party_committee", (3,)), ("joint_committees", (3, 4))):
        meeting = schedule(office_pc, body)
        check_a11y(office_pc)
        for index in voters:
            vote(member(index), meeting, checked)
        close(office_pc, meeting)
    expect(office_pc.locator("ol.stages li.done")).to_have_count(2)

    # ③ party members: 3 online; 8 on paper, entered by one clerk and confirmed by another
    meeting = schedule(office_pc, "party_meeting")
    vote(member(3), meeting, checked)
    office_pc.get_by_label("成员", exact=True).select_option(label=demo_name(8))
    office_pc.get_by_label("表决", exact=True).select_option("yes")
    office_pc.get_by_role("button", name="保存纸质选票").click()
    expect(office_pc.get_by_text("赞成 · 纸质 · 待另一名工作人员确认")).to_be_visible()
    check_a11y(office_pc)
    second = member(SECOND_CLERK)
    second.goto(meeting)
    second.get_by_role("button", name="确认纸质选票").click()
    expect(second.get_by_text("纸质选票已确认，计入票数。")).to_be_visible()
    check_a11y(second)
    close(office_pc, meeting)
    expect(office_pc.locator("ol.stages li.done")).to_have_count(3)

    # ④ the representatives, with the tally watched live on another phone
    meeting = schedule(office_pc, "representatives")
    watcher = phone()
    watcher.goto(meeting)
    expect(watcher.locator(".tally[data-live]")).to_have_count(1)  # the socket's first frame has arrived
    check_a11y(watcher)
    vote(member(8), meeting, checked)
    expect(watcher.locator(".tally")).to_contain_text("赞成: 1")  # without reloading
    vote(member(9), meeting, checked)
    expect(watcher.locator(".tally")).to_contain_text("赞成: 2")
    close(office_pc, meeting)
    expect(office_pc.locator("ol.stages li.done")).to_have_count(4)

    # ⑤ the resolution notice; a resident objects; the committee answers
    expect(office_pc.get_by_label("公告内容")).to_contain_text("赞成 2")
    office_pc.get_by_role("button", name="送审", exact=True).click()
    expect(office_pc.get_by_text("草稿已送监督委员会审核。")).to_be_visible()
    check_a11y(office_pc)
    supervisor = phone()
    sign_in(supervisor, SUPERVISOR)
    approve(supervisor, matter)
    expect(supervisor.locator("ol.stages li.done")).to_have_count(5)
    resident = member(12)
    resident.goto(matter)
    resident.get_by_label("对本公告提出异议（理由）").fill("声控灯晚上太亮，影响休息")
    resident.get_by_role("button", name="提交异议").click()
    expect(resident.get_by_text("待居委会答复")).to_be_visible()
    check_a11y(resident)
    office_pc.goto(matter)
    expect(office_pc.get_by_text("实施须待所有异议答复后进行。")).to_be_visible()
    office_pc.get_by_label("答复第 1 号异议").fill("将选用可调亮度的灯具，夜间自动调暗")
    office_pc.get_by_role("button", name="公布答复").click()
    expect(office_pc.get_by_text("答复已公布。")).to_be_visible()

    # implementation progress with a photo, then ⑥ the result notice
    office_pc.get_by_label("完成的工作").fill("更换 3 栋 1–6 层声控灯 12 盏")
    office_pc.get_by_label("支出金额（元）").fill("1,860.50")
    office_pc.get_by_label("照片（最多 4 张）").set_input_files(
        files=[{"name": "lights.png", "mimeType": "image/png", "buffer": photo()}]
    )
    office_pc.get_by_role("button", name="报告进展").click()
    expect(office_pc.get_by_text("累计支出：1,860.50 元")).to_be_visible()
    check_a11y(office_pc)
    office_pc.get_by_role("button", name="送审", exact=True).click()
    expect(office_pc.get_by_text("草稿已送监督委员会审核。")).to_be_visible()
    approve(supervisor, matter)
    office_pc.goto(matter)
    expect(office_pc.locator("ol.stages li.done")).to_have_count(6)
    expect(office_pc.get_by_text("六个步骤已全部完成。")).to_be_visible()

    resident.reload()
    expect(resident.get_by_text("将选用可调亮度的灯具，夜间自动调暗")).to_be_visible()
    expect(resident.locator(".photos img")).to_have_count(1)
    check_a11y(resident)


def test_clerks_enter_paper_ballots_on_an_online_ballot_of_all_residents(phone, office_pc):
    """The demo's residents' meeting is an online ballot open now. A clerk finds a resident among the 40 as they
    type, enters the resident's paper ballot, a second clerk confirms it, and the resident sees it on their phone."""
    sign_in(office_pc, CLERK)
    office_pc.goto("/matters")
    office_pc.get_by_role("link", name=BALLOT_MATTER).click()
    office_pc.get_by_role("link", name="居民会议").click()
    office_pc.get_by_role("link", name="纸质选票：查找成员、录入、确认").click()
    check_a11y(office_pc)
    search = office_pc.get_by_label("姓名、手机号或门牌")
    search.fill(phone_number(11))  # the list follows the typing: no button pressed
    expect(office_pc.locator("#found")).to_contain_text("已在网上投票")
    search.fill(phone_number(13))
    expect(office_pc.locator("#found")).to_contain_text(demo_name(13))
    check_a11y(office_pc)
    office_pc.get_by_label(f"表决: {demo_name(13)}").select_option("no")
    office_pc.get_by_role("button", name="保存纸质选票").click()
    expect(office_pc.get_by_text("纸质选票已保存，待另一名工作人员确认。")).to_be_visible()
    expect(office_pc.locator("#found")).to_contain_text("纸质选票待另一名工作人员确认")
    desk = office_pc.url.split("?")[0]

    second = phone()
    sign_in(second, SECOND_CLERK)
    second.goto(desk)
    second.get_by_role("button", name=re.compile(f"确认纸质选票.*{demo_name(13)}")).click()
    expect(second.get_by_text("纸质选票已确认，计入票数。")).to_be_visible()
    expect(second.get_by_text("没有待确认的选票。")).to_be_visible()
    check_a11y(second)

    resident = phone()
    sign_in(resident, 13)
    resident.goto(desk.removesuffix("/paper"))
    expect(resident.get_by_text("您的投票：反对")).to_be_visible()
