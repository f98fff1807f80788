"""Route of a community's rates (全实效评价) for a month, by grid and by handler (`/cases/rates`): the community's
figures, a row per grid and per 网格员 (or clerk) who took its cases, and per category; each rate with its
definition. The street's dashboard ranks the communities; this page shows what is inside one.

Who sees what: the community's clerks its whole page; the street's operator that of any community of their street
(`?community=` its code); a 网格员 the community's figures (the public board shows them too), the grids they hold
and their own row, never a colleague's. A resident, or another community's clerk, is refused (403)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.params import FromQuery
from litestar.response import Template

from backend.casework.domain.counting import month_of
from backend.casework.domain.rules import DEFAULT_MATTERS, street_key
from backend.casework.web.plan_views import months_before
from backend.i18n import gettext as _
from backend.web.auth import User, require_signed_in
from backend.web.pages import now, redirect, render
from projections.casework import dashboard
from projections.casework import queries as views
from projections.casework.rates import figures
from projections.community import queries as communities

WHOLE, OWN = "community", "own"  # what the viewer may see: the whole community's rows, or only their own


def month_asked(text: str) -> str:
    """The month the query names (YYYY-MM); none: this month (China); anything else: 400, saying what to give."""
    text = text.strip()
    if not text:
        return month_of(now())
    try:
        if not re.fullmatch(r"\d{4}-\d{2}", text):
            raise ValueError(text)
        date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ClientException(_("Give the month as YYYY-MM (e.g. 2026-11).")) from None
    return text


def _operates(user: User, place: dict[str, Any]) -> bool:
    """The street's operator, for a community of their street."""
    street = street_key(place.get("street") or "")
    return bool(street) and any(user.can("street.oversee", street=s) for s in {street, place["street"]})


def _sees(user: User, place: dict[str, Any]) -> str:
    """WHOLE or OWN, as the policy allows the viewer in this community; else 403."""
    home = place["id"] == user.community_id
    if (home and user.can("case.supervise", place["id"])) or _operates(user, place):
        return WHOLE
    if home and "grid_worker" in user.roles and user.can("case.handle", place["id"]):
        return OWN
    raise PermissionDeniedException()


async def _categories(place: dict[str, Any], month: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The month's categories with the labels of the matter list (as on the month's first day; else the defaults)."""
    labels = {m.code: m.label for m in DEFAULT_MATTERS}
    labels.update({m["code"]: m["label"] for m in await views.matters(place["id"], date.fromisoformat(f"{month}-01"))})
    return [{**r, "id": r["code"], "name": labels.get(r["code"], r["code"])} for r in rows if r["cases"]]


async def rates_context(user: User, place: dict[str, Any], month: str) -> dict[str, Any]:
    """What the page shows the viewer: the community's figures and, as they may see them, its grids (every grid
    drawn, with — where it had no case that month) and its handlers (masked names), the categories."""
    sees = _sees(user, place)
    found = await dashboard.community_rates(place["id"], month)
    drawn = await views.grids(place["id"])
    counted = {g["id"]: g for g in found["grids"]}
    grid_rows = [{**figures(None), "id": str(g["id"]), "name": g["name"]} for g in drawn if str(g["id"]) not in counted]
    grid_rows = sorted([*found["grids"], *grid_rows], key=lambda g: (not g["name"], g["name"]))
    worker_rows = sorted(found["workers"], key=lambda w: (w["name"], w["id"]))
    categories: list[dict[str, Any]] = []
    if sees == OWN:
        mine = {str(g["id"]) for g in drawn if g["worker_id"] and str(g["worker_id"]) == str(user.id)}
        grid_rows = [g for g in grid_rows if g["id"] in mine]
        worker_rows = [w for w in worker_rows if w["id"] == str(user.id)] or [
            {**figures(None), "id": str(user.id), "name": user.name_masked}
        ]
    else:
        categories = await _categories(place, month, found["categories"])
    months = months_before(month_of(now()))
    return {
        "place": place,
        "month": month,
        "months": months if month in months else sorted([month, *months], reverse=True),
        "sees": sees,
        "operator": _operates(user, place),
        "community_figures": found["community"],
        "grid_rows": grid_rows,
        "worker_rows": worker_rows,
        "category_rows": categories,
    }


@get("/cases/rates", name="cases.rates")
async def rates_page(
    request: Request[Any, Any, Any], month: FromQuery[str] = "", community: FromQuery[str] = ""
) -> Template | Response[Any]:
    user = await require_signed_in(request)
    shown = month_asked(month)
    if community.strip():
        place = await communities.by_code(community.strip())
        if place is None:
            raise NotFoundException(_("No such community."))
    else:
        place = await communities.by_id(user.community_id)
        if place is None:
            raise NotFoundException(_("No such community."))
        if user.streets and not user.can("case.handle", place["id"]):
            return redirect(f"/street/cases?month={shown}")  # an operator picks the community on the dashboard
    context = await rates_context(user, place, shown)
    rates, rules, _unit_rules = dashboard.definitions()
    return await render(request, "casework/rates.html", rates=rates, counting_rules=rules, **context)


routes = [rates_page]
