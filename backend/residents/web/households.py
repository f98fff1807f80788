"""The household register at the clerk's desk: the list, adding one household, and importing a register file."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.residents import commands
from backend.residents.register_file import read_register
from backend.residents.web import moves
from backend.residents.web.forms import HouseholdForm, ImportForm, household_row, household_values
from backend.web.act import Form, act
from backend.web.auth import User, ctx_for, require
from backend.web.pages import command_id_from, error_status, error_text, flash, now, render
from projections.residents import queries as residents

IMPORT_MAX_BYTES = 4 * 1024 * 1024


async def _households(request: Request[Any, Any, Any], user: User, status_code: int = 200, **extra: Any) -> Template:
    return await render(
        request,
        "residents/households.html",
        status_code=status_code,
        households=await residents.households(request.app.state.runtime.personal, user.community_id),
        values=extra.pop("values", {}),
        **extra,
    )


@get("/clerk/households", name="clerk.households")
async def households(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "resident.read_private")
    return await _households(request, user)


@post("/clerk/households", name="clerk.households.add")
async def add_household(request: Request[Any, Any, Any], data: URLEncodedBody[HouseholdForm]) -> Response[Any]:
    user = await require(request, "household.edit")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        done = await commands.import_households(rt, ctx, [household_row(household_values(form))])
        # which flash depends on the answer (new, or already in the register), so it is given here, not by act()
        if done.result.get("added") == "1":
            flash(request, _("Household added."), "success")
        else:
            flash(request, _("This household is already in the register; its members were brought up to date."), "info")
        return done

    async def refused(error: DomainError, form: Form) -> Template:
        values = household_values(form)
        return await _households(request, user, error_status(error), values=values, add_error=error_text(error))

    return await act(request, user, run, refused=refused, then="/clerk/households")


@post("/clerk/households/import", name="clerk.households.import", request_max_body_size=IMPORT_MAX_BYTES)
async def import_register(request: Request[Any, Any, Any], data: MultipartBody[ImportForm]) -> Response[Any]:
    """Import a CSV/XLSX register. With bad rows nothing is imported unless the clerk chose "only the good rows";
    importing the same file again adds nothing. The answer is the register page with what was imported (or the
    rows' errors), not a redirect, so this handler does not go through act()."""
    user = await require(request, "household.edit")
    form = await request.form()
    upload = form.get("file")
    good_only = form.get("mode") == "good"
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise DomainError("Please choose a CSV or XLSX file.", "file")
        parsed = read_register(upload.filename, await upload.read())
        if parsed.errors and not good_only:
            return await _households(request, user, 422, row_errors=parsed.errors, imported=None, good_only=False)
        done = await commands.import_households(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), parsed.rows
        )
    except DomainError as error:
        return await _households(request, user, error_status(error), import_error=error_text(error))
    return await _households(request, user, row_errors=parsed.errors, imported=done.result, good_only=good_only)


routes = [households, add_household, import_register, *moves.routes]
