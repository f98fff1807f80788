"""Routes of the volunteer's own page: their shifts, hours, stars and certificates, whether they are shown in the
honours, and asking the leader to correct an hours record."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.ports import Commands
from backend.volunteering import commands
from backend.volunteering.web.forms import CorrectionForm, HonoursForm, minutes
from backend.volunteering.web.views import mine_refused, show_mine
from backend.web.act import Form, act, text


@get("/me/volunteering", name="volunteering.mine")
async def mine(request: Request[Any, Any, Any]) -> Template:
    return await show_mine(request)


@post("/me/volunteering/honours", name="volunteering.honours")
async def honours_choice(request: Request[Any, Any, Any], data: URLEncodedBody[HonoursForm]) -> Response[Any]:
    return await act(
        request,
        "volunteering.sign_up",
        lambda rt, ctx, form: commands.choose_honours(rt, ctx, form.get("show") == "1"),
        then="/me/volunteering",
        refused=mine_refused(request, "honours_error"),
        done=_("Your choice is saved."),
    )


@post("/hours/{record_id:uuid}/correction", name="volunteering.request_correction")
async def request_correction(
    request: Request[Any, Any, Any], record_id: FromPath[UUID], data: URLEncodedBody[CorrectionForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Any, form: Form) -> None:
        await commands.request_correction(rt, ctx, record_id, minutes(form), text(form, "reason"))

    return await act(
        request,
        "volunteering.sign_up",
        run,
        then="/me/volunteering",
        refused=mine_refused(request, "correction_error"),
        done=_("Your request is with the team leader."),
    )


routes = [mine, honours_choice, request_correction]
