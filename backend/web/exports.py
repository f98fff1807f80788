"""Tables as files a clerk or a street office opens in a spreadsheet (CSV and XLSX), safe against formula injection:
a cell that a spreadsheet would read as a formula (text a resident or a clerk typed, starting with = + - @, a tab or
a carriage return) is neutralised — in CSV by a leading apostrophe (OWASP's rule for CSV injection), in XLSX by
writing it as text (a string cell with the quote prefix), so it reads the same to a person and runs nothing.
Numbers (amounts, counts) are written as numbers, never neutralised: a negative amount stays a number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from litestar import Response
from openpyxl import Workbook
from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Number = int | float | Decimal


def neutralised(value: Any) -> Any:
    """A CSV cell: text a spreadsheet would take for a formula gets a leading apostrophe; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so that Excel opens Chinese text as such)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralised(h) for h in header])
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode()


def _set(cell: Cell, value: Any) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, Number | date):
        cell.value = value
        return
    cell.value = str(value)
    if cell.data_type == "f":  # openpyxl takes any text starting with "=" for a formula
        cell.data_type = "s"
    if str(value).startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # shown and edited as text, never evaluated


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # a sheet name has at most 31 characters
    for row_number, row in enumerate([header, *rows], start=1):
        for column, value in enumerate(row, start=1):
            _set(sheet.cell(row=row_number, column=column), value)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def table_response(
    fmt: str, filename: str, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Response[bytes]:
    """The table as a download: `fmt` "csv" or "xlsx"."""
    disposition = {"content-disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(csv_bytes(header, rows), media_type="text/csv; charset=utf-8", headers=disposition)
    return Response(xlsx_bytes(title, header, rows), media_type=XLSX, headers=disposition)
