"""Routes of assisted raising: a 楼长, a 网格员 or a clerk raises a case for a resident who called or knocked
(on_behalf_of), finding them as the paper-ballot desk does: a piece of the name, at least four digits of the phone
(through the residents' blind index) or the room. The list shows masked names and rooms only; a 楼长 sees the
residents of their building, a 网格员 those of their grids' buildings (the command checks it again)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery, MultipartBody
from litestar.response import Template

from backend.casework.commands import cases
from backend.casework.web.forms import RaiseForForm, stored_photos, ticked
from backend.casework.web.resident import RAISE_FIELDS, UPLOAD_LIMIT
from backend.casework.web.views import LABELS
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text, uuid_field
from backend.web.auth import User, require
from backend.web.pages import error_status, error_text, now, render, today
from projections.casework import care_queries
from projections.casework import queries as views
from projections.residents import queries as residents

QUERY_MAX = 30


async def _served_buildings(user: User) -> set[str] | None:
    """The buildings whose residents the helper may raise for (None: all, for a clerk)."""
    if "clerk" in user.roles:
        return None
    served: set[str] = set()
    if "grid_worker" in user.roles:
        served.update(await care_queries.buildings_of(user.id))
    if "building_head" in user.roles:
        served.update(a["name"] for a in await views.areas(user.community_id, "building") if a["head_id"] == user.id)
    return served


async def show_for(
    request: Request[Any, Any, Any], user: User, query: str, status_code: int = 200, **extra: Any
) -> Template:
    query = query.strip()[:QUERY_MAX]
    served = await _served_buildings(user)
    found: list[dict[str, Any]] = []
    if query:
        personal = request.app.state.runtime.personal
        rows = await residents.in_community(personal, user.community_id, "verified", query, limit=50)
        found = [
            {"id": r["id"], "name": r["name_masked"], "household": r["household"]}
            for r in rows
            if served is None or any(r["household"].startswith(b) for b in served)
        ]
    chosen = extra.pop("chosen", "")
    if chosen and not any(str(r["id"]) == chosen for r in found):
        chosen = ""  # only someone the search found (in the helper's buildings)
    return await render(
        request,
        "casework/for.html",
        status_code=status_code,
        q=query,
        found=found,
        chosen=chosen,
        served=sorted(served) if served is not None else None,
        categories=await views.matters(user.community_id, today()),
        places=[p["name"] for p in await views.areas(user.community_id, "place")],
        values=extra.pop("values", {}),
        started=now(),
        **LABELS,
        **extra,
    )


@get("/cases/for", name="cases.for")
async def raise_for_page(
    request: Request[Any, Any, Any], q: FromQuery[str] = "", resident: FromQuery[str] = ""
) -> Template:
    """Find the resident (name, phone digits or room), choose them, then the form raising the case for them."""
    user = await require(request, "case.raise_for")
    return await show_for(request, user, q, chosen=resident)


@post("/cases/for", name="cases.raise_for", request_max_body_size=UPLOAD_LIMIT)
async def raise_for(request: Request[Any, Any, Any], data: MultipartBody[RaiseForForm]) -> Response[Any]:
    """The case is the resident's (on_behalf_of); the helper and their capacity are on record."""
    user = await require(request, "case.raise_for")
    form = await request.form()
    values = {name: text(form, name) for name in RAISE_FIELDS}
    query = text(form, "q")

    async def run(rt: Commands, ctx: Ctx, sent: Form) -> CommandResult:
        resident = uuid_field(sent, "resident_id", "Choose the resident the case is for.")
        photos = await stored_photos(rt, sent)
        return await cases.raise_case(
            rt,
            replace(ctx, on_behalf_of=resident),
            values["category"],
            values["text"],
            values["place"],
            photos,
            ticked(sent, "urgent"),
            ticked(sent, "public"),
        )

    async def refused(error: DomainError, sent: Form) -> Template:
        return await show_for(
            request,
            user,
            query,
            error_status(error),
            values=values,
            chosen=text(sent, "resident_id"),
            error=error_text(error),
            error_field=error.field,
        )

    return await act(
        request,
        user,
        run,
        then=lambda done: f"/cases/{done.result['case_id']}",
        refused=refused,
        done=_("The case is raised for the resident; they can follow it on their phone, and you here."),
    )


routes = [raise_for_page, raise_for]
