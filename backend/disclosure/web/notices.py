"""A notice on the board: its versions, objections and answers (as of a moment, too), and its A4 print view with the
QR code that verifies it; residents object, the clerk answers."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.disclosure import commands
from backend.disclosure.domain.notice import CATEGORIES
from backend.disclosure.web.forms import AnswerForm, ReasonForm, When, parse_moment
from backend.disclosure.web.views import KINDS
from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.proofs import compact, to_text
from backend.news import commands as news_commands
from backend.web.act import Form, act, query_of, text
from backend.web.auth import User, ctx_for, current_user
from backend.web.pages import error_status, error_text, found, now, render, today
from projections.chain import keys, proofs
from projections.community import queries as communities
from projections.disclosure import queries as views
from projections.news import queries as news_views
from projections.residents import queries as residents


async def _opened(
    request: Request[Any, Any, Any], user: User, row: dict[str, Any], notice_id: UUID, until: date
) -> None:
    """A resident who opens a notice in its 公示 period has read it (issue 23: the home lists those they have not):
    recorded once, by 社区动态's reading mark; a reading already in the views costs no command."""
    if today() > until or not user.can("news.read", row["community_id"]):
        return
    if await news_views.read_at(notice_id, user.id) is None:
        with contextlib.suppress(DomainError):  # read meanwhile (another tab): recorded once all the same
            rt = request.app.state.runtime
            matter = UUID(str(row["matter_id"])) if row["matter_id"] else None  # asyncpg's own UUID type
            await news_commands.read_notice(rt, ctx_for(user, now()), notice_id, matter)


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
    if user and current and moment is None and status_code == 200:
        await _opened(request, user, row, notice_id, current["until"])
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
async def notice_page(
    request: Request[Any, Any, Any], notice_id: FromPath[UUID], at: Annotated[str, query_of(When)] = ""
) -> Template:
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
    # The QR carries the proof itself after the '#', which no server sees: the verifier page checks it in the
    # phone's browser, offline too. Before a checkpoint covers the notice, it carries the chain head to check online.
    proof = await proofs.proof_of(int(current["position"]))
    log_key = await keys.log_key()
    verdict = await proofs.verified(proof, log_key) if proof else None  # who witnessed it, among the known
    url = f"{base}/verify/proof#{compact(proof)}" if proof else f"{base}/verify?head={current['chain_head']}"
    return await render(
        request,
        "disclosure/print.html",
        notice=row,
        current=current,
        community=await communities.by_id(row["community_id"]),
        categories=CATEGORIES,
        url=f"{base}/board/notices/{notice_id}",
        qr_url=url,
        qr=segno.make(url, error="m").svg_inline(scale=2 if proof else 3, title=_("Verify this notice")),
        proof=to_text(proof) if proof else "",
        log_key=log_key,
        witnesses=list(verdict.witnesses) if verdict else [],
    )


@post("/board/notices/{notice_id:uuid}/objections", name="disclosure.object")
async def raise_objection(
    request: Request[Any, Any, Any], notice_id: FromPath[UUID], data: URLEncodedBody[ReasonForm]
) -> Response[Any]:
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
    request: Request[Any, Any, Any],
    notice_id: FromPath[UUID],
    number: FromPath[int],
    data: URLEncodedBody[AnswerForm],
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


routes = [notice_page, print_view, raise_objection, answer_objection]
