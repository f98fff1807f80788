"""Exports and open data: what the board shows (notices with their chain heads, the finance book), for anyone, as
CSV, as a spreadsheet (both safe against formula injection: backend.web.exports), and as the open-data feed."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from backend.disclosure.domain.finance import FINANCE_CATEGORIES
from backend.disclosure.domain.notice import CATEGORIES
from backend.i18n import N_
from backend.i18n import gettext as _
from backend.web.exports import table_response
from backend.web.pages import board_community
from projections.chain import queries as chain
from projections.disclosure import queries as views


def _notice_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            str(r["notice_id"]),
            r["version"],
            _(CATEGORIES[r["category"]]),
            r["title"],
            r["text"],
            r["published_on"].isoformat(),
            r["until"].isoformat(),
            r["chain_head"],
        ]
        for r in rows
    ]


def _entry_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            r["number"],
            r["dated"].isoformat(),
            _("Income") if r["kind"] == "income" else _("Expenses"),
            _(FINANCE_CATEGORIES[r["kind"]][r["category"]]),
            Decimal(r["amount_fen"]).scaleb(-2),  # a number in yuan (a correction may be negative), never text
            r["counterparty"],
            r["corrects"] or "",
            r["reason"],
        ]
        for r in rows
    ]


NOTICE_HEADER = (
    N_("Notice"),
    N_("Version"),
    N_("Category"),
    N_("Title"),
    N_("Text"),
    N_("Published on"),
    N_("公示 until"),
    N_("Chain head"),
)
ENTRY_HEADER = (
    N_("No."),
    N_("Date"),
    N_("Income or expense"),
    N_("Category"),
    N_("Amount (yuan)"),
    N_("Counterparty"),
    N_("Corrects No."),
    N_("Reason"),
)


@get("/board/export/{what:str}", name="disclosure.export")
async def export(
    request: Request[Any, Any, Any], what: FromPath[str], community: FromQuery[str | None] = None
) -> Response[Any]:
    """notices.csv, notices.xlsx, finance.csv, finance.xlsx: what the board shows, for anyone."""
    place = await board_community(request, community)
    name, _dot, fmt = what.partition(".")
    if name not in ("notices", "finance") or fmt not in ("csv", "xlsx"):
        raise NotFoundException()
    if name == "notices":
        header, rows = NOTICE_HEADER, _notice_rows(await views.whole_board(place["id"]))
    else:
        header, rows = ENTRY_HEADER, _entry_rows(await views.entries(place["id"]))
    labels = [_(h) for h in header]
    return table_response(fmt, f"{place['code']}-{name}.{fmt}", name, labels, rows)


@get("/board/open-data.json", name="disclosure.open_data")
async def open_data(request: Request[Any, Any, Any], community: FromQuery[str | None] = None) -> Response[Any]:
    """The open-data feed: every notice on the board (with its chain head) and every finance entry."""
    place = await board_community(request, community)
    head_position, head = await chain.head()
    feed = {
        "community": {"code": place["code"], "name": place["name"]},
        "chain": {"position": head_position, "head": head},
        "notices": [
            {
                "id": str(r["notice_id"]),
                "version": r["version"],
                "category": r["category"],
                "kind": r["kind"],
                "title": r["title"],
                "text": r["text"],
                "published_on": r["published_on"].isoformat(),
                "until": r["until"].isoformat(),
                "position": r["position"],
                "chain_head": r["chain_head"],
            }
            for r in await views.whole_board(place["id"])
        ],
        "finance": [
            {
                "number": r["number"],
                "on": r["dated"].isoformat(),
                "kind": r["kind"],
                "category": r["category"],
                "amount_fen": r["amount_fen"],
                "counterparty": r["counterparty"],
                "corrects": r["corrects"] or None,
                "reason": r["reason"],
                "position": r["position"],
            }
            for r in await views.entries(place["id"])
        ],
    }
    return Response(json.dumps(feed, ensure_ascii=False).encode(), media_type="application/json; charset=utf-8")


routes = [export, open_data]
