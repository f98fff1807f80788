"""Journey: certificates (证明事项, issue 30) on phones. A resident asks for a 居住证明; the clerk sees it beside the
register's facts and issues it; its print view has a QR code, a number and a place for the seal; a stranger opens the
QR's address and reads 真实有效, and the same address with one character of the check code altered says the code
was altered. Another resident asks for a 亲属关系证明: the clerk refuses it in one click, and the resident reads the
basis (民发〔2020〕20号) and where to go instead. axe-core on every page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.helpers import check_a11y, sign_in

RESIDENT, KIN, CLERK = 27, 28, 2  # plain demo residents no other journey signs in as; demo resident 2 is a clerk


def ask(page: Page, code: str, purpose: str) -> None:
    page.goto("/me/certificates")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的证明")
    check_a11y(page)
    page.get_by_label("证明", exact=True).select_option(code)
    page.get_by_label("用途", exact=True).fill(purpose)
    page.get_by_role("button", name="申请", exact=True).click()
    expect(page.get_by_text("已提交申请")).to_be_visible()
    expect(page.locator("li.card").first).to_contain_text("等待居委会办理")
    check_a11y(page)


def test_a_residence_certificate_is_issued_and_verifies_by_its_qr_and_an_altered_code_does_not(phone):
    resident = phone()
    sign_in(resident, RESIDENT)
    ask(resident, "residence", "办理居住证（e2e）")

    clerk = phone()
    sign_in(clerk, CLERK)
    clerk.goto("/desk/certificates")
    check_a11y(clerk)
    card = clerk.locator("li.card", has_text="办理居住证（e2e）")
    expect(card).to_contain_text("登记信息")
    card.get_by_role("button", name="出具", exact=True).click()
    clerk.wait_for_url("**/certificates/issued/*")
    sheet = clerk.locator(".print-sheet")
    expect(sheet).to_contain_text("居住证明")
    expect(sheet).to_contain_text("盖章处")
    expect(sheet).to_contain_text("有效期至")
    expect(clerk.locator(".qr svg")).to_have_count(1)
    check_a11y(clerk)
    url = sheet.get_by_text("查验真伪").inner_text().split("：", 1)[1].strip()

    stranger = phone()
    stranger.goto(url)
    expect(stranger.get_by_role("status")).to_contain_text("真实有效")
    expect(stranger.locator("dl")).to_contain_text("居住证明")
    check_a11y(stranger)
    altered = url[:-1] + ("A" if url[-1] != "A" else "B")
    stranger.goto(altered)
    expect(stranger.get_by_role("alert")).to_contain_text("查验码被改动或输错")
    expect(stranger.locator("dl")).to_have_count(0)
    check_a11y(stranger)

    resident.goto("/me/certificates")
    expect(resident.locator("li.card").first).to_contain_text("已出具")


def test_a_kinship_certificate_is_refused_in_one_click_with_its_basis(phone):
    resident = phone()
    sign_in(resident, KIN)
    ask(resident, "kinship", "银行要求（e2e）")

    clerk = phone()
    sign_in(clerk, CLERK)
    clerk.goto("/desk/certificates")
    card = clerk.locator("li.card", has_text="银行要求（e2e）")
    expect(card).to_contain_text("民发〔2020〕20号")
    card.get_by_role("button", name="按清单答复不予出具").click()
    expect(clerk.get_by_text("已答复不予出具")).to_be_visible()
    check_a11y(clerk)

    resident.goto("/me/certificates")
    refused = resident.locator("li.card").first
    expect(refused).to_contain_text("亲属关系证明")
    expect(refused).to_contain_text("民发〔2020〕20号")
    expect(refused).to_contain_text("公安机关户籍窗口")
    check_a11y(resident)
