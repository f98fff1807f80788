"""Routes of 居务公开: the public board (filters, time travel, overdue markers, live), each notice with its versions,
objections and answers, its A4 print view and the verification of chain heads; exports and the open-data feed; the
clerk's desk (notices, finance book, monthly reports), the supervisors' review, and the street's overview."""

from __future__ import annotations

import csv
import io
import json
from collections import OrderedDict
from datetime import date, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Annotated, Any
from uuid import UUID

import segno
from litestar import MediaType, Request, Response, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template
from openpyxl import Workbook

from backend.disclosure import commands
from backend.disclosure.domain import CATEGORIES, FINANCE_CATEGORIES, Due, month_bounds, month_of, schedule
from backend.i18n import DEFAULT_LOCALE, LOCALES, N_, current_locale, speaking
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.money import parse_yuan, yuan
from backend.kernel.zone import LOCAL_ZONE
from backend.web.act import Form, act, text
from backend.web.auth import ctx_for, current_user, require
from backend.web.pages import (
    command_id_from,
    error_status,
    error_text,
    flash,
    found,
    has_session,
    now,
    redirect,
    render,
    render_html,
    today,
)
from backend.web.uploads import prepare_photo, store_photo
from projections import chain, residents
from projections import community as communities
from projections import deliberation as deliberation_views
from projections import disclosure as views

KINDS = {
    "notice": N_("Notice"),
    "finance_report": N_("Monthly finance report"),
    "honours": N_("Volunteer honours"),
    "service_rates": N_("Service rates"),
    "resolution": N_("Resolution (⑤)"),
    "result": N_("Implementation result (⑥)"),
}
STATES = {
    "draft": N_("Draft"),
    "in_review": N_("With the supervisors"),
    "approved": N_("Approved"),
    "published": N_("Published"),
}
DUE_KINDS = {"finance": N_("Finance report"), "general": N_("General disclosure"), "major": N_("Major matter")}
PHOTO_MAX_BYTES = 5 * 1024 * 1024
KEPT_MAX = 500
# Board pages as anonymous readers see them, by community, query, language, day and the board's position in the
# log: the same page is served again until anything new is projected (most readers are not signed in).
KEPT: OrderedDict[tuple[Any, ...], str] = OrderedDict()


def parse_moment(text: str) -> datetime | None:
    """ "2026-03-01 09:00" or "2026-03-01T09:00" (China time); a day alone is its end."""
    text = text.strip().replace("T", " ")
    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.max.time(), LOCAL_ZONE)
        return datetime.fromisoformat(text).replace(tzinfo=LOCAL_ZONE)
    except ValueError:
        raise DomainError("Give the moment as YYYY-MM-DD HH:MM.", "at") from None


async def _community(request: Request[Any, Any, Any], code: str | None) -> dict[str, Any]:
    from backend.deliberation.web import board_community

    return await board_community(request, code)


async def dues(community: dict[str, Any], on: date) -> list[Due]:
    """The disclosure schedule from the rulebook of the day: what fell due, and when it was done."""
    cid = community["id"]
    reports = await views.reported_months(cid)
    finance = {m: r["published_on"] for m, r in reports.items() if r["published_on"] is not None}
    return schedule(
        on,
        community.get("founded_on") or on,
        await communities.rule(cid, "finance_report_day", on),
        await communities.rule(cid, "general_disclosure_months", on),
        await communities.rule(cid, "major_disclosure_days", on),
        finance,
        await views.first_published(cid, ["affairs", "party"]),
        await deliberation_views.resolutions(cid),
    )


