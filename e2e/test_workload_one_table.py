"""Journey: 一表通 (issue 30). The clerk opens the community's table for this quarter, each figure beside its 口径,
checks (核对) and submits (报送) it; the street's operator, on the office PC, picks the quarter, sees the street's
three communities side by side with the totals and who submitted, and exports the workbook: the download happens,
and it opens, with a sheet per community and the totals, naming the chain head. axe-core on every page."""

from __future__ import annotations

import re
from datetime import datetime

from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.helpers import check_a11y, sign_in

CLERK, OPERATOR = 1, 40  # demo residents (backend.demo.ROLE_PLAN; the last one operates the street)
COMMUNITIES = ("幸福里社区", "安康苑社区", "和美家园社区")


def this_quarter() -> str:
    today = datetime.now().astimezone().date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def test_the_clerk_submits_and_the_street_exports_the_quarter_for_three_communities(phone, office_pc, tmp_path):
    quarter = this_quarter()
    clerk = phone()
    sign_in(clerk, CLERK)
    clerk.goto("/one-table")
    clerk.get_by_label("时间段").select_option(quarter)
    clerk.get_by_role("button", name="显示").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(f"一表通（{quarter}）")
    expect(clerk.locator('tr[data-figure="proposals_raised"]')).to_contain_text("本期居民提交的议题")
    expect(clerk.locator("#computed-at code.chain-head")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    check_a11y(clerk)
    clerk.get_by_label("我已对照台账核对以上数据。").check()
    clerk.get_by_role("button", name="报送街道").click()
    expect(clerk.get_by_text("已报送街道，并注明生成时的日志位置和链头。")).to_be_visible()
    expect(clerk.locator("#submitted")).to_be_visible()
    check_a11y(clerk)

    street = office_pc
    sign_in(street, OPERATOR)
    street.goto("/street/one-table")
    street.get_by_label("时间段").select_option(quarter)
    street.get_by_role("button", name="显示").click()
    table = street.locator("#street-one-table")
    for name in COMMUNITIES:
        expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(table.locator('td[data-submitted="xingfuli"]')).not_to_have_text("尚未报送")
    expect(table.locator('td[data-submitted="hemei"]')).to_have_text("尚未报送")
    expect(table.locator('tr[data-figure="case_completion"] td[data-community="hemei"]')).to_have_text("—")
    head = street.locator("#computed-at code.chain-head").inner_text()
    check_a11y(street)
    with street.expect_download() as caught:
        street.get_by_role("link", name="导出工作簿（XLSX）").click()
    download = caught.value
    assert download.suggested_filename == f"one-table-{quarter}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = load_workbook(saved)
    assert len(book.sheetnames) == 4 and {*COMMUNITIES} <= set(book.sheetnames)
    cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None}
    assert quarter in cells and any(re.fullmatch(r"[0-9a-f]{64}", c) for c in cells)  # the chain head it was made at
    assert re.fullmatch(r"[0-9a-f]{64}", head)
