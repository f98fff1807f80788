"""The clerk's desk of 社区动态: post an item, edit it (a new version), withdraw it with a reason, and see who has not
read an important notice, building by building, with names and rooms for the 楼长 (a staff page: names only here)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.news import commands
from backend.news.domain.item import CATEGORIES, TEXT_MAX, TITLE_MAX
from backend.news.web.forms import NewsForm, ReasonForm, draft_of, values_of
from backend.news.web.views import unread_by_building
from backend.web.act import Form, act, text
from backend.web.auth import require
from backend.web.pages import error_status, error_text, found, render, today
from projections.news import queries as news
from projections.news.queries import shown

LIMITS = {"title_max": TITLE_MAX, "text_max": TEXT_MAX, "categories": CATEGORIES}
UPLOAD_MAX = 6 * 1024 * 1024  # one photo of at most 5 MB and the form


async def _desk(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "news.write")
    day = today()
    return await render(
        request,
        "news/desk.html",
        status_code=status_code,
        items=[shown(r, day) for r in await news.recent(user.community_id)],
        values=extra.pop("values", {"category": "notice"}),
        **LIMITS,
        **extra,
    )


@get("/news/desk", name="news.desk")
async def desk(request: Request[Any, Any, Any]) -> Template:
    return await _desk(request)


@post("/news", name="news.post", request_max_body_size=UPLOAD_MAX)
async def post_item(request: Request[Any, Any, Any], data: MultipartBody[NewsForm]) -> Response[Any]:
    async def run(rt: Commands, ctx: Any, form: Form) -> CommandResult:
        return await commands.post(rt, ctx, await draft_of(request, form))

    async def refused(error: DomainError, form: Form) -> Template:
        return await _desk(request, error_status(error), values=values_of(form), post_error=error_text(error))

    return await act(
        request,
        "news.write",
        run,
        refused=refused,
        done=_("Posted. Residents see it in the community's news."),
        then=lambda done: f"/news/{done.result['news_id']}",
    )


async def _own(request: Request[Any, Any, Any], news_id: UUID) -> dict[str, Any]:
    user = await require(request, "news.write")
    row = found(await news.item(news_id), _("No such news item."))
    if str(row["community_id"]) != str(user.community_id):
        raise NotFoundException(_("No such news item."))
    return row


async def _edit(request: Request[Any, Any, Any], news_id: UUID, status_code: int = 200, **extra: Any) -> Template:
    row = await _own(request, news_id)
    values = extra.pop("values", None) or {
        **{k: row[k] for k in ("category", "title", "text", "pinned", "important")},
        "until": row["until"].isoformat() if row["until"] else "",
    }
    return await render(
        request, "news/edit.html", status_code=status_code, item=shown(row, today()), values=values, **LIMITS, **extra
    )


@get("/news/{news_id:uuid}/edit", name="news.edit_page")
async def edit_page(request: Request[Any, Any, Any], news_id: FromPath[UUID]) -> Template:
    return await _edit(request, news_id)


@post("/news/{news_id:uuid}/edit", name="news.edit", request_max_body_size=UPLOAD_MAX)
async def edit_item(
    request: Request[Any, Any, Any], news_id: FromPath[UUID], data: MultipartBody[NewsForm]
) -> Response[Any]:
    row = await _own(request, news_id)

    async def run(rt: Commands, ctx: Any, form: Form) -> CommandResult:
        return await commands.edit(rt, ctx, news_id, await draft_of(request, form, row["photo"]))

    async def refused(error: DomainError, form: Form) -> Template:
        return await _edit(request, news_id, error_status(error), values=values_of(form), edit_error=error_text(error))

    return await act(
        request,
        "news.write",
        run,
        refused=refused,
        done=_("Saved as a new version; the earlier ones stay in its history."),
        then=f"/news/{news_id}",
    )


@post("/news/{news_id:uuid}/withdraw", name="news.withdraw")
async def withdraw_item(
    request: Request[Any, Any, Any], news_id: FromPath[UUID], data: URLEncodedBody[ReasonForm]
) -> Response[Any]:
    await _own(request, news_id)

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _edit(request, news_id, error_status(error), withdraw_error=error_text(error))

    return await act(
        request,
        "news.write",
        lambda rt, ctx, form: commands.withdraw(rt, ctx, news_id, text(form, "reason")),
        refused=refused,
        done=_("Withdrawn. Its page says so, with your reason."),
        then=f"/news/{news_id}",
    )


@get("/news/{news_id:uuid}/unread", name="news.unread")
async def unread_page(request: Request[Any, Any, Any], news_id: FromPath[UUID]) -> Template:
    """Who has not read an important notice, by building: counts, and names with rooms."""
    row = await _own(request, news_id)
    if not row["important"]:
        raise NotFoundException(_("Only important notices are marked read."))
    personal = request.app.state.runtime.personal
    return await render(
        request,
        "news/unread.html",
        item=shown(row, today()),
        **await unread_by_building(personal, row["community_id"], news_id),
    )


routes = [desk, post_item, edit_page, edit_item, withdraw_item, unread_page]
