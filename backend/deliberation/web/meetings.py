"""Routes of a sitting: the meeting page where members check in and vote and the clerk runs the ballot, the clerk's
check-in code screen, the minutes and their signatures, and the printable record. Each form runs its command through
act(): refused, the meeting page comes back with the message."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.deliberation.commands import meetings
from backend.deliberation.domain.floor import floor_id
from backend.deliberation.domain.vote import vote_id
from backend.deliberation.web import views
from backend.deliberation.web.floor_views import floor_context
from backend.deliberation.web.forms import CheckInForm, MinutesForm, VoteForm
from backend.i18n import gettext as _
from backend.kernel import codes
from backend.kernel.codes import checkin_code_valid
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.web.act import Form, FormBody, Refused, Whole, act, query_of, segment_of, text
from backend.web.auth import ctx_for, current_user, require
from backend.web.pages import command_id_from, error_status, error_text, is_htmx, now, render
from projections.chain import queries as chain
from projections.community import queries as communities
from projections.deliberation import queries
from projections.residents import queries as residents


async def _meeting_page(
    request: Request[Any, Any, Any], meeting_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    context = await views.meeting_context(request, meeting_id, **extra)
    context.update(await floor_context(request, context["meeting"]))
    return await render(request, "deliberation/meeting.html", status_code=status_code, **context)


def back_to_meeting(request: Request[Any, Any, Any], meeting_id: UUID) -> Refused:
    """A refusal on the meeting page: the page again with the message."""

    async def refused(error: DomainError, _sent: Form) -> Template:
        return await _meeting_page(request, meeting_id, error_status(error), meeting_error=error_text(error))

    return refused


@get("/meetings/{meeting_id:uuid}", name="meetings.detail")
async def meeting_page(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], code: Annotated[str, query_of(Whole)] = ""
) -> Template:
    """`code`: the check-in code the clerk's QR code carries (the page's view fills it in)."""
    return await _meeting_page(request, meeting_id)


@post("/meetings/{meeting_id:uuid}/vote", name="meetings.vote")
async def vote(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[VoteForm]
) -> Response[Any]:
    if not is_htmx(request):
        # The page says "您的投票：…" itself; no flash keeps a burst of votes from rewriting every session.
        return await act(
            request,
            "meeting.vote",
            lambda rt, ctx, form: meetings.vote(rt, ctx, meeting_id, text(form, "choice")),
            then=f"/meetings/{meeting_id}",
            refused=back_to_meeting(request, meeting_id),
        )
    # With htmx the vote panel alone comes back, rendered from the command's own result: nothing is read back from
    # the views, so the answer does not wait for them. The tally follows over the websocket.
    user = await require(request, "meeting.vote")
    form = await request.form()
    ctx = ctx_for(user, now(), command_id_from(form))
    try:
        done = await meetings.vote(request.app.state.runtime, ctx, meeting_id, text(form, "choice"), wait=False)
    except DomainError as error:
        row = await views.meeting_or_404(meeting_id)
        key = await views.member_key(row, user)
        return await render(
            request,
            "deliberation/_vote.html",
            status_code=error_status(error),
            meeting_id=meeting_id,
            mine=await queries.vote(vote_id(meeting_id, UUID(key))),
            vote_error=error_text(error),
            **views.labels(),
        )
    mine = {"choice": done.result["choice"], "paper": False}
    return await render(request, "deliberation/_vote.html", meeting_id=meeting_id, mine=mine, **views.labels())


@post("/meetings/{meeting_id:uuid}/checkin", name="meetings.check_in")
async def check_in(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[CheckInForm]
) -> Response[Any]:
    """A member at the venue checks in with the code on the clerk's screen; a clerk ticks a member's name."""
    user = await require(request, "meeting.vote")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> None:
        raw = text(form, "resident_id") or str(user.id)
        try:
            resident_id = UUID(raw)
        except ValueError:
            raise DomainError("No such resident.", status=404) from None
        code = text(form, "code")
        if resident_id == user.id and not checkin_code_valid(rt.personal.digest, meeting_id, code, ctx.now):
            raise DomainError("That check-in code is not the one on the screen; please type the current one.", "code")
        await meetings.check_in(rt, ctx, meeting_id, resident_id)

    return await act(
        request,
        user,
        run,
        then=f"/meetings/{meeting_id}",
        refused=back_to_meeting(request, meeting_id),
        done=_("Checked in."),
    )


@post("/meetings/{meeting_id:uuid}/ballot/{action:str}", name="meetings.ballot")
async def ballot(
    request: Request[Any, Any, Any],
    meeting_id: FromPath[UUID],
    action: Annotated[str, segment_of("open", "close")],
    data: URLEncodedBody[FormBody],
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, _sent: Form) -> None:
        if action == "open":
            await meetings.open_ballot(rt, ctx, meeting_id)
        elif action == "close":
            await meetings.close_ballot(rt, ctx, meeting_id)
        else:
            raise DomainError("Not found.", status=404)

    return await act(
        request,
        "meeting.run",
        run,
        then=f"/meetings/{meeting_id}",
        refused=back_to_meeting(request, meeting_id),
        done=_("Done."),
    )


@get("/meetings/{meeting_id:uuid}/code", name="meetings.code")
async def checkin_code(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Template:
    """The clerk's screen at the venue: the current check-in code and its QR, refreshed while the page is open."""
    user = await require(request, "meeting.run")
    row = await views.meeting_or_404(meeting_id)
    if row["community_id"] != user.community_id:
        raise NotFoundException(_("No such meeting."))
    code = codes.checkin_code(request.app.state.runtime.personal.digest, meeting_id, now())
    url = f"{request.base_url}meetings/{meeting_id}?code={code}"
    qr = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title=_("Check-in QR code"))
    if request.headers.get("hx-request"):  # the poll: the fragment alone, leaving any flash for the next page
        return Template(template_name="deliberation/_code.html", context={"code": code, "qr": qr})
    return await render(request, "deliberation/code.html", meeting_id=meeting_id, code=code, qr=qr)


