"""What the pages of 走访 and 关爱 show: the care categories' labels, the grid worker's page (the households of their
grids flagged for care, overdue visits first, their categories opened for them; their diary; the visits planned for
volunteers; the forms' choices), the clerk's care flags, and a volunteer's own visits (household and task only)."""

from __future__ import annotations

from typing import Any

from backend.i18n import N_
from backend.kernel.personal import PersonalData
from backend.web.auth import User
from backend.web.pages import now, today
from projections.casework import care_queries as care
from projections.casework import queries as casework
from projections.residents import queries as residents
from projections.volunteering import queries as volunteering

CARE_LABELS = {
    "alone": N_("Living alone (独居)"),
    "empty_nest": N_("Empty nest (空巢)"),
    "elderly": N_("Advanced age (高龄)"),
    "disabled": N_("Disability (残疾)"),
    "hardship": N_("Hardship (困难)"),
}


async def scope_of(user: User) -> list[str] | None:
    """The buildings whose households this user visits: a clerk's are all (None); a grid worker's, their grids'."""
    return None if "clerk" in user.roles else await care.buildings_of(user.id)


async def households(personal: PersonalData, user: User, buildings: list[str] | None) -> list[dict[str, Any]]:
    """The register's households the user may choose (id and address only)."""
    rows = await residents.households(personal, user.community_id)
    return [{"id": r["id"], "label": r["label"]} for r in rows if buildings is None or r["building"] in set(buildings)]


async def care_rows(personal: PersonalData, community_id: object, buildings: list[str] | None) -> list[dict[str, Any]]:
    """The care recipients, soonest due first, with their categories opened and how late their visit is."""
    rows = await care.opened(personal, await care.care_list(community_id, buildings))
    day = today()
    for row in rows:
        row["late_days"] = care.days_overdue(row, day)
    return rows


async def worker_context(personal: PersonalData, user: User, **extra: Any) -> dict[str, Any]:
    buildings = await scope_of(user)
    cared = await care_rows(personal, user.community_id, buildings)
    planned = await care.planned(user.community_id, buildings)
    return {
        "buildings": buildings,
        "care": cared,
        "overdue_count": sum(1 for row in cared if row["late_days"]),
        "diary": await care.diary(user.id),
        "planned": planned,
        "names": await residents.masked_names(p["visitor_id"] for p in planned),
        "households": await households(personal, user, buildings),
        "matters": await casework.matters(user.community_id, today()),
        "shifts": await volunteering.open_shifts(user.community_id, now(), limit=30),
        "care_labels": CARE_LABELS,
        "today": today(),
        "values": {},
        **extra,
    }


async def clerk_context(personal: PersonalData, user: User, **extra: Any) -> dict[str, Any]:
    return {
        "care": await care_rows(personal, user.community_id, None),
        "households": await households(personal, user, None),
        "care_labels": CARE_LABELS,
        "values": {},
        **extra,
    }


async def volunteer_context(user: User, **extra: Any) -> dict[str, Any]:
    visits = await care.assigned(user.id)
    for visit in visits:  # the shift it is made in: its hours are the visit's volunteer hours
        shift = await volunteering.shift(visit["shift_id"]) if visit["shift_id"] else None
        activity = await volunteering.activity(shift["activity_id"]) if shift else None
        visit["shift"] = {"title": activity["title"], "starts_at": shift["starts_at"]} if shift and activity else None
    return {"visits": visits, "today": today(), "values": {}, **extra}
