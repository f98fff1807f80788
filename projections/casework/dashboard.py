"""What the rates' pages read (全实效评价): a scope's figures for a month, a community's grids, workers and
categories, the street's dashboard (its communities and departments ranked, with the overdue backlog) and the public
board's monthly digest (counts by category and the rates; nothing personal). Every figure comes from the counters
the projection keeps as events arrive (projections/casework/rates.py): a page reads a few rows, never the cases.

`definitions()` gives each rate's words (backend.casework.domain.counting), which the pages show beside it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from backend.casework.domain.counting import COUNTING_RULES, DEPARTMENT_RULES, RATES, Rate
from backend.casework.domain.rules import DEFAULT_MATTERS, MatterItem, street_key
from projections.casework.queries import OPEN, departments, grids, matters
from projections.casework.rates import figures, rate_id, total
from projections.casework.tables import CaseView, RateView, WhistleView
from projections.community import queries as communities
from projections.residents import queries as residents

RANKS = ("response", "completion", "satisfaction", "solved_rate", "participation")


def definitions() -> tuple[tuple[Rate, ...], str, str]:
    """The rates with their words, what every figure shares, and what a department's figures mean (msgids)."""
    return RATES, COUNTING_RULES, DEPARTMENT_RULES


async def _rows(month: str, scope: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    if not keys:
        return {}
    ids = [rate_id(month, scope, k) for k in keys]
    rows = await RateView.select().where(RateView.id.is_in(ids))
    return {r["key"]: r for r in rows}


async def rates_of(scope: str, key: object, month: str) -> dict[str, Any]:
    """One scope's figures for a month (community, grid, worker, department; a category's key is community:code)."""
    return figures((await _rows(month, scope, [str(key)])).get(str(key)))


async def months(community_id: object) -> list[str]:
    """The months the community has cases in, newest first."""
    rows = await RateView.raw(
        "SELECT month FROM casework_rate WHERE community_id = {} AND scope = 'community' ORDER BY month DESC",
        community_id,
    )
    return [r["month"] for r in rows]


def _ranked(rows: list[dict[str, Any]], rank_by: str) -> list[dict[str, Any]]:
    """Best first on `rank_by`; a figure with nothing to count (None) last; then by name."""
    key = rank_by if rank_by in RANKS else "completion"
    return sorted(rows, key=lambda r: (r[key] is None, -(r[key] or 0), r["name"]))


async def community_rates(community_id: object, month: str) -> dict[str, Any]:
    """A community's month: its figures, and its grids', handlers' and categories'."""
    rows = await RateView.select().where((RateView.community_id == community_id) & (RateView.month == month))
    by_scope: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_scope.setdefault(row["scope"], []).append(row)
    grid_names = {str(g["id"]): g["name"] for g in await grids(community_id)}
    worker_names = await residents.masked_names(r["key"] for r in by_scope.get("worker", []))
    return {
        "month": month,
        "community": figures(next(iter(by_scope.get("community", [])), None)),
        "grids": [
            {**figures(r), "id": r["key"], "name": grid_names.get(r["key"], "")} for r in by_scope.get("grid", [])
        ],
        "workers": [
            {**figures(r), "id": r["key"], "name": worker_names.get(r["key"], "")} for r in by_scope.get("worker", [])
        ],
        "categories": sorted(
            ({**figures(r), "code": r["key"].split(":", 1)[1]} for r in by_scope.get("category", [])),
            key=lambda r: (-r["cases"], r["code"]),
        ),
    }


async def _backlog(community_ids: list[object], now: datetime) -> dict[str, dict[str, int]]:
    """Open and overdue cases per community (read through the indexes on community and state, community and due
    time: as many rows as are open, whatever the history)."""
    found: dict[str, dict[str, int]] = {str(c): {"open": 0, "overdue": 0} for c in community_ids}
    if not community_ids:
        return found
    marks = ", ".join("{}" for _ in community_ids)
    open_rows = await CaseView.raw(
        f"SELECT community_id, COUNT(*) AS n FROM casework_case WHERE community_id IN ({marks}) "
        f"AND state IN ({{}}, {{}}, {{}}) GROUP BY community_id",
        *community_ids,
        *OPEN,
    )
    late_rows = await CaseView.raw(
        f"SELECT community_id, COUNT(*) AS n FROM casework_case WHERE community_id IN ({marks}) AND due_at < {{}} "
        "GROUP BY community_id",
        *community_ids,
        now,
    )
    for row in open_rows:
        found[str(row["community_id"])]["open"] = int(row["n"])
    for row in late_rows:
        found[str(row["community_id"])]["overdue"] = int(row["n"])
    return found


async def _department_backlog(department_ids: list[object], now: datetime) -> dict[str, dict[str, int]]:
    found = {str(d): {"open": 0, "overdue": 0} for d in department_ids}
    if not department_ids:
        return found
    rows = await WhistleView.select(
        WhistleView.department_id, WhistleView.report_due, WhistleView.answer_due, WhistleView.reported_at
    ).where(WhistleView.department_id.is_in(department_ids) & WhistleView.open.eq(True))
    for r in rows:
        mine = found[str(r["department_id"])]
        mine["open"] += 1
        mine["overdue"] += r["answer_due"] < now or (r["reported_at"] is None and r["report_due"] < now)
    return found


async def street_dashboard(street: str, month: str, now: datetime, rank_by: str = "completion") -> dict[str, Any]:
    """The street's month: its figures (its communities' counters added up), its communities and departments
    ranked on `rank_by` with their open and overdue cases."""
    street = street_key(street)
    places = await communities.in_streets([street])
    ids = [str(c["id"]) for c in places]
    counters = await _rows(month, "community", ids)
    backlog = await _backlog([c["id"] for c in places], now)
    ranked = [
        {
            **figures(counters.get(str(c["id"]))),
            **backlog[str(c["id"])],
            "id": c["id"],
            "name": c["name"],
            "code": c["code"],
        }
        for c in places
    ]
    units = await departments(street)
    unit_counters = await _rows(month, "department", [str(d["id"]) for d in units])
    unit_backlog = await _department_backlog([d["id"] for d in units], now)
    ranked_units = [
        {**figures(unit_counters.get(str(d["id"]))), **unit_backlog[str(d["id"])], "id": d["id"], "name": d["name"]}
        for d in units
    ]
    return {
        "street": street,
        "month": month,
        "figures": figures(total(counters.values())),
        "open": sum(b["open"] for b in backlog.values()),
        "overdue": sum(b["overdue"] for b in backlog.values()),
        "communities": _ranked(ranked, rank_by),
        "departments": _ranked(ranked_units, rank_by),
    }


async def digest(community_id: object, month: str) -> dict[str, Any]:
    """The public board's monthly digest of a community's cases: how many of each category (by its label), and the
    rates. Counts only: no case, text, place or person."""
    rows = await RateView.select().where(
        (RateView.community_id == community_id)
        & (RateView.month == month)
        & RateView.scope.is_in(["community", "category"])
    )
    day = date(int(month[:4]), int(month[5:7]), 1)
    labels = {i["code"]: i["label"] for i in [*map(_default, DEFAULT_MATTERS), *await matters(community_id, day)]}
    categories = [
        {"code": (code := r["key"].split(":", 1)[1]), "label": labels.get(code, code), "cases": int(r["cases"])}
        for r in rows
        if r["scope"] == "category" and r["cases"]
    ]
    community = next((r for r in rows if r["scope"] == "community"), None)
    return {
        "month": month,
        "figures": figures(community),
        "categories": sorted(categories, key=lambda c: (-c["cases"], c["code"])),
    }


def _default(item: MatterItem) -> dict[str, str]:
    return {"code": item.code, "label": item.label}
