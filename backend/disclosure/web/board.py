"""The public board of 居务公开: filters, time travel, overdue markers; its pages kept for anonymous readers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from weakref import WeakKeyDictionary

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
from backend.web.kept import KEPT as KEPT_FOR_READER
from backend.web.pages import board_community, error_text, has_session, now, render, render_html, today
from projections.chain import keys, verification
from projections.disclosure import queries as views

PAGES_MAX = 100_000  # pages of the board (a page past the last one is empty)
# What every rendering of the board reads alike — the community, what is overdue today, the verification alarm, the
# latest checkpoint and its witnesses: eight statements — by projector, as of its position: all are views, so they
# change only when an event is projected (and the day is part of the overdue markers' key).
READ: WeakKeyDictionary[Any, tuple[int, dict[Any, Any]]] = WeakKeyDictionary()


# Signed-in readers' pages are kept for them (backend.web.kept), time travel included; anonymous readers' in KEPT.
@get("/board", name="disclosure.board", opt=KEPT_FOR_READER)
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
    user = await current_user(request)
    place = await _once(request, ("community", community or (user and user.community_id)), board_community, community)
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
    overdue = await _once(request, ("dues", place["id"], day), _overdue, place, day) if moment is None else []
    alarm = await _once(request, "alarm", lambda _: verification.alarm())
    record = await _once(request, "record", lambda _: keys.summary())
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
        board_alarm=alarm,  # the board says so while the record fails the server's check
        record=record,  # who witnessed the latest checkpoint, and the key to compare
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


async def _overdue(_: Any, place: dict[str, Any], day: Any) -> list[Any]:
    return [d for d in await views.dues(place, day) if d.overdue(day)]


async def _once(request: Request[Any, Any, Any], key: Any, read: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """`read(request, *args)`, read once per position of this process's projector (READ); without a projector here,
    every time. A value read while an event is being projected is kept under the position before it, which the
    next request no longer has: it reads again."""
    projector = request.app.state.runtime.projector
    if not projector.running:
        return await read(request, *args)
    position = projector.position
    known = READ.get(projector)
    if known is None or known[0] != position:
        known = READ[projector] = (position, {})
    if key not in known[1]:
        known[1][key] = await read(request, *args)
    return known[1][key]


async def _position(request: Request[Any, Any, Any]) -> int:
    """How far the views have read the log: this process's projector knows; otherwise the views say."""
    projector = request.app.state.runtime.projector
    return projector.position if projector.running else await views.position()


routes = [board]
