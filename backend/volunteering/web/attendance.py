"""Routes of the shift at the venue: the leader's roster and rotating check-in code, the leader ticking a volunteer
in or out (or scanning their personal code) and confirming their hours; the volunteer checking in with the code on
the leader's screen, and out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.codes import checkin_code, checkin_code_valid
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.zone import LOCAL_ZONE
from backend.volunteering import commands
from backend.volunteering.web.forms import CodeForm, VolunteerForm
from backend.volunteering.web.views import leader_of, shift_or_404, show_checkin, show_roster
from backend.web.act import Form, FormBody, Whole, act, query_of, text, uuid_field
from backend.web.auth import require
from backend.web.pages import error_status, error_text, is_htmx, now, render
from projections.residents import queries as residents
from projections.volunteering import queries


@get("/shifts/{shift_id:uuid}", name="volunteering.roster")
async def roster_page(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Template:
    return await show_roster(request, shift_id)


@get("/shifts/{shift_id:uuid}/code", name="volunteering.code")
async def code_page(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Template:
    """The leader's screen at the venue: the rotating code and its QR, refreshed while the page is open."""
    shift = await shift_or_404(shift_id)
    await leader_of(request, shift["team_id"])
    code = checkin_code(request.app.state.runtime.personal.digest, shift_id, now())
    url = f"{request.base_url}shifts/{shift_id}/checkin?code={code}"
    qr = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title=_("Check-in QR code"))
    if is_htmx(request):  # the poll: the fragment alone, leaving any flash for the next page
        return Template(template_name="volunteering/_code.html", context={"code": code, "qr": qr})
    return await render(request, "volunteering/code.html", shift=shift, code=code, qr=qr)


# What the leader does for a volunteer of the roster: the process's commands, the context and the volunteer.
ForVolunteer = Callable[[Commands, Any, UUID], Awaitable[Any]]


async def _for_volunteer(
    request: Request[Any, Any, Any],
    shift_id: UUID,
    command: ForVolunteer,
    done: str | None,
    then: Callable[[Form], str],
) -> Response[Any]:
    """The leader acts on a volunteer of the roster (the form names them), then goes where `then` says (from the
    form); a refusal shows the roster again."""
    shift = await shift_or_404(shift_id)
    user = await leader_of(request, shift["team_id"])

    async def run(rt: Commands, ctx: Any, form: Form) -> str:
        volunteer = uuid_field(form, "volunteer_id", "No such volunteer.", status=404)
        await command(rt, ctx, volunteer)
        return then(form)

    async def refused(error: DomainError, _: Form) -> Template:
        return await show_roster(request, shift_id, error_status(error), roster_error=error_text(error))

    return await act(request, user, run, then=lambda path: path, refused=refused, done=done)


def _back(shift_id: UUID) -> Callable[[Form], str]:
    """Back to the volunteer's scan page when the leader came from it, else to the roster."""

    def then(form: Form) -> str:
        back = text(form, "back")
        return back if back.startswith("/volunteers/") else f"/shifts/{shift_id}"

    return then


async def _tick(request: Request[Any, Any, Any], shift_id: UUID, out: bool) -> Response[Any]:
    """The leader checks a volunteer in or out (ticking the name, or from the volunteer's scan page)."""
    run = commands.check_out if out else commands.check_in
    return await _for_volunteer(
        request, shift_id, lambda rt, ctx, volunteer: run(rt, ctx, shift_id, volunteer, True), None, _back(shift_id)
    )


@post("/shifts/{shift_id:uuid}/roster/checkin", name="volunteering.tick_in")
async def tick_in(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], data: URLEncodedBody[VolunteerForm]
) -> Response[Any]:
    return await _tick(request, shift_id, out=False)


@post("/shifts/{shift_id:uuid}/roster/checkout", name="volunteering.tick_out")
async def tick_out(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], data: URLEncodedBody[VolunteerForm]
) -> Response[Any]:
    return await _tick(request, shift_id, out=True)


