"""The pages of a case and of the people it goes through (what each shows, built from the views): who is looking (a
`Viewer`, with the departments they act for), a case's page with the forms of each capacity the viewer has (raiser,
handler, clerk, department, street), the resident's raise form and own cases, the grid worker's queue, the
department's and the clerk's desks. Labels are in labels.py; the grid plan's, the matter list's and the street's
pages in plan_views.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.response import Template

from backend.casework.domain.rules import PHOTOS_MAX, TEXT_MAX, State
from backend.casework.web import labels
from backend.i18n import gettext as _
from backend.web.auth import User, current_user
from backend.web.pages import now, render, today
from projections.casework import queries as views
from projections.community import queries as communities
from projections.residents import queries as residents

LABELS = {
    "states": labels.STATES,
    "handler_states": labels.HANDLER_STATES,
    "due_kinds": labels.DUE_KINDS,
    "levels": labels.LEVELS,
    "channels": labels.CHANNELS,
    "handling": labels.HANDLING,
    "queue_reasons": labels.QUEUE_REASONS,
    "authorities": labels.AUTHORITIES,
    "outcomes": labels.OUTCOMES,
    "whistle_ends": labels.WHISTLE_ENDS,
    "step_texts": labels.STEPS,
    "text_max": TEXT_MAX,
    "photos_max": PHOTOS_MAX,
}


async def viewer_of(user: User) -> views.Viewer:
    """Who is looking, with the departments they act for (read only for a department's staff)."""
    units = await views.departments_of(user.id) if "department_staff" in user.roles else frozenset()
    return views.Viewer.of(user.actor, acting_for=units)


async def signed_in(request: Request[Any, Any, Any]) -> User:
    user = await current_user(request)
    if user is None:
        raise NotAuthorizedException()
    return user


async def case_page(request: Request[Any, Any, Any], case_id: UUID) -> tuple[User, dict[str, Any]]:
    """The signed-in viewer and the case's page as they may see it; 404 alike for a case missing and one not theirs
    to see (nobody learns that a private case exists)."""
    user = await signed_in(request)
    viewer = await viewer_of(user)
    page = await views.case_page(case_id, viewer, now())
    if page is None:
        raise NotFoundException(_("No such case."))
    page["units"] = viewer.departments  # the departments the viewer acts for
    return user, page


def neighbour(user: User, page: dict[str, Any]) -> bool:
    """A neighbour looking at a public case (no capacity in it): the page never says which resident raised it."""
    row, capacity = page["case"], page["as_"]
    official = bool(set(row["departments"]) & set(page.get("units", ()))) or (
        "street_operator" in user.roles and bool(row["departments"])
    )
    helper = row.get("raised_by") == user.id  # who raised it for the resident
    return not (
        capacity["raiser"] or capacity["handler"] or capacity["clerk"] or capacity["owner"] or official or helper
    )


async def _handling_context(user: User, page: dict[str, Any]) -> dict[str, Any]:
    """What the handler's forms offer: colleagues to hand over to, duplicates to merge, the street's departments a
    whistle may go to (the matter list's, today, chosen first), the extension's cap."""
    row = page["case"]
    colleagues = [
        r for r in await residents.holding(row["community_id"], ["grid_worker", "clerk"], today()) if r != user.id
    ]
    names = await residents.masked_names(colleagues)
    queue = await views.worker_queue(user.id, now()) if "grid_worker" in user.roles else []
    if "clerk" in user.roles:
        queue += (await views.clerk_queue(row["community_id"], now()))["waiting"]
    duplicates = {
        str(c["id"]): c
        for c in queue
        if c["id"] != row["id"] and c["state"] in (State.QUEUED, State.ACCEPTED) and c["owner_id"] in (None, user.id)
    }
    lines = {m["code"]: m for m in await views.matters(row["community_id"], today())}
    department_id = (lines.get(row["category"]) or {}).get("department_id") or row.get("department_id")
    unit = await views.department(department_id) if department_id else None
    community = await communities.by_id(row["community_id"])
    street = community["street"] if community else ""
    return {
        "colleagues": sorted(((str(c), names.get(str(c), "")) for c in colleagues), key=lambda c: c[1]),
        "duplicates": list(duplicates.values()),
        "whistle_to": unit["name"] if unit else "",
        "whistle_department": str(unit["id"]) if unit else "",
        "whistle_departments": [(str(d["id"]), d["name"]) for d in await views.departments(street)] if street else [],
        "extension_max": await communities.rule(row["community_id"], "case_extension_days", today()),
    }


async def show_case(request: Request[Any, Any, Any], case_id: UUID, status_code: int = 200, **extra: Any) -> Template:
    """A case's page: what is wrong, where, its state and next deadline (overdue marked), every step, and the forms
    of each capacity the viewer has. `extra`: a refusal's message (`error`) and which form it came from (`form`)."""
    user, page = await case_page(request, case_id)
    row, capacity = page["case"], page["as_"]
    context: dict[str, Any] = {}
    if capacity["handler"] or capacity["clerk"]:
        context = await _handling_context(user, page)
    street = ""
    if row["department_id"] and "street_operator" in user.roles:
        found = await communities.by_id(row["community_id"])
        street = found["street"] if found and found["street"] in user.streets else ""
    rating = row["deadlines"].get("rating")  # the views keep the deadlines as ISO text
    rating_due = datetime.fromisoformat(rating[1]) if rating else None
    return await render(
        request,
        "casework/case.html",
        status_code=status_code,
        **page,
        **context,
        user_id=str(user.id),
        neighbour=neighbour(user, page),
        may_join=row["public"]
        and not capacity["raiser"]
        and row["state"] in (State.QUEUED, State.ACCEPTED)
        and user.can("case.raise", row["community_id"]),
        may_rate=capacity["raiser"] and row["state"] == State.ANSWERED and not page["rated"],
        rating_due=rating_due,
        unrated=[r for r in row["raisers"] if r not in {s["detail"]["resident_id"] for s in page["ratings"]}],
        street_departments=await views.departments(street) if street else [],
        **LABELS,
        **extra,
    )


async def case_live(request: Request[Any, Any, Any], case_id: UUID) -> Template:
    """The live part of a case's page (its state, deadline and timeline), fetched again when the case changes."""
    user, page = await case_page(request, case_id)
    return await render(request, "casework/_case_live.html", **page, neighbour=neighbour(user, page), **LABELS)


# -- the resident --------------------------------------------------------------------------------------------------
async def show_new(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    """The form to raise a case: categories from the matter list in force today for the grid of the resident's
    building (the community's when it is in none), its places."""
    places = await views.areas(user.community_id, "place")
    grid_id = await views.grid_of_household(user.community_id, user.household) if user.household else None
    return await render(
        request,
        "casework/new.html",
        status_code=status_code,
        categories=await views.matters(user.community_id, today(), grid_id),
        places=[p["name"] for p in places],
        public_cases=await views.public_cases(user.community_id, now(), limit=10),
        values=extra.pop("values", {}),
        **LABELS,
        **extra,
    )


async def show_mine(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    """The resident's own cases with every step, the answer and the rating form; the community's public cases."""
    mine = await views.my_cases(user.id, now(), with_steps=True)
    return await render(
        request,
        "casework/mine.html",
        status_code=status_code,
        mine=mine,
        public_cases=[
            c for c in await views.public_cases(user.community_id, now()) if str(user.id) not in c["raisers"]
        ],
        user_id=str(user.id),
        handles=user.can("case.handle"),
        helps=user.can("case.raise_for"),
        **LABELS,
        **extra,
    )


# -- the handlers ---------------------------------------------------------------------------------------------------
async def queue_context(user: User) -> dict[str, Any]:
    """A grid worker's queue: their grids' open cases and those handed to them, overdue first."""
    held = await views.held_grids(user.id)
    return {
        "cases": await views.worker_queue(user.id, now(), held=list(held)),
        "grid_names": list(held.values()),
        "started": now(),
        **LABELS,
    }


async def desk_context(user: User) -> dict[str, Any]:
    """The clerks' desk: their queue (no grid, reopened, a departed owner's), extensions to decide, every overdue
    case of the community."""
    return {**await views.clerk_queue(user.community_id, now()), "started": now(), **LABELS}


async def department_context(user: User) -> dict[str, Any]:
    """The cases with each department the user acts for: report in, return, answer (late ones first)."""
    units = []
    for unit_id in sorted(await views.departments_of(user.id)):
        unit = await views.department(unit_id)
        if unit is not None:
            units.append({**unit, "cases": await views.department_queue(unit_id, now())})
    return {"units": units, "started": now(), **LABELS}


def later(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()
