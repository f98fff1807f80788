"""Paper ballots: a clerk enters a member's paper ballot and a second clerk confirms it. At a sitting the clerk works
from the meeting page; on an online ballot of thousands, from the paper desk (find a member by name, phone or room)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.deliberation.commands import meetings
from backend.deliberation.web import views
from backend.deliberation.web.forms import PaperForm
from backend.deliberation.web.meetings import back_to_meeting
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text, uuid_field
from backend.web.auth import require
from backend.web.pages import error_status, error_text, render


async def _paper_desk(
    request: Request[Any, Any, Any], meeting_id: UUID, query: str, status_code: int = 200, **extra: Any
) -> Template:
    """The clerks' desk for paper ballots on an online ballot of thousands: find a member by name, phone or room,
    enter their paper ballot, and confirm the ones another clerk entered."""
    user = await require(request, "meeting.run")
    row = await views.meeting_or_404(meeting_id)
    if row["community_id"] != user.community_id:
        raise NotFoundException(_("No such meeting."))
    personal = request.app.state.runtime.personal
    context = await views.paper_desk_context(personal, meeting_id, row, query.strip()[:30], **extra)
    return await render(request, "deliberation/paper.html", status_code=status_code, **context)


@get("/meetings/{meeting_id:uuid}/paper", name="meetings.paper_desk")
async def paper_desk(request: Request[Any, Any, Any], meeting_id: FromPath[UUID], q: FromQuery[str] = "") -> Template:
    return await _paper_desk(request, meeting_id, q)


@post("/meetings/{meeting_id:uuid}/paper", name="meetings.paper")
async def paper(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[PaperForm]
) -> Response[Any]:
    """A clerk enters a member's paper ballot (a second clerk confirms it) or confirms one. On an online ballot the
    clerk works from the paper desk and returns to it; at a sitting, from the meeting page."""
    user = await require(request, "meeting.run")
    form = await request.form()
    row = await views.meeting_or_404(meeting_id)
    confirm = form.get("confirm") == "yes"
    query = text(form, "q").strip()[:30]

    async def run(rt: Commands, ctx: Ctx, _sent: Form) -> CommandResult:
        member = uuid_field(form, "member" if confirm else "resident_id", "Please choose the member.")
        if confirm:
            return await meetings.confirm_paper(rt, ctx, meeting_id, member)
        return await meetings.vote(rt, replace(ctx, on_behalf_of=member), meeting_id, text(form, "choice"), paper=True)

    saved = _("Paper ballot confirmed: it counts.") if confirm else _("Paper ballot saved; a second clerk confirms it.")
    if not row["online_until"]:
        refused, then = back_to_meeting(request, meeting_id), f"/meetings/{meeting_id}"
    else:

        async def refused(error: DomainError, _sent: Form) -> Template:
            return await _paper_desk(request, meeting_id, query, error_status(error), paper_error=error_text(error))

        then = f"/meetings/{meeting_id}/paper" + (f"?{urlencode({'q': query})}" if query else "")
    return await act(request, user, run, then=then, refused=refused, done=saved)


routes = [paper_desk, paper]
