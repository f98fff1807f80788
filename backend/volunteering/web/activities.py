"""Routes of the activities: the list to browse (public to read, with the honours), an activity's page with its
shifts, signing up (a seat or the waitlist), cancelling and accepting an offer, a guardian's consent for a minor, and
the leader publishing an activity or confirming its insurance."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.zone import LOCAL_ZONE
from backend.volunteering import commands
from backend.volunteering.domain.activity import CATEGORIES
from backend.volunteering.web.forms import ConsentForm, NoteForm, SignUpForm
from backend.volunteering.web.views import (
    activity_or_404,
    leader_of,
    shift_or_404,
    show_activity,
)
from backend.web.act import Day, Form, FormBody, Run, act, query_of, text, uuid_field
from backend.web.auth import User, current_user, require
from backend.web.pages import board_community, error_status, error_text, flash, now, render
from projections.residents import queries as residents
from projections.volunteering import queries


@get("/volunteer", name="volunteering.list")
async def activity_list(
    request: Request[Any, Any, Any], category: FromQuery[str] = "", on: Annotated[str, query_of(Day)] = ""
) -> Template:
    place = await board_community(request, None)
    user = await current_user(request)
    day = None
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        on = ""
    led = await queries.teams_led_by(place["id"], user.id) if user else []
    today = now().astimezone(LOCAL_ZONE).date()
    thresholds = await queries.star_thresholds(place["id"], today)
    honours = await queries.honours(place["id"], today.replace(day=1), thresholds)
    people = [v for v, _ in honours["month"]] + [v for _, v in honours["stars"]]
    rows = await queries.activities(
        place["id"], now(), category if category in CATEGORIES else "", day, team_ids=[t["id"] for t in led]
    )
    return await render(
        request,
        "volunteering/list.html",
        community=place,
        activities=rows,
        categories=CATEGORIES,
        category=category,
        on=on,
        honours=honours,
        names=await residents.masked_names(people),
    )


@get("/activities/{activity_id:uuid}", name="volunteering.activity")
async def activity_page(request: Request[Any, Any, Any], activity_id: FromPath[UUID]) -> Template:
    return await show_activity(request, activity_id)


async def _on_shift(request: Request[Any, Any, Any], shift_id: UUID, run: Run, done: str | None) -> Response[Any]:
    """Sign up, cancel or accept, then back to the activity; a refusal re-renders it with the reason. `done`: the
    message (translated), or None when `run` flashes its own (it depends on the command's result)."""
    user = await require(request, "volunteering.sign_up")
    shift = await shift_or_404(shift_id)

    async def refused(error: DomainError, _: Form) -> Template:
        return await show_activity(request, shift["activity_id"], error_status(error), shift_error=error_text(error))

    return await act(
        request, user, run, then=f"/activities/{shift['activity_id']}#shift-{shift_id}", refused=refused, done=done
    )


@post("/shifts/{shift_id:uuid}/signup", name="volunteering.sign_up")
async def sign_up(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], data: URLEncodedBody[SignUpForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Any, form: Form) -> None:
        done = await commands.sign_up(rt, ctx, shift_id, waitlist=form.get("waitlist") == "1")
        said = _("You have a seat.") if done.result["status"] == "seated" else _("You are on the waitlist.")
        flash(request, said, "success")

    return await _on_shift(request, shift_id, run, None)


@post("/shifts/{shift_id:uuid}/cancel", name="volunteering.cancel")
async def cancel(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await _on_shift(
        request,
        shift_id,
        lambda rt, ctx, form: commands.cancel(rt, ctx, shift_id),
        _("You are no longer signed up for this shift."),
    )


@post("/shifts/{shift_id:uuid}/accept", name="volunteering.accept")
async def accept(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await _on_shift(
        request, shift_id, lambda rt, ctx, form: commands.accept_offer(rt, ctx, shift_id), _("You have a seat.")
    )


async def _on_activity(
    request: Request[Any, Any, Any], activity_id: UUID, user: User, run: Run, done: str
) -> Response[Any]:
    """A form of the activity's page below its shifts (consent, publishing, insurance): back to the page, or the page
    again with the refusal."""

    async def refused(error: DomainError, _: Form) -> Template:
        return await show_activity(request, activity_id, error_status(error), manage_error=error_text(error))

    return await act(request, user, run, then=f"/activities/{activity_id}", refused=refused, done=done)


@post("/activities/{activity_id:uuid}/consent", name="volunteering.consent")
async def consent(
    request: Request[Any, Any, Any], activity_id: FromPath[UUID], data: URLEncodedBody[ConsentForm]
) -> Response[Any]:
    """A guardian consents to a minor of their household volunteering in this activity."""
    user = await require(request, "volunteering.sign_up")
    await activity_or_404(activity_id)

    async def run(rt: Commands, ctx: Any, form: Form) -> None:
        minor = uuid_field(form, "minor_id", "No such resident.", status=404)
        await commands.give_consent(rt, ctx, activity_id, minor)

    return await _on_activity(
        request, activity_id, user, run, _("Consent given: your child can now sign up for this activity.")
    )


async def _manage(request: Request[Any, Any, Any], activity_id: UUID, run: Run, done: str) -> Response[Any]:
    """The team's leaders manage the activity."""
    row = await activity_or_404(activity_id)
    return await _on_activity(request, activity_id, await leader_of(request, row["team_id"]), run, done)


@post("/activities/{activity_id:uuid}/publish", name="volunteering.publish")
async def publish(
    request: Request[Any, Any, Any], activity_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await _manage(
        request,
        activity_id,
        lambda rt, ctx, form: commands.publish_activity(rt, ctx, activity_id),
        _("The activity is published; residents can sign up."),
    )


@post("/activities/{activity_id:uuid}/insurance", name="volunteering.insurance")
async def insurance(
    request: Request[Any, Any, Any], activity_id: FromPath[UUID], data: URLEncodedBody[NoteForm]
) -> Response[Any]:
    return await _manage(
        request,
        activity_id,
        lambda rt, ctx, form: commands.confirm_insurance(rt, ctx, activity_id, text(form, "note")),
        _("Insurance confirmed."),
    )


routes = [activity_list, activity_page, sign_up, cancel, accept, consent, publish, insurance]