@post("/shifts/{shift_id:uuid}/hours", name="volunteering.confirm_hours")
async def confirm_hours(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], data: URLEncodedBody[VolunteerForm]
) -> Response[Any]:
    return await _for_volunteer(
        request,
        shift_id,
        lambda rt, ctx, volunteer: commands.confirm_hours(rt, ctx, shift_id, volunteer),
        _("Hours confirmed."),
        lambda form: f"/shifts/{shift_id}",
    )


@get("/volunteers/{volunteer_id:uuid}/scan", name="volunteering.scan")
async def scan(request: Request[Any, Any, Any], volunteer_id: FromPath[UUID]) -> Template:
    """What the leader's phone opens on scanning a volunteer's personal QR code: that volunteer's seats on the
    leader's shifts of today, to check them in or out."""
    user = await require(request, "volunteering.lead")
    volunteer = await residents.by_id(volunteer_id)
    if volunteer is None or volunteer["community_id"] != user.community_id:
        raise NotFoundException(_("No such volunteer."))
    led = {str(t["id"]) for t in await queries.teams_led_by(user.community_id, user.id)}
    today = now().astimezone(LOCAL_ZONE).date()
    rows = [
        r
        for r in await queries.my_shifts(volunteer_id, now() - timedelta(hours=1))
        if str(r["shift"]["team_id"]) in led
        and r["status"] == "seated"
        and r["shift"]["starts_at"].astimezone(LOCAL_ZONE).date() == today
    ]
    # The full name only to the leader of a shift the volunteer is on today (to tell them apart at the door).
    if rows:
        name = (await residents.full_names(request.app.state.runtime.personal, [volunteer_id]))[str(volunteer_id)]
    else:
        name = volunteer["name_masked"]
    return await render(request, "volunteering/scan.html", volunteer_id=volunteer_id, name=name, rows=rows)


@get("/shifts/{shift_id:uuid}/checkin", name="volunteering.checkin_form")
async def checkin_form(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], code: Annotated[str, query_of(Whole)] = ""
) -> Template:
    """What the rotating code's QR opens on the volunteer's phone (the code filled in)."""
    user = await require(request, "volunteering.sign_up")
    return await show_checkin(request, user, await shift_or_404(shift_id), code)


async def _own_attendance(request: Request[Any, Any, Any], shift_id: UUID, out: bool) -> Response[Any]:
    """The volunteer checks in (with the code on the leader's screen) or out; a refusal shows the check-in page
    again (with the code as typed, on checking in)."""
    user = await require(request, "volunteering.sign_up")
    shift = await shift_or_404(shift_id)

    async def run(rt: Commands, ctx: Any, form: Form) -> None:
        if out:
            await commands.check_out(rt, ctx, shift_id, user.id, False)
            return
        if not checkin_code_valid(rt.personal.digest, shift_id, text(form, "code"), now()):
            raise DomainError("That code is not the one on the leader's screen now (it changes every 30 seconds).")
        await commands.check_in(rt, ctx, shift_id, user.id, False)

    async def refused(error: DomainError, form: Form) -> Template:
        code = "" if out else text(form, "code")
        return await show_checkin(request, user, shift, code, error_status(error), checkin_error=error_text(error))

    done = _("You are checked out.") if out else _("You are checked in. Thank you!")
    return await act(request, user, run, then=f"/shifts/{shift_id}/checkin", refused=refused, done=done)


@post("/shifts/{shift_id:uuid}/checkin", name="volunteering.check_in")
async def check_in(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], data: URLEncodedBody[CodeForm]
) -> Response[Any]:
    return await _own_attendance(request, shift_id, out=False)


@post("/shifts/{shift_id:uuid}/checkout", name="volunteering.check_out")
async def check_out(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    return await _own_attendance(request, shift_id, out=True)


routes = [roster_page, code_page, tick_in, tick_out, confirm_hours, scan, checkin_form, check_in, check_out]
