"""Routes of the clerk's care flags (关爱对象, issue 22): the households flagged, their categories (sensitive personal
data, sealed in the log and the views, opened here for the clerk), their visit interval from the rulebook and the
next visit's due day; flagging a household (and the person cared for, by phone) and unflagging it with a reason."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.casework.commands import care as care_commands
from backend.casework.web import visit_views as views
from backend.casework.web.visit_forms import CareForm, UnflagForm
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text, texts, uuid_field
from backend.web.auth import User, require
from backend.web.pages import error_status, error_text, render
from projections.residents import queries as residents


async def _page(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    context = await views.clerk_context(request.app.state.runtime.personal, user, **extra)
    return await render(request, "casework/care.html", status_code=status_code, **context)


def _refused(request: Request[Any, Any, Any], user: User, error_key: str) -> Any:
    async def refused(error: DomainError, form: Form) -> Template:
        values = {name: text(form, name) for name in ("household_id", "phone", "reason")}
        values["categories"] = texts(form, "categories")
        return await _page(request, user, error_status(error), values=values, **{error_key: error_text(error)})

    return refused


@get("/care", name="care.list")
async def care_list(request: Request[Any, Any, Any]) -> Template:
    return await _page(request, await require(request, "care.flag"))


@post("/care", name="care.flag")
async def flag(request: Request[Any, Any, Any], data: URLEncodedBody[CareForm]) -> Template | Response[Any]:
    """Flag a household (or change its categories): the categories are sealed before they reach the log."""
    user = await require(request, "care.flag")
    personal = request.app.state.runtime.personal

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        household = uuid_field(form, "household_id", "Choose a household.")
        phone = text(form, "phone").strip()
        person = None
        if phone:
            found = await residents.by_phone(personal, phone)
            if found is None or found["community_id"] != user.community_id:
                raise DomainError("No resident of the community has this phone number.", "phone")
            person = found["id"]
        return await care_commands.flag_care(rt, ctx, household, texts(form, "categories"), person)

    return await act(
        request, user, run, then="/care", refused=_refused(request, user, "flag_error"), done=_("The care flag is set.")
    )


@post("/care/{household_id:uuid}/unflag", name="care.unflag")
async def unflag(
    request: Request[Any, Any, Any], household_id: FromPath[UUID], data: URLEncodedBody[UnflagForm]
) -> Template | Response[Any]:
    user = await require(request, "care.flag")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        return await care_commands.unflag_care(rt, ctx, household_id, text(form, "reason"))

    return await act(
        request,
        user,
        run,
        then="/care",
        refused=_refused(request, user, "unflag_error"),
        done=_("The household is no longer flagged."),
    )


routes = [care_list, flag, unflag]
