"""The street operator's overview (街道): the communities of their street with the state of their registers."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from backend.disclosure.domain.schedule import DUE_KINDS
from backend.web.auth import require
from backend.web.pages import render, today
from projections.community import queries as communities
from projections.disclosure.queries import street_rows
from projections.residents import queries as residents


@get("/street", name="street.overview")
async def street_overview(request: Request[Any, Any, Any]) -> Template:
    """The communities of the operator's street with their registers' state; nothing of other streets."""
    user = await require(request, "street.oversee")
    places = await communities.in_streets(list(user.streets))
    disclosure = await street_rows(places, today())
    rows = [{**place, **await residents.counts(place["id"]), **d} for place, d in zip(places, disclosure, strict=True)]
    return await render(request, "residents/street.html", communities=rows, streets=user.streets, due_kinds=DUE_KINDS)


routes = [street_overview]
