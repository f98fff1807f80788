"""Who looked at personal data, in totals, for the supervisory committee (居务监督委员会): how often clerks saw
residents' names, phones and ID numbers and why, how many downloads and erasures — never which resident."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from backend.residents.web.views import KIND_LABELS, REASON_LABELS
from backend.web.auth import require
from backend.web.pages import render
from projections.residents import queries as residents


@get("/review/personal-data", name="residents.access_totals")
async def access_totals(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "resident.access_totals")
    totals = await residents.access_totals(user.community_id)
    return await render(
        request,
        "residents/access_totals.html",
        totals=totals,
        clerks=await residents.masked_names(totals["by_actor"]),
        kind_labels=KIND_LABELS,
        reason_labels=REASON_LABELS,
    )


routes = [access_totals]
