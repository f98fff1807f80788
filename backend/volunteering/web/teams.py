"""Routes of the leader's teams: founding one, its page (activities, co-leaders, corrections waiting), adding a
co-leader, creating an activity with its shifts, and deciding on a volunteer's correction of their hours."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.volunteering import commands
from backend.volunteering.web.forms import (
    ActivityForm,
    DecisionForm,
    LeaderForm,
    TeamForm,
    activity_of,
    activity_values,
)
from backend.volunteering.web.views import leader_of, show_team
from backend.web.act import Form, act, text, uuid_field
from backend.web.auth import require
from backend.web.pages import error_status, error_text, found, render
from projections.volunteering import queries


@get("/teams", name="volunteering.teams")
async def team_list(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "volunteering.lead")
    return await render(
        request, "volunteering/teams.html", teams=await queries.teams_led_by(user.community_id, user.id), values={}
    )


@post("/teams", name="volunteering.found_team")
async def found_team(request: Request[Any, Any, Any], data: URLEncodedBody[TeamForm]) -> Response[Any]:
    user = await require(request, "volunteering.lead")

    async def refused(error: DomainError, form: Form) -> Template:
        return await render(
            request,
            "volunteering/teams.html",
            status_code=error_status(error),
            teams=await queries.teams_led_by(user.community_id, user.id),
            values={k: text(form, k) for k in ("name", "description")},
            team_error=error_text(error),
        )

    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.found_team(rt, ctx, text(form, "name"), text(form, "description")),
        then=lambda done: f"/teams/{done.result['team_id']}",
        refused=refused,
    )


@get("/teams/{team_id:uuid}", name="volunteering.team")
async def team_page(request: Request[Any, Any, Any], team_id: FromPath[UUID]) -> Template:
    return await show_team(request, team_id)


@post("/teams/{team_id:uuid}/leaders", name="volunteering.add_leader")
async def add_leader(
    request: Request[Any, Any, Any], team_id: FromPath[UUID], data: URLEncodedBody[LeaderForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Any, form: Form) -> None:
        resident = uuid_field(form, "resident_id", "Choose a volunteer leader.")
        await commands.add_leader(rt, ctx, team_id, resident)

    async def refused(error: DomainError, _: Form) -> Template:
        return await show_team(request, team_id, error_status(error), leader_error=error_text(error))

    return await act(
        request,
        await leader_of(request, team_id),
        run,
        then=f"/teams/{team_id}",
        refused=refused,
        done=_("The co-leader is added."),
    )


@post("/teams/{team_id:uuid}/activities", name="volunteering.create_activity")
async def create_activity(
    request: Request[Any, Any, Any], team_id: FromPath[UUID], data: URLEncodedBody[ActivityForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Any, form: Form) -> Any:
        terms, times, capacity = activity_of(activity_values(form))
        return await commands.create_activity(rt, ctx, team_id, terms, times, capacity)

    async def refused(error: DomainError, form: Form) -> Template:
        values = activity_values(form)
        return await show_team(request, team_id, error_status(error), values=values, activity_error=error_text(error))

    return await act(
        request,
        await leader_of(request, team_id),
        run,
        then=lambda done: f"/activities/{done.result['activity_id']}",
        refused=refused,
        done=_("The activity is saved. Publish it when it is ready."),
    )


@post("/hours/{record_id:uuid}/decide", name="volunteering.decide_correction")
async def decide_correction(
    request: Request[Any, Any, Any], record_id: FromPath[UUID], data: URLEncodedBody[DecisionForm]
) -> Response[Any]:
    record = found(await queries.record(record_id), _("No such hours record."))

    async def run(rt: Commands, ctx: Any, form: Form) -> None:
        approve = form.get("decision") == "approve"
        await commands.decide_correction(rt, ctx, record_id, approve, text(form, "reason"))

    async def refused(error: DomainError, _: Form) -> Template:
        return await show_team(request, record["team_id"], error_status(error), decide_error=error_text(error))

    return await act(
        request,
        await leader_of(request, record["team_id"]),
        run,
        then=f"/teams/{record['team_id']}",
        refused=refused,
        done=_("The correction is decided."),
    )


routes = [team_list, found_team, team_page, add_leader, create_activity, decide_correction]