@post("/meetings/{meeting_id:uuid}/minutes", name="meetings.minutes")
async def minutes(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[MinutesForm]
) -> Response[Any]:
    return await act(
        request,
        "meeting.run",
        lambda rt, ctx, form: meetings.write_minutes(rt, ctx, meeting_id, text(form, "minutes")),
        then=f"/meetings/{meeting_id}",
        refused=back_to_meeting(request, meeting_id),
        done=_("The minutes are saved."),
    )


@post("/meetings/{meeting_id:uuid}/sign", name="meetings.sign")
async def sign(
    request: Request[Any, Any, Any], meeting_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await act(
        request,
        "meeting.vote",
        lambda rt, ctx, _sent: meetings.sign_off(rt, ctx, meeting_id),
        then=f"/meetings/{meeting_id}",
        refused=back_to_meeting(request, meeting_id),
        done=_("You have signed the minutes."),
    )


@get("/meetings/{meeting_id:uuid}/record", name="meetings.record")
async def record(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Template:
    """The meeting record (会议记录) on A4: result with the rule, attendance, minutes, sign-offs, and a QR code to
    this page with the chain link of the sitting's latest event, so a printed copy can be checked against the log."""
    row = await views.meeting_or_404(meeting_id)
    if not row["outcome"]:  # the sitting exists (its ballot may be running): its page, saying why no record yet
        return await _meeting_page(request, meeting_id, record_pending=True)
    user = await current_user(request)
    clerk = user is not None and user.can("resident.read_private", row["community_id"])
    spoke = (await queries.floor(floor_id(meeting_id)))["spoke"]  # the minutes list who spoke, in order
    speakers = [(str(r["resident_id"]), r["started_at"]) for r in spoke]
    people = [*row["expected"], *(s[0] for s in row["signed"]), *(who for who, _at in speakers)]
    url = f"{request.base_url}meetings/{meeting_id}/record"
    return await render(
        request,
        "deliberation/record.html",
        meeting=row,
        matter=await queries.matter(row["matter_id"]),
        community=await communities.by_id(row["community_id"]),
        names=await (
            residents.full_names(request.app.state.runtime.personal, people)
            if clerk
            else residents.masked_names(people)
        ),
        signed=[(who, datetime.fromisoformat(at)) for who, at in row["signed"]],
        speakers=speakers,
        chain_link=await chain.link_at(row["position"]),
        url=url,
        qr=segno.make(url, error="m").svg_inline(scale=3, omitsize=True, title=_("QR code of this record")),
        rule=views.rule_words(queries.meeting_rule(row)),
        **views.labels(),
    )


routes = [meeting_page, vote, check_in, ballot, checkin_code, minutes, sign, record]