# -- the public board ---------------------------------------------------------------------------------------------
@get("/board", name="disclosure.board")
async def board(
    request: Request[Any, Any, Any],
    community: FromQuery[str | None] = None,
    category: FromQuery[str] = "",
    month: FromQuery[str] = "",
    state_filter: Annotated[str, QueryParameter(name="state")] = "",
    at: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Template | Response[Any]:
    anonymous = await current_user(request) is None and not (has_session(request) and request.session.get("flashes"))
    key = board_key(request.url.query, current_locale(), await _position(request)) if anonymous else None
    if key is not None and key in KEPT:
        KEPT.move_to_end(key)
        return Response(KEPT[key], media_type=MediaType.HTML)
    place = await _community(request, community)
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
        max(1, page),
    )
    overdue = [d for d in await dues(place, day) if d.overdue(day)] if moment is None else []
    context = dict(
        community=place,
        notices=rows,
        objections=_by_notice(await views.objections([r["notice_id"] for r in rows], moment)),
        categories=CATEGORIES,
        kinds=KINDS,
        due_kinds=DUE_KINDS,
        overdue=overdue,
        filters={"category": category, "month": month, "state": state_filter, "at": at},
        moment=moment,
        day=day,
        page=max(1, page),
        board_error=error,
    )
    if key is None or error:
        return await render(request, "disclosure/board.html", status_code=422 if error else 200, **context)
    html = render_html(request, "disclosure/board.html", csrf_token="", bell=0, **context)
    KEPT[key] = html
    if len(KEPT) > KEPT_MAX:
        KEPT.popitem(last=False)
    return Response(html, media_type=MediaType.HTML)


def board_key(query: str, locale: str, position: int) -> tuple[Any, ...]:
    return (query, locale if locale in LOCALES else DEFAULT_LOCALE, today(), position)


class KeptBoard:
    """ASGI middleware in front of the app: a board page kept for anonymous readers is sent straight away, before
    sessions, CSRF and routing (what a caching proxy would do); everything else goes on to the app."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(b"content-type", b"text/html; charset=utf-8")] + [
            (name.lower().encode(), value.encode()) for name, value in headers.items()
        ]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        page = self._kept(scope) if scope["type"] == "http" and scope["path"] == "/board" else None
        if page is None:
            await self.app(scope, receive, send)
            return
        body = page.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*self.headers, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _kept(scope: Any) -> str | None:
        if scope["method"] != "GET":
            return None
        cookies = SimpleCookie()
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookies.load(value.decode("latin-1"))
        if "linli_session" in cookies:
            return None
        projector = scope["app"].state.runtime.projector
        if not projector.running:
            return None
        lang = cookies["lang"].value if "lang" in cookies else DEFAULT_LOCALE
        return KEPT.get(board_key(scope["query_string"].decode("latin-1"), lang, projector.position))


async def _position(request: Request[Any, Any, Any]) -> int:
    """How far the views have read the log: this process's projector knows; otherwise the views say."""
    projector = request.app.state.runtime.projector
    return projector.position if projector.running else await views.position()


