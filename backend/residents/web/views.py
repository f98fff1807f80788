"""What the residents' pages show beyond the rows: the labels of roles and statuses, the household picker
(building → unit → room), the registration form (self-registration and the clerk's counter) and the resident a
clerk's page is about."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.response import Template

from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel import authz
from backend.web.auth import User
from backend.web.pages import render
from projections.community import queries as communities
from projections.residents import queries as residents

ROLE_LABELS = authz.ROLE_LABELS  # the kernel names the roles and what they are called


STATUS_LABELS = {
    "pending": N_("Waiting for verification"),
    "verified": N_("Verified"),
    "rejected": N_("Rejected"),
    "erased": N_("Erased"),
    "moved_out": N_("Moved out (迁出)"),
}

# Why a clerk looks at a resident's personal data (backend.residents.domain.access.REASONS), and what was done.
REASON_LABELS = {
    "verification": N_("Checking a registration"),
    "own_request": N_("At the resident's own request"),
    "business": N_("Handling a matter for the resident"),
    "other": N_("Other"),
}
KIND_LABELS = {
    "viewed": N_("Viewed name, phone and ID number"),
    "exported": N_("Downloaded the personal data"),
    "erased": N_("Erased the personal data"),
}


async def household_picker(community_id: UUID, building: str, unit: str, household_id: UUID | None) -> dict[str, Any]:
    """Building → unit → room choices from the register; each level offered once the one before is chosen."""
    buildings = await residents.buildings(community_id)
    building = building if building in buildings else ""
    units = await residents.units(community_id, building) if building else []
    with_units = any(units)
    unit = unit if unit in units else ""
    rooms = await residents.rooms(community_id, building, unit) if building and (unit or not with_units) else []
    place = await communities.by_id(community_id)
    return {
        "picker": {
            "community_code": place["code"] if place else "",
            "buildings": buildings,
            "building": building,
            "units": units if with_units else [],
            "unit": unit,
            "rooms": rooms,
            "household_id": household_id,
        }
    }


async def registration_form(
    request: Request[Any, Any, Any],
    community: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    counter: bool = False,
) -> Template:
    try:
        household_id: UUID | None = UUID(values.get("household_id", ""))
    except ValueError:
        household_id = None
    picker = await household_picker(community["id"], values.get("building", ""), values.get("unit", ""), household_id)
    return await render(
        request,
        "residents/counter.html" if counter else "residents/register.html",
        status_code=status_code,
        community=community,
        communities=await communities.all_communities(),
        values=values,
        errors=errors,
        counter=counter,
        **picker,
    )


async def resident_in(user: User, resident_id: UUID) -> dict[str, Any]:
    """The resident's row, if they are of the clerk's community; else 404."""
    row = await residents.by_id(resident_id)
    if row is None or row["community_id"] != user.community_id:
        raise NotFoundException(_("No such resident."))
    return row
