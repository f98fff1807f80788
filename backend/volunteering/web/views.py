"""Volunteering's view models and label text: the pages that a GET shows and a refused form shows again (with its
message and status), who leads a team, and hours as the pages write them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import segno
from litestar import Request
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.residents.domain.checks import years_before
from backend.volunteering.domain.activity import CATEGORIES
from backend.volunteering.domain.honours import star_level
from backend.volunteering.domain.shift import served_minutes
from backend.web.act import Form, Refused
from backend.web.auth import User, current_user, require
from backend.web.pages import error_status, error_text, found, now, render
from projections.community import queries as communities
from projections.residents import queries as residents
from projections.volunteering import queries

ACTIVE = ("seated", "offered", "waitlisted")  # a roster row's statuses that hold a place


def to_uuid(value: object) -> UUID:
    return value if type(value) is UUID else UUID(str(value))  # type: ignore[return-value]


async def activity_or_404(activity_id: UUID) -> dict[str, Any]:
    return found(await queries.activity(activity_id), _("No such activity."))


async def shift_or_404(shift_id: UUID) -> dict[str, Any]:
    return found(await queries.shift(shift_id), _("No such shift."))


async def leads(user: User | None, team_id: object) -> bool:
    if user is None or not user.can("volunteering.lead"):
        return False
    team = await queries.team(team_id)
    return team is not None and str(user.id) in team["leaders"] and team["community_id"] == user.community_id


async def leader_of(request: Request[Any, Any, Any], team_id: object) -> User:
    user = await require(request, "volunteering.lead")
    if not await leads(user, team_id):
        raise PermissionDeniedException(_("Only the team's leaders do this."))
    return user


# -- an activity and its shifts ---------------------------------------------------------------------------------
async def show_activity(
    request: Request[Any, Any, Any], activity_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    row = await activity_or_404(activity_id)
    user = await current_user(request)
    leader = await leads(user, row["team_id"])
    if not row["published"] and not leader:
        raise NotFoundException(_("No such activity."))
    shifts = await queries.shifts_of(activity_id)
    mine = await queries.statuses([s["id"] for s in shifts], user.id, ACTIVE) if user else {}
    team = await queries.team(row["team_id"])
    minors = await _minors(request, user) if user and row["published"] else []
    return await render(
        request,
        "volunteering/activity.html",
        minors=minors,
        consented=await queries.consents(activity_id, [m["id"] for m in minors]),
        status_code=status_code,
        activity=row,
        team=team,
        shifts=shifts,
        mine={k: v["status"] for k, v in mine.items()},
        offers={k: v["offer_until"] for k, v in mine.items() if v["status"] == "offered"},
        may_sign_up=user is not None and user.can("volunteering.sign_up", row["community_id"]),
        leads=leader,
        categories=CATEGORIES,
        started=now(),
        **extra,
    )


async def _minors(request: Request[Any, Any, Any], user: User) -> list[dict[str, Any]]:
    """The residents of the user's household young enough to need a guardian's consent (none for a minor); birth
    dates come from the sealed ID numbers, opened here."""
    me = await residents.by_id(user.id)
    if not me or not me["household_id"] or not user.can("volunteering.sign_up"):
        return []
    personal = request.app.state.runtime.personal
    today = now().astimezone(LOCAL_ZONE).date()
    consent_age = await communities.rule(user.community_id, "volunteer_consent_age", today)
    born = (await residents.birth_dates(personal, [me])).get(str(me["id"]))
    if born and born > years_before(today, 18):
        return []
    born_after = years_before(today, consent_age)
    minors = await residents.minors_in_household(personal, me["household_id"], born_after)
    return [m for m in minors if m["id"] != user.id]


# -- the leader's team -------------------------------------------------------------------------------------------
async def show_team(request: Request[Any, Any, Any], team_id: UUID, status_code: int = 200, **extra: Any) -> Template:
    user = await leader_of(request, team_id)
    team = await queries.team(team_id)
    today = now().astimezone(LOCAL_ZONE).date()
    leaders = [str(r) for r in await residents.holding(user.community_id, ["volunteer_leader"], today)]
    candidates = [r for r in leaders if r not in team["leaders"]]  # type: ignore[index]
    records = await queries.team_records(team_id)
    rows = await queries.activities(team["community_id"], now() - timedelta(days=30), published_only=False)  # type: ignore[index]
    return await render(
        request,
        "volunteering/team.html",
        status_code=status_code,
        team=team,
        activities=[a for a in rows if a["team_id"] == team["id"]],  # type: ignore[index]
        requests=[r for r in records if r["request_minutes"] is not None],
        names=await residents.masked_names(str(r["volunteer_id"]) for r in records),
        leader_names=await residents.full_names(request.app.state.runtime.personal, [*team["leaders"], *candidates]),  # type: ignore[index]
        candidates=candidates,
        categories=CATEGORIES,
        values=extra.pop("values", {"offer_hours": "12", "weeks": "1", "capacity": "10", "min_age": "0"}),
        **extra,
    )


# -- the shift at the venue --------------------------------------------------------------------------------------
async def show_roster(
    request: Request[Any, Any, Any], shift_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    shift = await shift_or_404(shift_id)
    await leader_of(request, shift["team_id"])
    rows = await queries.roster(shift_id)
    return await render(
        request,
        "volunteering/roster.html",
        status_code=status_code,
        shift=shift,
        activity=await queries.activity(shift["activity_id"]),
        roster=rows,
        names=await residents.full_names(request.app.state.runtime.personal, (str(r["volunteer_id"]) for r in rows)),
        minutes={str(r["volunteer_id"]): _served(shift, r) for r in rows},
        **extra,
    )


def _served(shift: dict[str, Any], row: dict[str, Any]) -> int:
    if not (row["checked_in_at"] and row["checked_out_at"]):
        return 0
    return served_minutes(row["checked_in_at"], row["checked_out_at"], shift["starts_at"], shift["ends_at"])


async def show_checkin(
    request: Request[Any, Any, Any], user: User, shift: dict[str, Any], code: str, status_code: int = 200, **extra: Any
) -> Template:
    return await render(
        request,
        "volunteering/checkin.html",
        status_code=status_code,
        shift=shift,
        activity=await queries.activity(shift["activity_id"]),
        row=(await queries.statuses([shift["id"]], user.id)).get(str(shift["id"])),
        code=code[:6],
        **extra,
    )


# -- the volunteer's own page: hours, stars, corrections, certificates ------------------------------------------
async def show_mine(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "volunteering.sign_up")
    records = await queries.records_of(user.id)
    total = sum(r["minutes"] for r in records)
    by_year: dict[int, int] = defaultdict(int)
    for r in records:
        by_year[r["served_on"].year] += r["minutes"]
    today = now().astimezone(LOCAL_ZONE).date()
    thresholds = await queries.star_thresholds(user.community_id, today)
    teams = {str(r["team_id"]) for r in records}
    qr = segno.make(f"{request.base_url}volunteers/{user.id}/scan", error="m").svg_inline(
        scale=4, title=_("My volunteer code")
    )
    shifts = await queries.my_shifts(user.id, now())
    return await render(
        request,
        "volunteering/mine.html",
        status_code=status_code,
        shifts=shifts,
        helpers=await residents.masked_names(str(r["assisted_by"]) for r in shifts if r["assisted_by"]),
        records=records,
        entries=await queries.entries([r["id"] for r in records]),
        total=total,
        by_year=sorted(by_year.items(), reverse=True),
        stars=star_level(total, thresholds),
        next_star=next((t for t in thresholds if total < t * 60), None),
        teams=[await queries.team(t) for t in sorted(teams)],
        certificates=await queries.certificates_of(user.id),
        qr=qr,
        in_honours=await queries.shows_in_honours(user.id),
        values=extra.pop("values", {}),
        **extra,
    )


def mine_refused(
    request: Request[Any, Any, Any], name: str, keep: Callable[[Form], dict[str, str]] | None = None
) -> Refused:
    """The volunteer's page again with the refusal, shown by the form that sent it (`name`: the template's variable
    for it); `keep`: the form's values to show again."""

    async def refused(error: DomainError, form: Form) -> Template:
        kept = {"values": keep(form)} if keep else {}
        return await show_mine(request, error_status(error), **{name: error_text(error)}, **kept)

    return refused
