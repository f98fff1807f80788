"""Routes of the clerk's grid plan (网格化): draw and rename grids, put each building in exactly one grid (add, move,
remove), the places a case may name, the 网格员 of each grid and the 楼长 of each building (reassignments are events:
the history stays); and the community's narrowing of the street's matter list (事项清单), for the whole community or
further for one grid."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.casework.commands import grids, street
from backend.casework.web.forms import (
    BuildingForm,
    GridForm,
    HeadForm,
    LiftForm,
    MoveForm,
    NarrowForm,
    PlaceForm,
    ReasonForm,
    UnassignForm,
    WorkerForm,
    narrowing,
    optional_id,
)
from backend.casework.web.plan_views import show_grids, show_matters
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, Run, act, day_field, text, uuid_field
from backend.web.auth import require
from backend.web.pages import error_status, error_text

GRIDS, MATTERS = "/grids", "/cases/matters"


async def _plan(request: Request[Any, Any, Any], run: Run, form_name: str, done: str) -> Response[Any]:
    user = await require(request, "grid.plan")

    async def refused(error: DomainError, _sent: Form) -> Template:
        return await show_grids(request, user, error_status(error), error=error_text(error), error_form=form_name)

    return await act(request, user, run, then=GRIDS, refused=refused, done=done)


@get("/grids", name="grids.plan")
async def plan_page(request: Request[Any, Any, Any]) -> Template:
    return await show_grids(request, await require(request, "grid.plan"))


@post("/grids", name="grids.draw")
async def draw(request: Request[Any, Any, Any], data: URLEncodedBody[GridForm]) -> Response[Any]:
    return await _plan(
        request, lambda rt, ctx, form: grids.draw_grid(rt, ctx, text(form, "name")), "draw", _("The grid is drawn.")
    )


@post("/grids/{grid_id:uuid}/rename", name="grids.rename")
async def rename(
    request: Request[Any, Any, Any], grid_id: FromPath[UUID], data: URLEncodedBody[GridForm]
) -> Response[Any]:
    return await _plan(
        request,
        lambda rt, ctx, form: grids.rename_grid(rt, ctx, grid_id, text(form, "name")),
        f"grid-{grid_id}",
        _("The grid is renamed."),
    )


@post("/grids/{grid_id:uuid}/buildings", name="grids.add_building")
async def add_building(
    request: Request[Any, Any, Any], grid_id: FromPath[UUID], data: URLEncodedBody[BuildingForm]
) -> Response[Any]:
    return await _plan(
        request,
        lambda rt, ctx, form: grids.add_building(rt, ctx, grid_id, text(form, "building")),
        f"grid-{grid_id}",
        _("The building is in the grid; its new cases go to the grid's worker."),
    )


@post("/grids/buildings/move", name="grids.move_building")
async def move_building(request: Request[Any, Any, Any], data: URLEncodedBody[MoveForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        target = uuid_field(form, "to_grid_id", "Choose the grid.")
        return await grids.move_building(rt, ctx, text(form, "building"), target)

    return await _plan(request, run, "buildings", _("The building is moved to the other grid."))


@post("/grids/buildings/remove", name="grids.remove_building")
async def remove_building(request: Request[Any, Any, Any], data: URLEncodedBody[BuildingForm]) -> Response[Any]:
    return await _plan(
        request,
        lambda rt, ctx, form: grids.remove_building(rt, ctx, text(form, "building")),
        "buildings",
        _("The building is in no grid now: its new cases go to the clerks' queue."),
    )


@post("/grids/places", name="grids.place")
async def place(request: Request[Any, Any, Any], data: URLEncodedBody[PlaceForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        grid = optional_id(form, "grid_id", "Choose the grid.")
        return await grids.set_place(rt, ctx, text(form, "name"), grid)

    return await _plan(request, run, "places", _("The place is saved: residents may name it in a case."))


@post("/grids/{grid_id:uuid}/worker", name="grids.assign_worker")
async def assign_worker(
    request: Request[Any, Any, Any], grid_id: FromPath[UUID], data: URLEncodedBody[WorkerForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        worker = uuid_field(form, "resident_id", "Choose a resident with the grid worker role.")
        return await grids.assign_worker(rt, ctx, grid_id, worker)

    return await _plan(request, run, f"grid-{grid_id}", _("The grid worker is assigned."))


@post("/grids/{grid_id:uuid}/worker/unassign", name="grids.unassign_worker")
async def unassign_worker(
    request: Request[Any, Any, Any], grid_id: FromPath[UUID], data: URLEncodedBody[ReasonForm]
) -> Response[Any]:
    return await _plan(
        request,
        lambda rt, ctx, form: grids.unassign_worker(rt, ctx, grid_id, text(form, "reason")),
        f"grid-{grid_id}",
        _("The grid has no worker now: its new cases go to the clerks."),
    )


@post("/grids/heads", name="grids.assign_head")
async def assign_head(request: Request[Any, Any, Any], data: URLEncodedBody[HeadForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        head = uuid_field(form, "resident_id", "Choose a resident with the building head role.")
        return await grids.assign_head(rt, ctx, text(form, "building"), head)

    return await _plan(request, run, "buildings", _("The 楼长 is assigned."))


@post("/grids/heads/unassign", name="grids.unassign_head")
async def unassign_head(request: Request[Any, Any, Any], data: URLEncodedBody[UnassignForm]) -> Response[Any]:
    return await _plan(
        request,
        lambda rt, ctx, form: grids.unassign_head(rt, ctx, text(form, "building"), text(form, "reason")),
        "buildings",
        _("The building has no 楼长 now."),
    )


# -- the community's matter list ------------------------------------------------------------------------------------
async def _matters(request: Request[Any, Any, Any], run: Run, done: str) -> Response[Any]:
    user = await require(request, "matters.narrow")

    async def refused(error: DomainError, sent: Form) -> Template:
        return await show_matters(
            request, user, error_status(error), error=error_text(error), error_code=text(sent, "code")
        )

    return await act(request, user, run, then=MATTERS, refused=refused, done=done)


@get("/cases/matters", name="cases.matters")
async def matters_page(request: Request[Any, Any, Any]) -> Template:
    return await show_matters(request, await require(request, "matters.narrow"))


@post("/cases/matters/narrow", name="cases.narrow")
async def narrow(request: Request[Any, Any, Any], data: URLEncodedBody[NarrowForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        since = day_field(form, "effective_from", "Give the day it takes effect (YYYY-MM-DD).")
        grid = optional_id(form, "grid_id", "Choose the grid.")
        return await street.narrow_matter(rt, ctx, text(form, "code"), narrowing(form), since, grid)

    return await _matters(request, run, _("The community's matter list is narrowed from that day."))


@post("/cases/matters/lift", name="cases.lift")
async def lift(request: Request[Any, Any, Any], data: URLEncodedBody[LiftForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        since = day_field(form, "effective_from", "Give the day it takes effect (YYYY-MM-DD).")
        grid = optional_id(form, "grid_id", "Choose the grid.")
        return await street.lift_narrowing(rt, ctx, text(form, "code"), since, grid)

    return await _matters(request, run, _("The category reads as the street's again from that day."))


routes = [
    plan_page,
    draw,
    rename,
    add_building,
    move_building,
    remove_building,
    place,
    assign_worker,
    unassign_worker,
    assign_head,
    unassign_head,
    matters_page,
    narrow,
    lift,
]
