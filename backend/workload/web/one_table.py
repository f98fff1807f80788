"""Routes of 一表通: the community's table for a month, a quarter or a year (`/one-table`), each figure with its
definition (口径) and a link to what it counts, checked (核对) and submitted (报送) by the clerk; the street's view of
all its communities side by side with the totals (`/street/one-table`), who submitted and when; and its workbook
(`/street/one-table.xlsx`). Every table names the log position and the chain head it was computed at.

Who sees what: a community's clerk its own table (and submits it); the street's operator any community of their
street (`?community=` its code) and the street's view; anyone else is refused (403)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Template

from backend.casework.domain.rules import street_key
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.web.act import Form, act, text
from backend.web.auth import User, require_signed_in
from backend.web.exports import XLSX
from backend.web.pages import error_status, error_text, now, render, today
from backend.workload.commands import one_table as commands
from backend.workload.domain.one_table import BY_KEY, Period, period, period_of, shown, value
from backend.workload.web.one_table_forms import SubmitTableForm
from backend.workload.web.one_table_views import computed, periods_before, place_view, workbook
from projections.community import queries as communities
from projections.workload.one_table import drill
from projections.workload.one_table.drill import DRILLS
from projections.workload.one_table.queries import window


def period_asked(text_given: str, kind: str = "") -> Period:
    """The period the query names; none: this month (or this quarter or year, as `kind` asks); else 400."""
    if not text_given.strip():
        return period_of(kind if kind in ("quarter", "year") else "month", today())
    try:
        return period(text_given)
    except ValueError:
        raise ClientException(_("Give the period as 2026-11, 2026-Q4 or 2026.")) from None


def _operates(user: User, street: str) -> bool:
    return bool(street) and any(user.can("street.oversee", street=s) for s in {street, street_key(street)})


async def _place(user: User, code: str) -> dict[str, Any]:
    """The community asked for (`code`), if the user may see its table; else their own, if its clerk."""
    if code:
        place = await communities.by_code(code)
        if place is None:
            raise NotFoundException(_("No such community."))
        if place["id"] == user.community_id and user.can("one_table.submit", place["id"]):
            return place
        if _operates(user, place.get("street") or ""):
            return place
        raise PermissionDeniedException()
    if not user.can("one_table.submit", user.community_id):
        raise PermissionDeniedException()
    place = await communities.by_id(user.community_id)
    if place is None:
        raise NotFoundException(_("No such community."))
    return place


async def _show(
    request: Request[Any, Any, Any], place: dict[str, Any], p: Period, status_code: int = 200, **extra: Any
) -> Template:
    user = await require_signed_in(request)
    found = await computed([place], p, now())
    mine = place["id"] == user.community_id and user.can("one_table.submit", place["id"])
    return await render(
        request,
        "workload/one_table.html",
        status_code=status_code,
        table=place_view(place, found),
        found=found,
        period=p,
        periods=periods_before(today()),
        may_submit=mine and today() >= p.start,
        asked_code=place["code"] if not mine else "",
        drillable=DRILLS,
        **extra,
    )


@get("/one-table", name="workload.one_table")
async def community_table(
    request: Request[Any, Any, Any], period: FromQuery[str] = "", community: FromQuery[str] = ""
) -> Template:
    user = await require_signed_in(request)
    return await _show(request, await _place(user, community.strip()), period_asked(period))


@get("/one-table/lines", name="workload.one_table_lines")
async def figure_lines(
    request: Request[Any, Any, Any],
    figure: FromQuery[str] = "",
    period: FromQuery[str] = "",
    community: FromQuery[str] = "",
) -> Template:
    """What one figure counts for a community and a period, line by line (the drill-down), beside the figure."""
    user = await require_signed_in(request)
    place = await _place(user, community.strip())
    if figure not in DRILLS:
        raise NotFoundException(_("This figure has no list of what it counts."))
    p = period_asked(period)
    lines = await drill.lines(figure, place["id"], window(p, now()))  # as many as the figure counts (tests hold it)
    if DRILLS[figure].personal and not (place["id"] == user.community_id and user.can("one_table.submit", place["id"])):
        lines = [{**line, "what": "", "href": ""} for line in lines]  # the street counts people, it does not list them
    return await render(
        request,
        "workload/one_table_lines.html",
        place=place,
        period=p,
        figure=BY_KEY[figure],
        shown=shown(value(BY_KEY[figure], {figure: len(lines)})),
        lines=lines,
        asked_code=place["code"] if community.strip() else "",
    )


@post("/one-table/submit", name="workload.one_table_submit")
async def submit_table(request: Request[Any, Any, Any], data: URLEncodedBody[SubmitTableForm]) -> Response[Any]:
    """The table is computed again here: what is submitted is what the record says now, and only if it is the table
    the clerk checked (the same log position); otherwise they are shown the newer one to check."""
    user = await require_signed_in(request)
    place = await _place(user, "")
    form = await request.form()
    try:  # a bad period is the form's error, said on the page (a query's is a 400: see period_asked)
        p, named = period_asked(text(form, "period")), True
    except ClientException:
        p, named = period_asked(""), False

    async def run(rt: Commands, ctx: Any, sent: Form) -> CommandResult:
        if not named:
            raise DomainError("Give the period as 2026-11, 2026-Q4 or 2026.", "period")
        found = await computed([place], p, now())
        if text(sent, "position") != str(found["position"]):
            raise DomainError("The record has moved on since you checked: check the figures again.", status=409)
        counts = found["counts"][str(place["id"])]
        checked = text(sent, "checked") == "yes"
        return await commands.submit(rt, ctx, p.name, found["position"], found["chain_head"], counts, checked)

    async def refused(error: DomainError, _sent: Form) -> Template:
        return await _show(request, place, p, error_status(error), submit_error=error_text(error))

    return await act(
        request,
        "one_table.submit",
        run,
        refused=refused,
        done=_("Submitted to the street, with the log position and chain head it was computed at."),
        then=f"/one-table?period={p.name}",
    )


async def _street(request: Request[Any, Any, Any], asked: str) -> tuple[str, list[dict[str, Any]]]:
    user = await require_signed_in(request)
    if not user.streets:
        raise PermissionDeniedException(_("You operate no street."))
    street = asked if asked in user.streets else user.streets[0]
    if not _operates(user, street):
        raise PermissionDeniedException()
    return street, await communities.in_streets(sorted({street, street_key(street)}))


@get("/street/one-table", name="workload.street_one_table")
async def street_table(
    request: Request[Any, Any, Any], period: FromQuery[str] = "", street: FromQuery[str] = ""
) -> Template:
    named, places = await _street(request, street)
    p = period_asked(period)
    found = await computed(places, p, now())
    return await render(
        request,
        "workload/street_one_table.html",
        street=named,
        period=p,
        periods=periods_before(today()),
        found=found,
        tables=[place_view(place, found) for place in places],
        totals=place_view(
            {"id": "totals", "name": _("Total"), "code": ""},
            found | {"counts": {"totals": found["totals"]}, "submissions": {}},
        ),
    )


@get("/street/one-table.xlsx", name="workload.street_one_table_xlsx")
async def street_workbook(
    request: Request[Any, Any, Any], period: FromQuery[str] = "", street: FromQuery[str] = ""
) -> Response[bytes]:
    named, places = await _street(request, street)
    p = period_asked(period)
    found = await computed(places, p, now())
    filename = f"one-table-{p.name}.xlsx"
    return Response(
        workbook(named, p, places, found, today()),
        media_type=XLSX,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


routes = [community_table, figure_lines, submit_table, street_table, street_workbook]
