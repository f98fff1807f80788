"""Reading a household register from the file a clerk has: CSV (UTF-8, or GB18030 as Excel in China saves it)
or XLSX. One row per household: building (or village group), unit, room (or house number), members."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from backend.kernel.errors import DomainError
from backend.residents.domain.checks import check_name
from backend.residents.domain.household import HouseholdRow, address_parts

MAX_ROWS = 5000
MAX_MEMBERS = 20
HEADERS = {
    "building": {"building", "楼栋", "楼号", "栋", "楼", "村民小组", "小组", "组"},
    "unit": {"unit", "单元"},
    "room": {"room", "房号", "房间", "室", "门牌号", "户号"},
    "members": {"members", "成员", "家庭成员", "户成员", "人员"},
}
MEMBER_SEPARATORS = re.compile(r"[、,，;；/]")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str  # an English msgid, translated where shown
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedRegister:
    rows: list[HouseholdRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_register(filename: str, content: bytes) -> ParsedRegister:
    """Every row is checked; the rows that pass and the errors of those that do not, by line number."""
    if filename.lower().endswith(".xlsx"):
        table = _xlsx_rows(content)
    elif filename.lower().endswith((".csv", ".txt")):
        table = _csv_rows(content)
    else:
        raise DomainError("Please upload a CSV or XLSX file.", "file")
    return _parse(table)


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError("The file is not readable text (save it as CSV UTF-8).", "file")
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise DomainError("The file is not a readable XLSX workbook.", "file") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        for column, names in HEADERS.items():
            if key in names and column not in found:
                found[column] = index
    if "building" not in found or "room" not in found:
        raise DomainError(
            "The first row must name the columns: 楼栋, 单元, 房号, 成员 (unit, members optional).", "file"
        )
    return found


def split_members(text: str) -> tuple[str, ...]:
    """The names in a register's members cell (or the clerk's form), each checked."""
    members = tuple(check_name(m) for m in MEMBER_SEPARATORS.split(text) if m.strip())
    if len(members) > MAX_MEMBERS:
        raise DomainError("At most 20 members per household.", "members")
    return members


def _parse(table: list[list[str]]) -> ParsedRegister:
    # Lines are numbered as the spreadsheet shows them, blank lines before the header included.
    rows = [(line, row) for line, row in enumerate(table, start=1) if any(c.strip() for c in row)]
    if not rows:
        raise DomainError("The file is empty.", "file")
    columns = _columns(rows[0][1])
    parsed = ParsedRegister()
    seen: dict[tuple[str, str, str], int] = {}
    data = rows[1:]
    if len(data) > MAX_ROWS:
        raise DomainError("At most 5000 households per file; please split it.", "file")
    for line, row in data:

        def value(column: str, row: list[str] = row) -> str:
            index = columns.get(column)
            return row[index].strip() if index is not None and index < len(row) else ""

        try:
            building, unit, room = address_parts(value("building"), value("unit"), value("room"))
            members = split_members(value("members"))
        except DomainError as error:
            parsed.errors.append(RowError(line, error.message))
            continue
        if (building, unit, room) in seen:
            parsed.errors.append(
                RowError(line, "The same household as line %(line)s.", {"line": seen[building, unit, room]})
            )
            continue
        seen[building, unit, room] = line
        parsed.rows.append(HouseholdRow(line, building, unit, room, members))
    return parsed
