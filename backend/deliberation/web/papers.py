"""Routes of a sitting's ballot papers (issue 29, named votes only): the clerk issues and prints the papers (A4, one
per member, with the tracking code as text and QR) and enters a counted paper by typing or scanning its code; a second
clerk confirms it on the meeting page, as any paper ballot."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import segno
from litestar import Request, Response, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.deliberation.commands import papers
from backend.deliberation.domain.papers import paper_code, shown_code
from backend.deliberation.domain.vote import Choice
from backend.deliberation.web import views
from backend.deliberation.web.meetings import back_to_meeting
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.web.act import EMPTY, Form, FormBody, Text, act, one_of, text
from backend.web.auth import ctx_for, require
from backend.web.pages import command_id_from, flash, now, render
from projections.community import queries as communities
from projections.deliberation import queries
from projections.residents import queries as residents


class PaperCodeForm(FormBody):
    """A counted paper: the tracking code printed on it (typed or scanned) and the choice ticked on it."""

    code: Text = EMPTY
    choice: Annotated[Text, one_of(*Choice)] = EMPTY


@post("/meetings/{meeting_id:uuid}/papers", name="meetings.papers")
async def print_papers(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Template:
    """Issue the papers (once) and show them for printing; asked again, the same papers print again. Full names:
    the page is the clerk's, and each paper goes to its member."""
    user = await require(request, "meeting.run")
    row = await views.meeting_or_404(meeting_id)
    if row["community_id"] != user.community_id:
        raise NotFoundException(_("No such meeting."))
    form = await request.form()
    rt = request.app.state.runtime
    try:
        done = await papers.issue(rt, ctx_for(user, now(), command_id_from(form)), meeting_id)
    except DomainError as error:
        return await back_to_meeting(request, meeting_id)(error, form)  # type: ignore[return-value]
    members = done.result["members"].split(",")
    names = await residents.full_names(rt.personal, members)
    sheets = []
    for member in sorted(members, key=lambda m: names.get(m, "")):
        code = paper_code(rt.personal.digest, meeting_id, UUID(member))
        qr = segno.make(code, error="m").svg_inline(scale=3, omitsize=True, title=_("QR code of this paper"))
        sheets.append({"name": names.get(member, ""), "code": shown_code(code), "qr": qr})
    return await render(
        request,
        "deliberation/papers.html",
        meeting=row,
        matter=await queries.matter(row["matter_id"]),
        community=await communities.by_id(row["community_id"]),
        sheets=sheets,
        **views.labels(),
    )


@post("/meetings/{meeting_id:uuid}/paper-code", name="meetings.paper_code")
async def enter_by_code(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[PaperCodeForm]
) -> Response[Any]:
    """A counted paper entered by its code; the flash names the member, so the clerk sees it is the paper in hand."""

    async def run(rt: Commands, ctx: Ctx, form: Form) -> None:
        done = await papers.enter(rt, ctx, meeting_id, text(form, "code"), text(form, "choice"))
        name = (await residents.full_names(rt.personal, [done.result["member"]])).get(done.result["member"], "")
        flash(request, _("Paper of %(name)s saved; a second clerk confirms it.", name=name), "success")

    return await act(
        request, "meeting.run", run, then=f"/meetings/{meeting_id}", refused=back_to_meeting(request, meeting_id)
    )


routes = [print_papers, enter_by_code]
