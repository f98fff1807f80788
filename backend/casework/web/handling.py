"""Routes of those who handle cases (网格员, clerks): the grid worker's queue (overdue first, then by the next deadline,
live), and on a case: accept (the first wins: the others are told someone was first), downgrade "urgent" with a
reason, progress notes with photos, hand over with a reason, merge a duplicate, whistle (吹哨) to a department of the
street (the one the matter list names, or another the owner chooses), ask for more time, answer. The policy lets a
clerk or a grid worker in; the case itself decides whether it is theirs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Template

from backend.casework.commands import cases, whistles
from backend.casework.web.forms import (
    ExtensionForm,
    HandOverForm,
    MergeForm,
    NoteForm,
    PlainForm,
    ReasonForm,
    WhistleForm,
    stored_photos,
    whole,
)
from backend.casework.web.resident import UPLOAD_LIMIT, back_to_case
from backend.casework.web.views import case_page, queue_context
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, Run, act, text, uuid_field
from backend.web.auth import require
from backend.web.kept import KEPT
from backend.web.pages import render


@get("/grid", name="cases.queue", opt=KEPT)
async def queue(request: Request[Any, Any, Any]) -> Template:
    """The grid worker's queue (a clerk sees the clerks' desk instead, linked from here)."""
    user = await require(request, "case.handle")
    return await render(request, "casework/queue.html", **await queue_context(user))


@get("/grid/live", name="cases.queue_live", opt=KEPT)
async def queue_live(request: Request[Any, Any, Any]) -> Template:
    """The queue's list, fetched again when one of its cases moves (the websocket says so)."""
    user = await require(request, "case.handle")
    return await render(request, "casework/_queue.html", **await queue_context(user))


async def _handle(request: Request[Any, Any, Any], case_id: UUID, run: Run, form_name: str, done: str) -> Response[Any]:
    """A handler's step on the case; refused, the case's page again with the reason beside the form."""
    user = await require(request, "case.handle")
    await case_page(request, case_id)  # 404 for a case they may not see
    return await act(
        request, user, run, then=f"/cases/{case_id}", refused=back_to_case(request, case_id, form_name), done=done
    )


@post("/cases/{case_id:uuid}/accept", name="cases.accept")
async def accept(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[PlainForm]
) -> Response[Any]:
    return await _handle(
        request,
        case_id,
        lambda rt, ctx, form: cases.accept(rt, ctx, case_id),
        "accept",
        _("You accepted the case: it is yours until it is answered (首问负责)."),
    )


@post("/cases/{case_id:uuid}/downgrade", name="cases.downgrade")
async def downgrade(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[ReasonForm]
) -> Response[Any]:
    return await _handle(
        request,
        case_id,
        lambda rt, ctx, form: cases.downgrade(rt, ctx, case_id, text(form, "reason")),
        "downgrade",
        _("The case is no longer urgent; the resident sees why."),
    )


@post("/cases/{case_id:uuid}/note", name="cases.note", request_max_body_size=UPLOAD_LIMIT)
async def note(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: MultipartBody[NoteForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        if not text(form, "text").strip():  # before any photo is stored
            return await cases.add_note(rt, ctx, case_id, "")
        return await cases.add_note(rt, ctx, case_id, text(form, "text"), await stored_photos(rt, form))

    return await _handle(request, case_id, run, "note", _("The note is added."))


@post("/cases/{case_id:uuid}/hand-over", name="cases.hand_over")
async def hand_over(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[HandOverForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        colleague = uuid_field(form, "to_id", "Hand it to a grid worker or a clerk.")
        return await cases.hand_over(rt, ctx, case_id, colleague, text(form, "reason"))

    return await _handle(request, case_id, run, "hand_over", _("The case is handed over; it is your colleague's now."))


@post("/cases/{case_id:uuid}/merge", name="cases.merge")
async def merge(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[MergeForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        duplicate = uuid_field(form, "duplicate_id", "Choose the duplicate to merge.")
        return await cases.merge(rt, ctx, case_id, duplicate)

    return await _handle(
        request, case_id, run, "merge", _("The duplicate is merged: its residents follow this case now.")
    )


@post("/cases/{case_id:uuid}/whistle", name="cases.whistle")
async def whistle(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[WhistleForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        chosen = text(form, "department_id").strip()
        department = uuid_field(form, "department_id", "Choose a department of the street.") if chosen else None
        return await whistles.whistle(rt, ctx, case_id, text(form, "reason"), department)

    return await _handle(
        request,
        case_id,
        run,
        "whistle",
        _("Whistled (吹哨): the department must report in and answer; its answer comes back to you."),
    )


@post("/cases/{case_id:uuid}/extension", name="cases.extension")
async def extension(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[ExtensionForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        days = whole(form, "days", "Ask for a whole number of days.")
        return await cases.request_extension(rt, ctx, case_id, days, text(form, "reason"))

    return await _handle(request, case_id, run, "extension", _("Your request for more time goes to the clerk."))


@post("/cases/{case_id:uuid}/answer", name="cases.answer", request_max_body_size=UPLOAD_LIMIT)
async def answer(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], data: MultipartBody[NoteForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        if not text(form, "text").strip():  # before any photo is stored
            return await cases.answer(rt, ctx, case_id, "")
        return await cases.answer(rt, ctx, case_id, text(form, "text"), await stored_photos(rt, form))

    return await _handle(
        request, case_id, run, "answer", _("The answer is sent (办结); the residents are asked to rate it.")
    )


routes = [queue, queue_live, accept, downgrade, note, hand_over, merge, whistle, extension, answer]
