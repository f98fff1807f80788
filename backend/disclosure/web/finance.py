"""The finance book at the clerk's desk: entries recorded (with a voucher photo), corrected by new entries, and each
month reported as a draft notice."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Template

from backend.disclosure import commands
from backend.disclosure.domain.finance import FINANCE_CATEGORIES
from backend.disclosure.web.forms import CorrectionForm, EntryForm, ReportForm, entry_day, entry_values, photos
from backend.disclosure.web.views import finance_book
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.money import parse_yuan
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text
from backend.web.auth import require
from backend.web.pages import error_status, error_text, flash, render, today
from projections.disclosure import queries as views

BOOK = "/disclosure/finance"  # where the book's forms come back to


async def _finance(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "disclosure.write")
    rows = await views.entries(user.community_id)
    reports = await views.reported_months(user.community_id)
    day = today()
    return await render(
        request,
        "disclosure/finance.html",
        status_code=status_code,
        **finance_book(rows, reports, day),
        reports=reports,
        finance_categories=FINANCE_CATEGORIES,
        day=day,
        values=extra.pop("values", {"kind": "expense", "on": day.isoformat()}),
        **extra,
    )


@get("/disclosure/finance", name="disclosure.finance")
async def finance(request: Request[Any, Any, Any]) -> Template:
    return await _finance(request)


@post("/disclosure/finance/entries", name="disclosure.record", request_max_body_size=8 * 1024 * 1024)
async def record_entry(request: Request[Any, Any, Any], data: MultipartBody[EntryForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Any, form: Form) -> CommandResult:
        values = entry_values(form)
        on = entry_day(values)
        amount = parse_yuan(values["amount"])
        voucher = await photos(request, form)
        done = await commands.record_entry(
            rt,
            ctx,
            values["kind"],
            on,
            amount,
            values["category"],
            values["counterparty"],
            values["person"] == "1",
            voucher[0] if voucher else "",
        )
        # The message names the entry's number, which only the command knows.
        flash(request, _("Entry No. %(n)s is recorded.", n=done.result["number"]), "success")
        return done

    async def refused(error: DomainError, form: Form) -> Template:
        return await _finance(request, error_status(error), values=entry_values(form), entry_error=error_text(error))

    return await act(request, "disclosure.write", run, refused=refused, then=BOOK)


@post("/disclosure/finance/entries/{number:int}/correct", name="disclosure.correct")
async def correct_entry(
    request: Request[Any, Any, Any], number: FromPath[int], data: URLEncodedBody[CorrectionForm]
) -> Response[Any]:
    async def run(rt: Commands, ctx: Any, form: Form) -> CommandResult:
        amount = parse_yuan(text(form, "amount"))
        done = await commands.correct_entry(rt, ctx, number, amount, text(form, "reason"))
        # The message names the correction's number, which only the command knows.
        flash(
            request,
            _("Correction No. %(n)s is recorded; it goes into the next report.", n=done.result["number"]),
            "success",
        )
        return done

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _finance(request, error_status(error), correct_error=error_text(error), correcting=number)

    return await act(request, "disclosure.write", run, refused=refused, then=BOOK)


@post("/disclosure/finance/reports", name="disclosure.report")
async def report_month(request: Request[Any, Any, Any], data: URLEncodedBody[ReportForm]) -> Response[Any]:
    async def refused(error: DomainError, _form: Form) -> Template:
        return await _finance(request, error_status(error), report_error=error_text(error))

    return await act(
        request,
        "disclosure.write",
        lambda rt, ctx, form: commands.report_month(rt, ctx, text(form, "month")),
        refused=refused,
        done=_("The report is drafted: check it and send it to the supervisors."),
        then=lambda done: f"/disclosure/notices/{done.result['notice_id']}",
    )


routes = [finance, record_entry, correct_entry, report_month]