def _by_notice(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found_rows: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found_rows.setdefault(str(row["notice_id"]), []).append(row)
    return found_rows


async def _notice_page(
    request: Request[Any, Any, Any], notice_id: UUID, status_code: int = 200, at: str = "", **extra: Any
) -> Template:
    row = found(await views.notice(notice_id), _("No such notice."))
    user = await current_user(request)
    writes = user is not None and user.can("disclosure.write", row["community_id"])
    moment = parse_moment(at) if at else None
    history = await views.versions(notice_id, moment)
    if not history and not writes:
        raise NotFoundException(_("No such notice."))
    objections = await views.objections([notice_id], moment)
    current = history[-1] if history else None
    return await render(
        request,
        "disclosure/notice.html",
        status_code=status_code,
        notice=row,
        current=current,
        history=history,
        objections=objections,
        names=await residents.masked_names(o["resident_id"] for o in objections),
        categories=CATEGORIES,
        kinds=KINDS,
        writes=writes,
        may_object=bool(
            user
            and user.can("disclosure.object", row["community_id"])
            and current
            and row["matter_id"] is None
            and today() <= current["until"]
        ),
        moment=moment,
        day=today(),
        **extra,
    )


@get("/board/notices/{notice_id:uuid}", name="disclosure.notice")
async def notice_page(request: Request[Any, Any, Any], notice_id: FromPath[UUID], at: FromQuery[str] = "") -> Template:
    try:
        return await _notice_page(request, notice_id, at=at)
    except DomainError as error:
        return await _notice_page(request, notice_id, 422, notice_error=error_text(error))


@get("/board/notices/{notice_id:uuid}/print", name="disclosure.print")
async def print_view(request: Request[Any, Any, Any], notice_id: FromPath[UUID]) -> Template:
    row = found(await views.notice(notice_id), _("No such notice."))
    history = await views.versions(notice_id)
    if not history:
        raise NotFoundException(_("No such notice."))
    current = history[-1]
    base = str(request.base_url).rstrip("/")
    url = f"{base}/verify?head={current['chain_head']}"
    return await render(
        request,
        "disclosure/print.html",
        notice=row,
        current=current,
        community=await communities.by_id(row["community_id"]),
        categories=CATEGORIES,
        url=f"{base}/board/notices/{notice_id}",
        qr=segno.make(url, error="m").svg_inline(scale=3, title=_("Verify this notice")),
    )


@post("/board/notices/{notice_id:uuid}/objections", name="disclosure.object")
async def raise_objection(request: Request[Any, Any, Any], notice_id: FromPath[UUID]) -> Response[Any]:
    async def refused(error: DomainError, _: Form) -> Template:
        return await _notice_page(request, notice_id, error_status(error), object_error=error_text(error))

    return await act(
        request,
        "disclosure.object",
        lambda rt, ctx, form: commands.raise_objection(rt, ctx, notice_id, text(form, "reason")),
        refused=refused,
        done=_("Your objection is recorded; the committee must answer it by the date shown."),
        then=f"/board/notices/{notice_id}#objections",
    )


@post("/board/notices/{notice_id:uuid}/objections/{number:int}/answer", name="disclosure.answer")
async def answer_objection(
    request: Request[Any, Any, Any], notice_id: FromPath[UUID], number: FromPath[int]
) -> Response[Any]:
    async def refused(error: DomainError, _: Form) -> Template:
        return await _notice_page(request, notice_id, error_status(error), answer_error=error_text(error))

    return await act(
        request,
        "disclosure.write",
        lambda rt, ctx, form: commands.answer(rt, ctx, notice_id, number, text(form, "answer")),
        refused=refused,
        done=_("The answer is published under the notice."),
        then=f"/board/notices/{notice_id}#objections",
    )


# -- verification -------------------------------------------------------------------------------------------------
@get("/verify", name="disclosure.verify")
async def verify_page(
    request: Request[Any, Any, Any], head: FromQuery[str] = "", position: FromQuery[int] = 0
) -> Template:
    """A chain head (typed, or scanned from a poster's QR code) or an event's position: does the record still match?"""
    head = head.strip().lower()
    status, result = 200, None
    if position and not head:
        head = await chain.link_at(position) or ""
        if not head:
            status, result = 404, {"ok": False, "message": _("There is no event at this position.")}
    if head and result is None:
        at = await chain.position_of(head) if len(head) == 64 else None
        if at is None:
            status, result = (
                404,
                {"ok": False, "message": _("This chain head is not in the record: check the characters you typed.")},
            )
        else:
            verdict = await chain.verify(request.app.state.runtime.store, stop=at)
            ok = verdict.ok and verdict.head == head
            result = {
                "ok": ok,
                "position": at,
                "checked": verdict.checked,
                "first_bad": verdict.first_bad,
                "message": _("The record up to event #%(n)s matches this chain head.", n=at)
                if ok
                else _("The record does not match: event #%(n)s was altered or is missing.", n=verdict.first_bad or at),
                "notices": await views.notices_under(head),
            }
            status = 200 if ok else 409
    return await render(request, "disclosure/verify.html", status_code=status, head=head, result=result)


# -- exports and open data ---------------------------------------------------------------------------------------
def _notice_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            str(r["notice_id"]),
            r["version"],
            _(CATEGORIES[r["category"]]),
            r["title"],
            r["text"],
            r["published_on"].isoformat(),
            r["until"].isoformat(),
            r["chain_head"],
        ]
        for r in rows
    ]


def _entry_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            r["number"],
            r["dated"].isoformat(),
            _("Income") if r["kind"] == "income" else _("Expenses"),
            _(FINANCE_CATEGORIES[r["kind"]][r["category"]]),
            yuan(r["amount_fen"]) if r["amount_fen"] >= 0 else "-" + yuan(-r["amount_fen"]),
            r["counterparty"],
            r["corrects"] or "",
            r["reason"],
        ]
        for r in rows
    ]


