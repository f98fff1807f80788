"""The public board of 居务公开: filters, time travel, overdue markers; its pages kept for anonymous readers."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import MediaType, Request, Response, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from backend.disclosure.domain.finance import month_bounds
from backend.disclosure.domain.notice import CATEGORIES
from backend.disclosure.domain.schedule import DUE_KINDS
from backend.disclosure.web.forms import Month, When, parse_moment
from backend.disclosure.web.kept import KEPT, board_key, keep
from backend.disclosure.web.views import KINDS, by_notice
from backend.i18n import current_locale
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.web.act import query_of
from backend.web.auth import current_user
from backend.web.pages import board_community, error_text, has_session, now, render, render_html, today
from projections.chain import keys, verification
from projections.disclosure import queries as views

PAGES_MAX = 100_000  # pages of the board (a page past the last one is empty)


@get("/board", name="disclosure.board")
async def board(
    request: Request[Any, Any, Any],
    community: FromQuery[str | None] = None,
    category: FromQuery[str] = "",
    month: Annotated[str, query_of(Month)] = "",
    state_filter: Annotated[str, QueryParameter(name="state")] = "",
    at: Annotated[str, query_of(When)] = "",
    page: FromQuery[int] = 1,
) -> Template | Response[Any]:
    anonymous = await current_user(request) is None and not (has_session(request) and request.session.get("flashes"))
    key = board_key(request.url.query, current_locale(), await _position(request)) if anonymous else None
    if key is not None and key in KEPT:
        KEPT.move_to_end(key)
        return Response(KEPT[key], media_type=MediaType.HTML)
    place = await board_community(request, community)
    error = ""
    try:
        moment = parse_moment(at)
        if month:
            month_bounds(month)
    except (DomainError, ValueError) as problem:
        moment, month = None, ""
        error = error_text(problem) if isinstance(problem, DomainError) else _("Give the month as YYYY-MM.")
    if moment is not None and moment > now():
        moment = None
    day = moment.date() if moment else today()
    rows = await views.board(
        place["id"],
        moment,
        category if category in CATEGORIES else "",
        month,
        state_filter if state_filter in ("open", "archived") else "",
        day,
        _page(page),
    )
    overdue = [d for d in await views.dues(place, day) if d.overdue(day)] if moment is None else []
    context = dict(
        community=place,
        notices=rows,
        objections=by_notice(await views.objections([r["notice_id"] for r in rows], moment)),
        categories=CATEGORIES,
        kinds=KINDS,
        due_kinds=DUE_KINDS,
        overdue=overdue,
        filters={"category": category, "month": month, "state": state_filter, "at": at},
        moment=moment,
        day=day,
        page=_page(page),
        board_error=error,
        board_alarm=await verification.alarm(),  # the board says so while the record fails the server's check
        record=await keys.summary(),  # who witnessed the latest checkpoint, and the key to compare
    )
    if key is None or error:
        return await render(request, "disclosure/board.html", status_code=422 if error else 200, **context)
    html = render_html(request, "disclosure/board.html", csrf_token="", bell=0, **context)
    keep(key, html)
    return Response(html, media_type=MediaType.HTML)


def _page(asked: int) -> int:
    """The page of the board asked for, from 1; past PAGES_MAX (no board has that many) it is PAGES_MAX, which is as
    empty, where a number past 64 bits would not even go into the query."""
    return min(max(1, asked), PAGES_MAX)


async def _position(request: Request[Any, Any, Any]) -> int:
    """How far the views have read the log: this process's projector knows; otherwise the views say."""
    projector = request.app.state.runtime.projector
    return projector.position if projector.running else await views.position()


routes = [board]
