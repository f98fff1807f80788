"""Journey (issue 29): at the party organisation's sitting the clerk prints the ballot papers (one per member, each
with its code as text and QR), enters a counted paper by typing its code, a second clerk confirms it and it counts;
the same code entered again is refused, and so is an altered code. Named votes only: never for elections."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.helpers import check_a11y, sign_in
from e2e.test_procedure import demo_name, schedule
from e2e.test_residents import CLERK

SECOND_CLERK = 2  # demo residents 1 and 2 are clerks (backend.demo.ROLE_PLAN)
MEMBER = 3  # party committee in the demo
TITLE = "东门路灯维修"


def test_papers_are_printed_entered_by_code_and_confirmed(phone, office_pc):
    sign_in(office_pc, CLERK)
    office_pc.goto("/matters")
    office_pc.get_by_text("发起事项", exact=True).click()
    office_pc.get_by_label("标题").fill(TITLE)
    office_pc.get_by_label("需要决定的内容").fill("东门两盏路灯不亮，拟更换为节能灯。")
    office_pc.get_by_role("button", name="发起", exact=True).click()
    office_pc.wait_for_url("**/matters/*")
    meeting = schedule(office_pc, "party_committee")

    office_pc.get_by_role("button", name="打印选票").click()
    paper = office_pc.locator("article.ballot-paper", has_text=demo_name(MEMBER))
    expect(paper).to_have_count(1)
    expect(paper.locator(".qr svg")).to_be_visible()
    expect(paper.get_by_text("赞成")).to_be_visible()
    check_a11y(office_pc)
    code = paper.locator(".paper-code").inner_text()
    assert len(code) == 11 and code[5] == "-"

    office_pc.goto(meeting)
    office_pc.get_by_label("选票编码").fill(code.lower())  # as typed on a phone's keyboard
    office_pc.locator("#paper-code-choice").select_option("no")
    office_pc.get_by_role("button", name="录入选票").click()
    expect(office_pc.get_by_text(f"{demo_name(MEMBER)}的选票已录入，待另一名工作人员确认。")).to_be_visible()
    member = office_pc.locator("ul.members li", has_text=demo_name(MEMBER))
    expect(member.get_by_text("待另一名工作人员确认", exact=False)).to_be_visible()
    check_a11y(office_pc)

    office_pc.get_by_label("选票编码").fill(code)
    office_pc.get_by_role("button", name="录入选票").click()
    expect(office_pc.get_by_text("这张选票已录入。")).to_be_visible()
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    office_pc.get_by_label("选票编码").fill(altered)
    office_pc.get_by_role("button", name="录入选票").click()
    expect(office_pc.get_by_text("该编码不是本次会议的选票。")).to_be_visible()

    second = phone()
    sign_in(second, SECOND_CLERK)
    second.goto(meeting)
    second.locator("ul.members li", has_text=demo_name(MEMBER)).get_by_role("button", name="确认纸质选票").click()
    expect(second.get_by_text("纸质选票已确认，计入票数。")).to_be_visible()
    expect(second.locator(".tally-bars li", has_text="反对")).to_contain_text("1")  # it counts
