"""Routes of a sitting's speaker list (发言, issue 29): a checked-in member asks for the floor from the phone or
withdraws; the chair moves a member up, gives the floor and ends the turn. The list is part of the meeting page
(`floor_context`), fetched again by itself (`/meetings/<id>/floor`) whenever the projector says it moved: each viewer
sees their own buttons, so the websocket only says "moved" (the casework pages' pattern)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.deliberation.commands import floor as commands
from backend.deliberation.web import views
from backend.deliberation.web.floor_views import floor_context
from backend.deliberation.web.forms import FloorMemberForm
from backend.deliberation.web.meetings import back_to_meeting
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.web.act import Form, FormBody, act, text, uuid_field
from backend.web.pages import render
from projections.deliberation import queries


@get("/meetings/{meeting_id:uuid}/floor", name="floor.panel")
async def panel(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], screen: FromQuery[bool] = False
) -> Template:
    """The list alone, as this viewer sees it (`screen`: as the projector view shows it)."""
    row = await views.meeting_or_404(meeting_id)
    template = "deliberation/_floor_screen.html" if screen else "deliberation/_floor.html"
    return await render(request, template, meeting=row, **await floor_context(request, row, screen))


def _act(request: Request[Any, Any, Any], meeting_id: UUID, action: str, run: Any, done: str) -> Any:
    return act(
        request,
        action,
        run,
        then=f"/meetings/{meeting_id}#floor",
        refused=back_to_meeting(request, meeting_id),
        done=done,
    )


@post("/meetings/{meeting_id:uuid}/floor", name="floor.ask")
async def ask(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await _act(
        request,
        meeting_id,
        "meeting.vote",
        lambda rt, ctx, _f: commands.ask(rt, ctx, meeting_id),
        _("You are on the speaker list."),
    )


@post("/meetings/{meeting_id:uuid}/floor/withdraw", name="floor.withdraw")
async def withdraw(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await _act(
        request,
        meeting_id,
        "meeting.vote",
        lambda rt, ctx, _f: commands.withdraw(rt, ctx, meeting_id),
        _("You are off the speaker list."),
    )


@post("/meetings/{meeting_id:uuid}/floor/up", name="floor.up")
async def move_up(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[FloorMemberForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> Any:
        return await commands.move_up(rt, ctx, meeting_id, uuid_field(form, "resident_id", "No such member."))

    return await _act(request, meeting_id, "meeting.run", run, _("Done."))


@post("/meetings/{meeting_id:uuid}/floor/start", name="floor.start")
async def start(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[FloorMemberForm]
) -> Response[Any]:
    """The floor for the member named, or the next one."""

    async def run(rt: Commands, ctx: Ctx, form: Form) -> Any:
        named = uuid_field(form, "resident_id", "No such member.") if text(form, "resident_id") else None
        return await commands.start_turn(rt, ctx, meeting_id, named)

    return await _act(request, meeting_id, "meeting.run", run, _("The floor is given."))


@post("/meetings/{meeting_id:uuid}/floor/end", name="floor.end")
async def end(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await _act(
        request,
        meeting_id,
        "meeting.run",
        lambda rt, ctx, _f: commands.end_turn(rt, ctx, meeting_id),
        _("The turn has ended."),
    )


@get("/meetings/{meeting_id:uuid}/screen", name="meetings.screen")
async def screen(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Template:
    """The projector view (大屏): the matter, the motion, the speaker and the time left, the live tally and the
    result, in letters read across a room; masked names only, no buttons (public, like the meeting page)."""
    row = await views.meeting_or_404(meeting_id)
    return await render(
        request,
        "deliberation/screen.html",
        meeting=row,
        matter=await queries.matter(row["matter_id"]),
        tally=await queries.tally(meeting_id),
        rule=views.rule_words(queries.meeting_rule(row)),
        **await floor_context(request, row, screen=True),
        **views.labels(),
    )


routes = [panel, ask, withdraw, move_up, start, end, screen]
