"""The public board of 居务公开: filters, time travel, overdue markers; its pages kept for anonymous readers."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime
from typing import Annotated, Any

from litestar import MediaType, Request, Response, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from backend.disclosure.domain.finance import month_bounds
from backend.disclosure.domain.notice import CATEGORIES
from backend.disclosure.domain.schedule import DUE_KINDS
from backend.disclosure.web.cards import AT, AT_QUERY, BODY, CARD_LIST, WHEN, cards, fill
from backend.disclosure.web.forms import Month, When, parse_moment
from backend.disclosure.web.kept import KEPT, board_key, keep
from backend.disclosure.web.shared import SHOWN, History, Kept, Shown, once
from backend.disclosure.web.views import by_notice
from backend.i18n import current_locale
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.web.act import query_of
from backend.web.auth import User, current_user
from backend.web.kept import KEPT as KEPT_FOR_READER
from backend.web.pages import (
    ALARMED,
    board_community,
    error_text,
    has_session,
    is_htmx,
    now,
    render,
    render_html,
    today,
)
from projections.chain import keys, verification
from projections.disclosure import queries as views
from projections.disclosure.queries import PAGE
from projections.inbox.queries import unread

PAGES_MAX = 100_000  # pages of the board (a page past the last one is empty)


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
    user = await current_user(request)
    anonymous = user is None and not (has_session(request) and request.session.get("flashes"))
    key = board_key(request.url.query, current_locale(), await _position(request)) if anonymous else None
    if key is not None and key in KEPT:
        KEPT.move_to_end(key)
        return Response(KEPT[key], media_type=MediaType.HTML)
    place = await once(request, ("community", community or (user and user.community_id)), board_community, community)
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
    filters = {"category": category, "month": month, "state": state_filter, "at": at}
    day = moment.date() if moment else today()
    body = await _body(request, place, moment, filters, _page(page), day, error)
    when = request.app.template_engine.engine.filters["local"](moment) if moment else ""
    shown = fill(body, at, when)  # the body as rendered, with the moment put in escaped
    if error or is_htmx(request) or (has_session(request) and request.session.get("flashes")):
        status = 422 if error else 200
        return await render(request, "disclosure/board.html", status_code=status, body=Markup(shown))
    before, after = await _frame(request, user)
    html = before + shown + after
    if key is not None:
        keep(key, html)
    return Response(html, media_type=MediaType.HTML)


def _page(asked: int) -> int:
    """The page of the board asked for, from 1; past PAGES_MAX (no board has that many) it is PAGES_MAX, which is as
    empty, where a number past 64 bits would not even go into the query."""
    return min(max(1, asked), PAGES_MAX)


async def _body(
    request: Request[Any, Any, Any],
    place: dict[str, Any],
    moment: datetime | None,
    filters: dict[str, str],
    page: int,
    day: date,
    error: str,
) -> str:
    """The board's body (disclosure/_board_body.html), as it is (`moment` None) or was at `moment`, filtered by
    `filters` as asked and paged, with cards.AT, AT_QUERY and WHEN where the moment asked for goes (cards.fill).

    The board as of a moment is the board as of the community's last change at or before it
    (projections.disclosure.queries.changes), so its cards are kept (SHOWN) by that change: every moment between two
    changes is one reading. Around the cards the body is the same for every change, moment and reader (the reader's
    own name, bell and CSRF token are in the page's frame, base.html): it is rendered once with cards.CARD_LIST in
    their place, and kept by what it shows (the filters as typed, the page, whether there are cards and more of
    them, the day and language). Without a projector here, read every time; a moment before the first change is
    read as asked, and a refused filter's page rendered as asked (nothing to share)."""
    projector = request.app.state.runtime.projector
    as_of, shared, kept, objected = moment, False, None, None
    if projector.running:
        shown = SHOWN.setdefault(projector, Shown())
        kept, shared = shown.at(projector.position), True  # what is read next is kept into this one
        if moment is not None:
            changes, objected = await once(request, ("changes", place["id"]), _changes, shown.changes, place["id"])
            epoch = bisect_right(changes, moment)  # how many changes were made by then
            as_of, shared = (changes[epoch - 1], True) if epoch else (moment, False)
    category, month, state = filters["category"], filters["month"], filters["state"]
    asked = (category if category in CATEGORIES else "", month, state if state in ("open", "archived") else "", page)
    cards_key = (place["id"], as_of, *asked, day, current_locale()) if shared else None
    found = await _cards(request, kept, cards_key, place["id"], (as_of, objected), moment is not None, asked, day)
    shape = (category, month, state, bool(filters["at"]), page, moment is not None, bool(found), len(found) == PAGE)
    key = (place["id"], *shape, day, current_locale())  # what the body shows besides the cards
    skeleton = kept.found("skeletons", key) if kept is not None and not error else None
    if skeleton is None:
        overdue = await once(request, ("dues", place["id"], day), _overdue, place, day) if moment is None else []
        skeleton = request.app.template_engine.engine.get_template("disclosure/_board_body.html").render(
            community=place,
            cards=CARD_LIST if found else "",  # the cards, newest first, go there
            older=len(found) == PAGE,  # a next page
            categories=CATEGORIES,
            due_kinds=DUE_KINDS,
            overdue=overdue,
            filters={**filters, "at": AT if filters["at"] else ""},
            at_query=AT_QUERY if filters["at"] else "",
            moment=moment,
            when=WHEN,
            page=page,
            board_error=error,
            board_alarm=await once(request, "alarm", lambda _: verification.alarm()),  # while the record fails
            record=await once(request, "record", lambda _: keys.summary()),  # the last checkpoint's witnesses, key
        )
        if kept is not None and not error:
            kept.keep("skeletons", key, skeleton)
    return skeleton.replace(CARD_LIST, "".join(found), 1)


async def _cards(
    request: Request[Any, Any, Any],
    kept: Kept | None,
    key: tuple[Any, ...] | None,
    place_id: Any,
    when: tuple[datetime | None, dict[str, list[tuple[datetime, datetime | None]]] | None],
    past: bool,
    asked: tuple[str, str, str, int],
    day: date,
) -> tuple[str, ...]:
    """The community's board's cards (backend.disclosure.web.cards) as of `when`'s moment (None: as it is), filtered
    and paged as `asked` (category, month, state, page); kept under `key` (by the change the board is as of) when
    there is one: the same cards for every spelling of the filters and every moment asked between two changes. The
    objections are counted from `when`'s times of the community's objections (queries.history) when known."""
    found = kept.found("cards", key) if kept is not None and key is not None else None
    if found is not None:
        return found
    (as_of, objected), (category, month, state, page) = when, asked
    rows = await views.board(place_id, as_of, category, month, state, day, page)
    if objected is not None and as_of is not None:
        times = [objected.get(str(r["notice_id"]), []) for r in rows]
        counted = [(sum(r <= as_of for r, _ in t), sum(a is not None and a <= as_of for _, a in t)) for t in times]
    else:
        mine = by_notice(await views.objections([r["notice_id"] for r in rows], as_of))
        counted = [_counted(mine.get(str(r["notice_id"]), [])) for r in rows]
    found = cards(request.app.template_engine, rows, counted, day, past=past)
    if kept is not None and key is not None:
        kept.keep("cards", key, found)
    return found


async def _frame(request: Request[Any, Any, Any], user: User | None) -> tuple[str, str]:
    """The page around the board's body (disclosure/board.html, base.html) for this reader, `user` (None: any
    anonymous reader), before and after the body: their name, bell, CSRF token and, for the staff who must act on
    it, the record's alarm; the same for every board they read, so kept (SHOWN) by all it is made of while the
    projector is where it was. A page that shows flashes is rendered whole instead (showing them takes them)."""
    projector = request.app.state.runtime.projector
    kept = SHOWN.setdefault(projector, Shown()).at(projector.position) if projector.running else None  # first
    bell = await once(request, ("bell", user.id), lambda _: unread(user.id)) if user else 0
    staff = user is not None and not ALARMED.isdisjoint(user.roles)
    alarm = await once(request, "alarm", lambda _: verification.alarm()) if staff else None
    csrf_token = ScopeState.from_scope(request.scope).csrf_token or "" if user else ""  # none on a shared page
    key = (user, bell, alarm is not None, csrf_token, current_locale())  # one alarm a position
    frame = kept.found("frames", key) if kept is not None else None
    if frame is not None:
        return frame
    page = render_html(
        request, "disclosure/board.html", csrf_token=csrf_token, bell=bell, record_alarm=alarm, body=BODY
    )
    before, _, after = page.partition(BODY)
    if kept is not None:
        kept.keep("frames", key, (before, after))
    return before, after


async def _changes(_: Any, known_changes: dict[Any, Any], community_id: Any) -> History:
    """The community's board's changes and its objections' times (queries.history), read again only when they grew
    (queries.changed): every event moves the projector, few change the board, and reading them all is ~50–100 ms
    for 10,000 notices."""
    counts = await views.changed(community_id)
    known = known_changes.get(community_id)
    if known is None or known[0] != counts:
        known = known_changes[community_id] = (counts, await views.history(community_id))  # counted first: never fewer
    return known[1]


def _counted(objections: list[dict[str, Any]]) -> tuple[int, int]:
    """How many objections, and how many of them answered (queries.objections: as of its moment)."""
    return len(objections), sum(1 for o in objections if o["answered_at"])


async def _overdue(_: Any, place: dict[str, Any], day: Any) -> list[Any]:
    return [d for d in await views.dues(place, day) if d.overdue(day)]


async def _position(request: Request[Any, Any, Any]) -> int:
    """How far the views have read the log: this process's projector knows; otherwise the views say."""
    projector = request.app.state.runtime.projector
    return projector.position if projector.running else await views.position()


routes = [board]
