"""The public board of 居务公开: filters, time travel, overdue markers; its pages kept for anonymous readers."""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any
from weakref import WeakKeyDictionary

from litestar import MediaType, Request, Response, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from backend.disclosure.domain.finance import month_bounds
from backend.disclosure.domain.notice import CATEGORIES
from backend.disclosure.domain.schedule import DUE_KINDS
from backend.disclosure.web.cards import cards, shown
from backend.disclosure.web.forms import Month, When, parse_moment
from backend.disclosure.web.kept import KEPT, board_key, keep
from backend.disclosure.web.views import by_notice
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
SHOWN_MAX = 4_096  # boards' cards kept (references to the cards in CARDS, mostly shared); the oldest go first


@dataclass
class Shown:
    """What this process's projector's boards share (by projector, like READ: one app's positions and communities
    are not another's): each community's board's changes with their counts when read (_changes), and the cards of
    the boards asked for as of the projector's `position` (dropped together when it moves, as READ's values), by
    community, the change the board is as of (None: as it is), filters and page, day and language (_cards)."""

    changes: dict[Any, tuple[tuple[int, ...], list[datetime]]] = field(default_factory=dict)
    position: int = -1
    cards: OrderedDict[tuple[Any, ...], tuple[str, ...]] = field(default_factory=OrderedDict)

    def cards_at(self, position: int) -> OrderedDict[tuple[Any, ...], tuple[str, ...]]:
        if position != self.position:
            self.position, self.cards = position, OrderedDict()
        return self.cards


SHOWN: WeakKeyDictionary[Any, Shown] = WeakKeyDictionary()


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
    shelf = category if category in CATEGORIES else ""
    state = state_filter if state_filter in ("open", "archived") else ""
    kept = await _cards(request, place, moment, (shelf, month, state, _page(page)), day)
    overdue = await _once(request, ("dues", place["id"], day), _overdue, place, day) if moment is None else []
    alarm = await _once(request, "alarm", lambda _: verification.alarm())
    record = await _once(request, "record", lambda _: keys.summary())
    context = dict(
        community=place,
        notices=shown(kept, at),  # the cards, newest first
        categories=CATEGORIES,
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


async def _cards(
    request: Request[Any, Any, Any],
    place: dict[str, Any],
    moment: datetime | None,
    asked: tuple[str, str, str, int],
    day: date,
) -> tuple[str, ...]:
    """The board's cards (backend.disclosure.web.cards), as it is (`moment` None) or was at `moment`, filtered and
    paged as `asked` (category, month, state, page). The board as of a moment is the board as of the community's last
    change at or before it (projections.disclosure.queries.changes): its cards are kept (SHOWN) by that change, so
    every moment between two changes is one reading and one rendering. Without a projector here, read every time;
    a moment before the first change is read as asked (nothing to share)."""
    projector = request.app.state.runtime.projector
    as_of, key, epoch = moment, None, 0
    if projector.running:
        shown_here = SHOWN.setdefault(projector, Shown())
        kept_cards = shown_here.cards_at(projector.position)  # kept into this one even if an event comes meanwhile
        if moment is not None:
            changes = await _once(request, ("changes", place["id"]), _changes, shown_here.changes, place["id"])
            epoch = bisect_right(changes, moment)  # how many changes were made by then
            as_of = changes[epoch - 1] if epoch else moment
        if moment is None or epoch:
            key = (place["id"], as_of, *asked, day, current_locale())
            if key in kept_cards:
                kept_cards.move_to_end(key)
                return kept_cards[key]
    category, month, state, page = asked
    rows = await views.board(place["id"], as_of, category, month, state, day, page)
    objections = by_notice(await views.objections([r["notice_id"] for r in rows], as_of))
    kept = cards(request.app.template_engine, rows, objections, day, past=moment is not None)
    if key is not None:
        kept_cards[key] = kept
        if len(kept_cards) > SHOWN_MAX:
            kept_cards.popitem(last=False)
    return kept


async def _changes(_: Any, known_changes: dict[Any, Any], community_id: Any) -> list[datetime]:
    """The community's board's changes (queries.changes), read again only when they grew (queries.changed): every
    event moves the projector, few change the board, and reading them all is ~50–100 ms for 10,000 notices."""
    counts = await views.changed(community_id)
    known = known_changes.get(community_id)
    if known is None or known[0] != counts:
        known = known_changes[community_id] = (counts, await views.changes(community_id))  # counted first: never fewer
    return known[1]


async def _overdue(_: Any, place: dict[str, Any], day: Any) -> list[Any]:
    return [d for d in await views.dues(place, day) if d.overdue(day)]


async def _once(request: Request[Any, Any, Any], key: Any, read: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """`read(request, *args)`, read once per position of this process's projector (READ); without a projector here,
    every time. A value read while an event is being projected is kept under the position before it, which the
    next request no longer has: it reads again. Requests that ask while it is being read wait for that reading (32
    readers' first time-travel pages would otherwise each read the board's changes); a reading that failed is
    forgotten, and a reader who goes away does not cancel it for the others."""
    projector = request.app.state.runtime.projector
    if not projector.running:
        return await read(request, *args)
    position = projector.position
    known = READ.get(projector)
    if known is None or known[0] != position:
        known = READ[projector] = (position, {})
    values = known[1]
    reading = values.get(key)
    if reading is None:
        reading = values[key] = asyncio.ensure_future(read(request, *args))
        reading.add_done_callback(lambda done: _forget_failed(values, key, done))
    return await asyncio.shield(reading)


def _forget_failed(values: dict[Any, Any], key: Any, done: asyncio.Future[Any]) -> None:
    if done.cancelled() or done.exception() is not None:
        values.pop(key, None)


async def _position(request: Request[Any, Any, Any]) -> int:
    """How far the views have read the log: this process's projector knows; otherwise the views say."""
    projector = request.app.state.runtime.projector
    return projector.position if projector.running else await views.position()


routes = [board]
