"""The pages of the grid plan, the matter list and the street (what each shows, built from the views): the clerk's
grids with their buildings (and those in no grid), places, 网格员 and 楼长 with the history; the community's matter
list and its narrowing; the street operator's departments, staff, matter list and open whistles; the street's
dashboard and the public board's monthly digest."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.response import Template

from backend.casework.domain.counting import month_of
from backend.casework.domain.department import KINDS
from backend.casework.domain.rules import ANSWER_DAYS
from backend.casework.web import labels
from backend.casework.web.views import LABELS
from backend.i18n import gettext as _
from backend.web.auth import User
from backend.web.pages import now, render, today
from projections.casework import dashboard
from projections.casework import queries as views
from projections.community import queries as communities
from projections.residents import queries as residents


def month_shown(text: str) -> str:
    """The month a page's query names (YYYY-MM), else this month (China)."""
    text = text.strip()
    try:
        date.fromisoformat(f"{text}-01")
    except ValueError:
        return month_of(now())
    return text if "1900-01" <= text <= "2999-12" else month_of(now())


def months_before(month: str, count: int = 12) -> list[str]:
    """The month and the ones before it, newest first (the pages' month picker)."""
    year, number = int(month[:4]), int(month[5:7])
    found = []
    for _step in range(count):
        found.append(f"{year:04d}-{number:02d}")
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return found


async def show_grids(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    """The clerk draws the grids: every building of the register in exactly one grid (those in none are listed),
    a 网格员 per grid, a 楼长 per building, the places a case may name; and who held what, with the history."""
    community = user.community_id
    grids = await views.grids(community)
    in_grids = {b["name"] for g in grids for b in g["buildings"]}
    workers = await residents.holding(community, ["grid_worker"], today())
    heads = await residents.holding(community, ["building_head"], today())
    names = await residents.masked_names([*workers, *heads])
    places = await views.areas(community, "place")
    grid_names = {str(g["id"]): g["name"] for g in grids}
    return await render(
        request,
        "casework/grids.html",
        status_code=status_code,
        grids=grids,
        outside=[b for b in await residents.buildings(community) if b not in in_grids],
        workers=sorted(((str(w), names.get(str(w), "")) for w in workers), key=lambda w: w[1]),
        heads=sorted(((str(h), names.get(str(h), "")) for h in heads), key=lambda h: h[1]),
        places=[{**p, "grid": grid_names.get(str(p["grid_id"]), "")} for p in places],
        holders=await views.holders(community, limit=50),
        **extra,
    )


async def show_matters(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    """The community's matter list in force today (its street's, as the community narrowed it): a category can be
    dropped, answered sooner or handled in the community (即办), never widened — for the whole community or further
    for one grid (each grid with its own narrowings)."""
    found = await communities.by_id(user.community_id)
    street = found["street"] if found else ""
    return await render(
        request,
        "casework/matters.html",
        status_code=status_code,
        lines=await views.matters(user.community_id, today()),
        street_lines={m["code"]: m for m in await views.street_matters(street, today())},
        grids=await views.grid_narrowings(user.community_id, today()),
        street=street,
        answer_days=ANSWER_DAYS,
        today=today().isoformat(),
        **LABELS,
        **extra,
    )


def _street_of(user: User, asked: str = "") -> str:
    """The street the operator looks at: the one asked for, if theirs, else their first."""
    if not user.streets:
        raise PermissionDeniedException(_("You operate no street."))
    return asked if asked in user.streets else user.streets[0]


async def show_street(
    request: Request[Any, Any, Any], user: User, asked: str = "", status_code: int = 200, **extra: Any
) -> Template:
    """The street operator's casework: departments (kind, categories, staff), the street's matter list with the
    department each whistle goes to, and every open whistle (to re-route from the case's page)."""
    street = _street_of(user, asked)
    units = await views.departments(street)
    staff = await residents.masked_names(s for u in units for s in u["staff"])
    whistles = []
    for unit in units:
        for row in await views.department_queue(unit["id"], now()):
            whistles.append({**row, "department": unit["name"]})
    return await render(
        request,
        "casework/street.html",
        status_code=status_code,
        street=street,
        streets=user.streets,
        units=units,
        staff=staff,
        lines=await views.street_matters(street, today()),
        unit_names={str(u["id"]): u["name"] for u in units},
        whistles=sorted(whistles, key=lambda w: (not w["late"], w["due"])),
        kinds=KINDS,
        kind_labels=labels.KINDS,
        answer_days=ANSWER_DAYS,
        today=today().isoformat(),
        **LABELS,
        **extra,
    )


async def show_dashboard(request: Request[Any, Any, Any], user: User, asked: str, month: str, rank_by: str) -> Template:
    """The street's month: its communities and departments ranked, with the overdue backlog; each rate with its
    definition."""
    street = _street_of(user, asked)
    rates, rules, unit_rules = dashboard.definitions()
    board = await dashboard.street_dashboard(street, month, now(), rank_by)
    return await render(
        request,
        "casework/dashboard.html",
        board=board,
        rates=rates,
        counting_rules=rules,
        department_rules=unit_rules,
        ranks=dashboard.RANKS,
        rank_by=rank_by if rank_by in dashboard.RANKS else "completion",
        months=months_before(month_of(now())),
        month=month,
        streets=user.streets,
    )


async def show_digest(request: Request[Any, Any, Any], community: dict[str, Any], month: str) -> Template:
    """The public board's digest of a month's cases: counts by category and the rates. Nothing personal: no case,
    text, place or person."""
    rates, rules, _unit_rules = dashboard.definitions()
    return await render(
        request,
        "casework/digest.html",
        community=community,
        digest=await dashboard.digest(community["id"], month),
        rates=rates,
        counting_rules=rules,
        months=months_before(month_of(now())),
        month=month,
    )
