"""What the 一表通 pages and the workbook show, built from the read side's counts: each figure with its definition
(口径), unit and value ("—" for a rate with nothing to count); the submitted figures beside today's, a difference
marked as a revision; the street's communities side by side with their totals (rates pooled from the summed counts,
never averaged); and the XLSX a street office files (one sheet per community and the totals)."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

from backend.i18n import gettext as _
from backend.web.exports import FORMULA_STARTS
from backend.workload.domain.one_table import FIGURES, Figure, Period, period_of, pooled, shown, value
from projections.residents import queries as residents
from projections.workload.one_table import queries as one_table

PERIOD_KINDS = ("month", "quarter", "year")


def periods_before(day: date) -> list[dict[str, str]]:
    """The periods the picker offers: the last twelve months, the last four quarters, this year and the last."""
    found: list[dict[str, str]] = []
    for kind, count in (("month", 12), ("quarter", 4), ("year", 2)):
        p = period_of(kind, day)
        for _step in range(count):
            found.append({"kind": kind, "name": p.name})
            p = period_of(kind, date.fromordinal(p.start.toordinal() - 1))
    return found


def figure_rows(counts: dict[str, int], submitted: dict[str, int] | None) -> list[dict[str, Any]]:
    """Each figure as shown: its value now and, once submitted, the value as submitted (revised when they differ)."""
    rows = []
    for f in FIGURES:
        now_value = value(f, counts)
        then = value(f, submitted) if submitted is not None else None
        rows.append(
            {
                "figure": f,
                "value": now_value,
                "shown": shown(now_value),
                "submitted": shown(then) if submitted is not None else "",
                "revised": submitted is not None and then != now_value,
            }
        )
    return rows


def grouped(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["figure"].group, []).append(row)
    return list(groups.items())


async def computed(places: list[dict[str, Any]], period: Period, at: datetime) -> dict[str, Any]:
    """The counts of each place, their submissions of the period, who submitted (masked names), the totals."""
    ids = [p["id"] for p in places]
    table = await one_table.tables(ids, period, at)
    sent = await one_table.submissions(ids, period.name)
    names = await residents.masked_names(s["submitted_by"] for rows in sent.values() for s in rows)
    for rows in sent.values():
        for s in rows:
            s["by"] = names.get(str(s["submitted_by"]), "")
    return {**table, "submissions": sent, "totals": pooled(table["counts"].values())}


def place_view(place: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """One community's table: its figures, its submissions, the last of them beside today's figures."""
    sent = found["submissions"].get(str(place["id"]), [])
    last = sent[-1] if sent else None
    rows = figure_rows(found["counts"][str(place["id"])], last["counts"] if last else None)
    return {"place": place, "rows": rows, "groups": grouped(rows), "submissions": sent, "last": last}


# -- the workbook -------------------------------------------------------------------------------------------------
BOLD, TITLE = Font(bold=True), Font(bold=True, size=14)


def _cell(sheet: Any, written: Any, font: Font | None = None) -> Cell:
    """As backend.web.exports writes a cell: numbers as numbers, text that a spreadsheet would run as text."""
    cell = WriteOnlyCell(sheet, value=written if written is None or isinstance(written, int | float) else str(written))
    if cell.data_type == "f":  # openpyxl takes any text starting with "=" for a formula
        cell.data_type = "s"
    if isinstance(written, str) and written.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # shown and edited as text, never evaluated
    if font is not None:
        cell.font = font
    return cell


def _number(f: Figure, counts: dict[str, int]) -> Any:
    got = value(f, counts)
    return "—" if got is None else got


def _sheet(book: Workbook, title: str, lines: list[tuple[list[Any], Font | None]]) -> None:
    """A sheet written row by row (write-only: a street of two hundred communities is two hundred sheets)."""
    sheet = book.create_sheet(title[:31])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["E"].width = 60
    for line, font in lines:
        sheet.append([_cell(sheet, written, font) for written in line])


def workbook(street: str, period: Period, places: list[dict[str, Any]], found: dict[str, Any], on: date) -> bytes:
    """The street's 一表通 of a period: the totals first (with the communities side by side under them), then a
    sheet per community; each names the period, the day it was generated, the log position and the chain head.
    The figures start on the eighth row of every sheet, in the registry's order."""
    book = Workbook(write_only=True)
    header = [_("Group"), _("Figure"), _("Value"), _("Unit"), _("Definition (口径)")]

    def sheet_lines(title: str, counts: dict[str, int]) -> list[tuple[list[Any], Font | None]]:
        span = f"{period.start.isoformat()} – {period.end.isoformat()} ({_('end excluded')})"
        return [
            ([title], TITLE),
            ([_("Period"), period.name, span], None),
            ([_("Generated on"), on.isoformat()], None),
            ([_("Log position"), found["position"]], None),
            ([_("Chain head"), found["chain_head"]], None),
            ([], None),
            (header, BOLD),
            *(([_(f.group), _(f.label), _number(f, counts), _(f.unit), _(f.definition)], None) for f in FIGURES),
        ]

    totals = sheet_lines(
        _("%(street)s: one table (一表通), %(period)s", street=street, period=period.name), found["totals"]
    )
    totals += [([], None), ([_("Community"), *[_(f.label) for f in FIGURES]], BOLD)]
    for place in places:
        counts = found["counts"][str(place["id"])]
        totals.append(([place["name"], *[_number(f, counts) for f in FIGURES]], None))
    totals.append(([_("Total"), *[_number(f, found["totals"]) for f in FIGURES]], BOLD))
    used: set[str] = {_("Totals")[:31]}
    _sheet(book, _("Totals"), totals)
    for place in places:
        title = _("%(community)s: one table (一表通), %(period)s", community=place["name"], period=period.name)
        _sheet(book, _sheet_name(place, used), sheet_lines(title, found["counts"][str(place["id"])]))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _sheet_name(place: dict[str, Any], used: set[str]) -> str:
    """A sheet's name: the community's, without the characters a sheet name may not hold, unique, ≤ 31 long."""
    base = "".join(c for c in str(place["name"]) if c not in "[]:*?/\\'")[:28] or str(place["code"])[:28]
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:26]}-{n}"
    used.add(name)
    return name