NOTICE_HEADER = (
    N_("Notice"),
    N_("Version"),
    N_("Category"),
    N_("Title"),
    N_("Text"),
    N_("Published on"),
    N_("公示 until"),
    N_("Chain head"),
)
ENTRY_HEADER = (
    N_("No."),
    N_("Date"),
    N_("Income or expense"),
    N_("Category"),
    N_("Amount (yuan)"),
    N_("Counterparty"),
    N_("Corrects No."),
    N_("Reason"),
)


@get("/board/export/{what:str}", name="disclosure.export")
async def export(
    request: Request[Any, Any, Any], what: FromPath[str], community: FromQuery[str | None] = None
) -> Response[Any]:
    """notices.csv, notices.xlsx, finance.csv, finance.xlsx: what the board shows, for anyone."""
    place = await _community(request, community)
    name, _dot, fmt = what.partition(".")
    if name not in ("notices", "finance") or fmt not in ("csv", "xlsx"):
        raise NotFoundException()
    if name == "notices":
        header, rows = NOTICE_HEADER, _notice_rows(await views.whole_board(place["id"]))
    else:
        header, rows = ENTRY_HEADER, _entry_rows(await views.entries(place["id"]))
    labels = [_(h) for h in header]
    filename = f"{place['code']}-{name}.{fmt}"
    disposition = {"content-disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(labels)
        writer.writerows(rows)
        return Response(("\ufeff" + out.getvalue()).encode(), media_type="text/csv; charset=utf-8", headers=disposition)
    book = Workbook()
    sheet = book.active
    sheet.title = name
    sheet.append(labels)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return Response(
        data.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=disposition,
    )


@get("/board/open-data.json", name="disclosure.open_data")
async def open_data(request: Request[Any, Any, Any], community: FromQuery[str | None] = None) -> Response[Any]:
    """The open-data feed: every notice on the board (with its chain head) and every finance entry."""
    place = await _community(request, community)
    head_position, head = await chain.head()
    feed = {
        "community": {"code": place["code"], "name": place["name"]},
        "chain": {"position": head_position, "head": head},
        "notices": [
            {
                "id": str(r["notice_id"]),
                "version": r["version"],
                "category": r["category"],
                "kind": r["kind"],
                "title": r["title"],
                "text": r["text"],
                "published_on": r["published_on"].isoformat(),
                "until": r["until"].isoformat(),
                "position": r["position"],
                "chain_head": r["chain_head"],
            }
            for r in await views.whole_board(place["id"])
        ],
        "finance": [
            {
                "number": r["number"],
                "on": r["dated"].isoformat(),
                "kind": r["kind"],
                "category": r["category"],
                "amount_fen": r["amount_fen"],
                "counterparty": r["counterparty"],
                "corrects": r["corrects"] or None,
                "reason": r["reason"],
                "position": r["position"],
            }
            for r in await views.entries(place["id"])
        ],
    }
    return Response(json.dumps(feed, ensure_ascii=False).encode(), media_type="application/json; charset=utf-8")


# -- live -----------------------------------------------------------------------------------------------------------
@websocket("/live/board/{community_id:uuid}", name="live.board")
async def board_live(
    socket: WebSocket[Any, Any, Any], community_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    from backend.web.live import stream

    async def current() -> dict[str, Any] | None:
        return {} if await communities.by_id(community_id) else None

    await stream(socket, channels, views.board_channel(community_id), "disclosure/_live.html", current)


# -- the clerk's desk -----------------------------------------------------------------------------------------------
async def _desk(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "disclosure.write")
    place = found(await communities.by_id(user.community_id), _("No such community."))
    day = today()
    return await render(
        request,
        "disclosure/desk.html",
        status_code=status_code,
        community=place,
        drafts=await views.drafts(user.community_id),
        categories=CATEGORIES,
        kinds=KINDS,
        states=STATES,
        dues=[d for d in await dues(place, day) if d.done_on is None],
        due_kinds=DUE_KINDS,
        day=day,
        values=extra.pop("values", {}),
        **extra,
    )


@get("/disclosure", name="disclosure.desk")
async def desk(request: Request[Any, Any, Any]) -> Template:
    return await _desk(request)


async def _photos(request: Request[Any, Any, Any], form: Any) -> list[str]:
    """The attached photos, re-encoded without metadata and stored; their digests."""
    stored = []
    files = [f for f in form.getall("photos", []) if isinstance(f, UploadFile) and f.filename]
    if len(files) > 4:
        raise DomainError("At most 4 photos.", "photos")
    for upload in files:
        raw = await upload.read()
        if len(raw) > PHOTO_MAX_BYTES:
            raise DomainError("A photo may be at most 5 MB.", "photos")
        photo = prepare_photo(raw)
        store_photo(request.app.state.runtime.settings.uploads_dir, photo)
        stored.append(photo.name)
    return stored


@post("/disclosure/notices", name="disclosure.draft", request_max_body_size=24 * 1024 * 1024)
async def draft_notice(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require(request, "disclosure.write")
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("category", "title", "text")}
    try:
        photos = await _photos(request, form)
        done = await commands.draft(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            values["category"],
            values["title"],
            values["text"],
            photos,
        )
    except DomainError as error:
        return await _desk(request, error_status(error), values=values, draft_error=error_text(error))
    flash(request, _("The draft is saved. Send it to the supervisors when it is ready."), "success")
    return redirect(f"/disclosure/notices/{done.result['notice_id']}")


async def _edit(request: Request[Any, Any, Any], notice_id: UUID, status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "disclosure.write")
    row = found(await views.notice(notice_id), _("No such notice."))
    if str(row["community_id"]) != str(user.community_id):
        raise NotFoundException(_("No such notice."))
    return await render(
        request,
        "disclosure/edit.html",
        status_code=status_code,
        notice=row,
        history=await views.versions(notice_id),
        categories=CATEGORIES,
        kinds=KINDS,
        states=STATES,
        day=today(),
        review_required=await communities.rule(row["community_id"], "disclosure_review_required", today()) == 1,
        **extra,
    )


@get("/disclosure/notices/{notice_id:uuid}", name="disclosure.edit")
async def edit_page(request: Request[Any, Any, Any], notice_id: FromPath[UUID]) -> Template:
    return await _edit(request, notice_id)


async def _desk_step(request: Request[Any, Any, Any], notice_id: UUID, run: Any, success: str) -> Response[Any]:
    user = await require(request, "disclosure.write")
    form = await request.form()
    try:
        await run(request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), form)
    except DomainError as error:
        return await _edit(request, notice_id, error_status(error), edit_error=error_text(error))
    flash(request, _(success), "success")
    return redirect(f"/disclosure/notices/{notice_id}")


@post("/disclosure/notices/{notice_id:uuid}/revise", name="disclosure.revise")
async def revise(request: Request[Any, Any, Any], notice_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, form: Any) -> Any:
        return await commands.revise(
            rt, ctx, notice_id, str(form.get("title", "")), str(form.get("text", "")), str(form.get("reason", ""))
        )

    return await _desk_step(request, notice_id, run, N_("The draft is saved."))


@post("/disclosure/notices/{notice_id:uuid}/submit", name="disclosure.submit")
async def submit(request: Request[Any, Any, Any], notice_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, form: Any) -> Any:
        return await commands.submit(rt, ctx, notice_id)

    return await _desk_step(request, notice_id, run, N_("Sent to the supervisors for review."))


@post("/disclosure/notices/{notice_id:uuid}/publish", name="disclosure.publish")
async def publish(request: Request[Any, Any, Any], notice_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, form: Any) -> Any:
        return await commands.publish(rt, ctx, notice_id)

    return await _desk_step(request, notice_id, run, N_("Published on the board."))


# -- the finance book -------------------------------------------------------------------------------------------------
async def _finance(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "disclosure.write")
    rows = await views.entries(user.community_id)
    reports = await views.reported_months(user.community_id)
    day = today()
    first_month = min((r["dated"] for r in rows), default=day)
    months, month = [], date(first_month.year, first_month.month, 1)
    while month_bounds(month_of(month))[1] < day:
        if month_of(month) not in reports:
            months.append(month_of(month))
        month = (month + timedelta(days=32)).replace(day=1)
    balance = sum(r["amount_fen"] if r["kind"] == "income" else -r["amount_fen"] for r in rows)
    return await render(
        request,
        "disclosure/finance.html",
        status_code=status_code,
        entries=rows,
        amounts={
            r["number"]: sum(e["amount_fen"] for e in rows if r["number"] in (e["number"], e["corrects"]))
            for r in rows
            if not r["corrects"]
        },
        balance=balance,
        to_report=months,
        reports=reports,
        finance_categories=FINANCE_CATEGORIES,
        day=day,
        values=extra.pop("values", {"kind": "expense", "on": day.isoformat()}),
        **extra,
    )


@get("/disclosure/finance", name="disclosure.finance")
async def finance(request: Request[Any, Any, Any]) -> Template:
    return await _finance(request)


ENTRY_FIELDS = ("kind", "on", "amount", "category", "counterparty", "person")


@post("/disclosure/finance/entries", name="disclosure.record", request_max_body_size=8 * 1024 * 1024)
async def record_entry(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require(request, "disclosure.write")
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ENTRY_FIELDS}
    try:
        try:
            on = date.fromisoformat(values["on"])
        except ValueError:
            raise DomainError("Give the date (YYYY-MM-DD).", "on") from None
        amount = parse_yuan(values["amount"])
        voucher = await _photos(request, form)
        done = await commands.record_entry(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            values["kind"],
            on,
            amount,
            values["category"],
            values["counterparty"],
            values["person"] == "1",
            voucher[0] if voucher else "",
        )
    except DomainError as error:
        return await _finance(request, error_status(error), values=values, entry_error=error_text(error))
    flash(request, _("Entry No. %(n)s is recorded.", n=done.result["number"]), "success")
    return redirect("/disclosure/finance")


@post("/disclosure/finance/entries/{number:int}/correct", name="disclosure.correct")
async def correct_entry(request: Request[Any, Any, Any], number: FromPath[int]) -> Response[Any]:
    user = await require(request, "disclosure.write")
    form = await request.form()
    try:
        amount = parse_yuan(str(form.get("amount", "")))
        done = await commands.correct_entry(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            number,
            amount,
            str(form.get("reason", "")),
        )
    except DomainError as error:
        return await _finance(request, error_status(error), correct_error=error_text(error), correcting=number)
    flash(
        request,
        _("Correction No. %(n)s is recorded; it goes into the next report.", n=done.result["number"]),
        "success",
    )
    return redirect("/disclosure/finance")


@post("/disclosure/finance/reports", name="disclosure.report")
async def report_month(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require(request, "disclosure.write")
    form = await request.form()
    try:
        done = await commands.report_month(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), str(form.get("month", ""))
        )
    except DomainError as error:
        return await _finance(request, error_status(error), report_error=error_text(error))
    flash(request, _("The report is drafted: check it and send it to the supervisors."), "success")
    return redirect(f"/disclosure/notices/{done.result['notice_id']}")


@post("/disclosure/derived/{kind:str}", name="disclosure.derived")
async def draft_derived(request: Request[Any, Any, Any], kind: FromPath[str]) -> Response[Any]:
    """A draft notice from another context's views: last month's volunteer honours, or the services' rates."""
    user = await require(request, "disclosure.write")
    if kind not in ("honours", "service_rates"):
        raise NotFoundException()
    form = await request.form()
    title, text, period = await derived_text(user.community_id, kind)
    try:
        done = await commands.draft(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            "affairs",
            title,
            text,
            kind=kind,
            period=period,
        )
    except DomainError as error:
        return await _desk(request, error_status(error), draft_error=error_text(error))
    return redirect(f"/disclosure/notices/{done.result['notice_id']}")


async def derived_text(community_id: UUID, kind: str) -> tuple[str, str, str]:
    """A notice's title, text (in Chinese, as posted) and period, from the volunteering or the services views."""
    from backend.volunteering.web import hours, star_thresholds
    from projections import services as service_views
    from projections import volunteering as volunteering_views

    day = today()
    last = day.replace(day=1) - timedelta(days=1)
    period = month_of(last)
    with speaking("zh"):
        if kind == "honours":
            honours = await volunteering_views.honours(
                community_id, last.replace(day=1), await star_thresholds(community_id, day)
            )
            names = await residents.masked_names([v for v, _m in honours["month"]] + [v for _s, v in honours["stars"]])
            lines = [
                _("%(name)s: %(hours)s hours", name=names.get(str(v), ""), hours=hours(m)) for v, m in honours["month"]
            ]
            lines += [_("%(name)s reached %(n)s stars", name=names.get(str(v), ""), n=s) for s, v in honours["stars"]]
            title = _("Volunteer honours for %(month)s", month=period)
            return title, "\n".join(lines) or _("No volunteer agreed to be shown this month."), period
        rates = await service_views.rates(community_id, now())
        lines = []
        for service in await service_views.services(community_id):
            r = rates.get(str(service["id"]))
            if not r:
                continue
            shares = [
                f"{label} {value}%" if value is not None else f"{label} —"
                for label, value in (
                    (_("Response rate"), r["response"]),
                    (_("Completion rate"), r["completion"]),
                    (_("Satisfaction"), r["satisfaction"]),
                )
            ]
            lines.append(f"{service['name']}: " + "，".join(shares))
        title = _("Community services: response, completion and satisfaction up to %(day)s", day=day.isoformat())
        return title, "\n".join(lines) or _("No bookings yet."), period


# -- the supervisors ---------------------------------------------------------------------------------------------------
async def _review(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "disclosure.review")
    return await render(
        request,
        "disclosure/review.html",
        status_code=status_code,
        notices=await views.in_review(user.community_id),
        categories=CATEGORIES,
        kinds=KINDS,
        day=today(),
        **extra,
    )


@get("/review", name="disclosure.review")
async def review(request: Request[Any, Any, Any]) -> Template:
    return await _review(request)


@post("/review/{notice_id:uuid}/{decision:str}", name="disclosure.decide")
async def decide(request: Request[Any, Any, Any], notice_id: FromPath[UUID], decision: FromPath[str]) -> Response[Any]:
    user = await require(request, "disclosure.review")
    if decision not in ("approve", "return"):
        raise NotFoundException()
    form = await request.form()
    ctx = ctx_for(user, now(), command_id_from(form))
    try:
        if decision == "approve":
            await commands.approve(request.app.state.runtime, ctx, notice_id)
        else:
            await commands.return_draft(request.app.state.runtime, ctx, notice_id, str(form.get("reason", "")))
    except DomainError as error:
        return await _review(request, error_status(error), review_error=error_text(error))
    flash(
        request,
        _("Approved: the clerk may publish it.") if decision == "approve" else _("Returned to the clerk."),
        "success",
    )
    return redirect("/review")


# -- the street ------------------------------------------------------------------------------------------------------
async def street_rows(places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per community: overdue disclosures, open objections (and those past their answer date), mean answer days."""
    day = today()
    ids = [p["id"] for p in places]
    objections = await views.open_objections(ids)
    answer_days = await views.answer_days(ids)
    rows = []
    for place in places:
        mine = [o for o in objections if str(o["community_id"]) == str(place["id"])]
        rows.append(
            {
                "overdue": [d for d in await dues(place, day) if d.overdue(day)],
                "open_objections": len(mine),
                "late_answers": sum(1 for o in mine if o["answer_due"] < day),
                "answer_days": answer_days.get(str(place["id"])),
            }
        )
    return rows


routes = [
    board,
    notice_page,
    print_view,
    raise_objection,
    answer_objection,
    verify_page,
    export,
    open_data,
    board_live,
    desk,
    draft_notice,
    edit_page,
    revise,
    submit,
    publish,
    finance,
    record_entry,
    correct_entry,
    report_month,
    draft_derived,
    review,
    decide,
]
