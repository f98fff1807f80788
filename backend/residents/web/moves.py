"""A household of the register at the clerk's desk (`/clerk/households/<id>`): who the register lists there, the
accounts registered at it, its moves, and the two forms that change it: moving out (迁出: the whole household, or
some of its people) and, once vacant, moving in (迁入)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.residents import commands
from backend.residents.register_file import split_members
from backend.residents.web.forms import MoveInForm, MoveOutForm
from backend.web.act import Form, act, day_field, text, texts
from backend.web.auth import User, require
from backend.web.pages import error_status, error_text, render, today
from projections.residents import queries as residents

KINDS = {
    "household_out": N_("The household moved out (迁出)"),
    "household_in": N_("A household moved in (迁入)"),
    "resident_out": N_("An account moved out"),
}


async def _page(
    request: Request[Any, Any, Any], user: User, household_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    personal = request.app.state.runtime.personal
    household = await residents.household(personal, household_id)
    if household is None or household["community_id"] != user.community_id:
        raise NotFoundException(_("No such household in the register."))
    return await render(
        request,
        "residents/household.html",
        status_code=status_code,
        household=household,
        living=await residents.living_in(personal, household_id),
        moves=await residents.moves(user.community_id, household_id),
        today=today().isoformat(),
        kinds=KINDS,
        values=extra.pop("values", {}),
        **extra,
    )


@get("/clerk/households/{household_id:uuid}", name="clerk.household")
async def household_page(request: Request[Any, Any, Any], household_id: FromPath[UUID]) -> Template:
    user = await require(request, "resident.read_private")
    return await _page(request, user, household_id)


def _ticked(form: Form) -> list[UUID]:
    """The accounts ticked on the form; a value that is no id is refused on the field."""
    try:
        return [UUID(v) for v in texts(form, "residents")]
    except ValueError:
        raise DomainError("Choose who moves out, or the whole household.", "residents") from None


Move = Callable[[Commands, Ctx, UUID, date, Form], Awaitable[CommandResult]]


async def _move(
    request: Request[Any, Any, Any], household_id: UUID, move: Move, kept: tuple[str, ...], error: str, done: str
) -> Response[Any]:
    """A move's form: its day read, the command run; refused, the household's page again with what was typed
    (`kept`) and the refusal where the form is (`error`: out_error or in_error)."""
    user = await require(request, "household.edit")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        return await move(rt, ctx, household_id, day_field(form, "on", "Give the day of the move."), form)

    async def refused(refusal: DomainError, form: Form) -> Template:
        values = {k: text(form, k) for k in kept}
        return await _page(
            request, user, household_id, error_status(refusal), values=values, **{error: error_text(refusal)}
        )

    return await act(request, user, run, refused=refused, done=done, then=f"/clerk/households/{household_id}")


@post("/clerk/households/{household_id:uuid}/move-out", name="clerk.household.move_out")
async def move_out(
    request: Request[Any, Any, Any], household_id: FromPath[UUID], data: URLEncodedBody[MoveOutForm]
) -> Response[Any]:
    async def move(rt: Commands, ctx: Ctx, household: UUID, on: date, form: Form) -> CommandResult:
        whole = text(form, "whole") == "yes"
        ticked = _ticked(form)
        if whole:  # the whole household is all its people: every account living there moves out with it
            living = await residents.living_in(rt.personal, household)
            ticked = list(dict.fromkeys([*ticked, *(UUID(str(r["id"])) for r in living)]))
        return await commands.move_out(rt, ctx, household, on, ticked, whole)

    return await _move(request, household_id, move, ("on", "whole"), "out_error", _("Moving out recorded."))


@post("/clerk/households/{household_id:uuid}/move-in", name="clerk.household.move_in")
async def move_in(
    request: Request[Any, Any, Any], household_id: FromPath[UUID], data: URLEncodedBody[MoveInForm]
) -> Response[Any]:
    async def move(rt: Commands, ctx: Ctx, household: UUID, on: date, form: Form) -> CommandResult:
        return await commands.move_in(rt, ctx, household, on, split_members(text(form, "members")))

    return await _move(request, household_id, move, ("on", "members"), "in_error", _("Moving in recorded."))


routes = [household_page, move_out, move_in]
