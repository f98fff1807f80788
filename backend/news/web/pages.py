"""The public pages of 社区动态: the community's list (pinned first, then the newest; a category filter folded behind
one button; live when an item is posted), each item at its address (withdrawn and expired ones too, marked), and the
我已阅读 button of an important notice (htmx swaps the panel; without JavaScript a plain form and a redirect)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.news import commands
from backend.news.domain.item import CATEGORIES
from backend.web.act import FormBody
from backend.web.auth import ctx_for, current_user
from backend.web.live import stream
from backend.web.pages import (
    board_community,
    command_id_from,
    error_status,
    error_text,
    flash,
    found,
    is_htmx,
    now,
    redirect,
    render,
    today,
)
from projections.community import queries as communities
from projections.news import queries as news
from projections.news.queries import shown


@get("/news", name="news.list")
async def news_list(
    request: Request[Any, Any, Any],
    category: Annotated[str, QueryParameter(schema_extra={"enum": list(CATEGORIES)})] = "",
    community: FromQuery[str | None] = None,
) -> Template:
    place = await board_community(request, community)
    chosen = category if category in CATEGORIES else ""
    day = today()
    rows = await news.listed(place["id"], day, chosen)
    user = await current_user(request)
    return await render(
        request,
        "news/list.html",
        community=place,
        items=[shown(r, day) for r in rows],
        categories=CATEGORIES,
        category=chosen,
        writes=bool(user and user.can("news.write", place["id"])),
    )


async def _item_page(
    request: Request[Any, Any, Any],
    news_id: UUID,
    status_code: int = 200,
    template: str = "news/item.html",
    **extra: Any,
) -> Template:
    row = found(await news.item(news_id), _("No such news item."))
    user = await current_user(request)
    writes = bool(user and user.can("news.write", row["community_id"]))
    reads = bool(user and user.can("news.read", row["community_id"]))
    read_at = await news.read_at(news_id, user.id) if reads and user and row["important"] else None
    context: dict[str, Any] = {
        "item": shown(row, today()),
        "read_at": read_at,
        "may_read": reads and row["important"] and row["withdrawn_at"] is None,
        "writes": writes,
        **extra,
    }
    if template == "news/item.html":
        context["versions"] = await news.versions(news_id)
        context["readers"] = await news.readers(news_id) if writes and row["important"] else 0
    return await render(request, template, status_code=status_code, **context)


@get("/news/{news_id:uuid}", name="news.item")
async def item_page(request: Request[Any, Any, Any], news_id: FromPath[UUID]) -> Template:
    return await _item_page(request, news_id)


@post("/news/{news_id:uuid}/read", name="news.read")
async def mark_read(
    request: Request[Any, Any, Any], news_id: FromPath[UUID], data: URLEncodedBody[FormBody]
) -> Response[Any]:
    """我已阅读: recorded once; a second press (another phone, a double tap) finds it recorded and says so."""
    user = await current_user(request)
    if user is None:
        return redirect(f"/signin?next=/news/{news_id}")
    form = await request.form()
    error: DomainError | None = None
    try:
        await commands.read(request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), news_id)
    except DomainError as refused:
        if refused.status != 409 or refused.message != "You have marked this read already.":
            error = refused
    if is_htmx(request):
        status = error_status(error) if error else 200
        extra = {"read_error": error_text(error)} if error else {"read_at": now()}
        return await _item_page(request, news_id, status, "news/_read.html", **extra)
    if error is not None:
        return await _item_page(request, news_id, error_status(error), read_error=error_text(error))
    flash(request, _("Marked read. Thank you."), "success")
    return redirect(f"/news/{news_id}")


@websocket("/live/news/{community_id:uuid}", name="live.news")
async def news_live(
    socket: WebSocket[Any, Any, Any], community_id: FromPath[UUID], channels: NamedDependency[ChannelsPlugin]
) -> None:
    async def current() -> dict[str, Any] | None:
        return {} if await communities.by_id(community_id) else None

    await stream(socket, channels, news.news_channel(community_id), "news/_live.html", current)


routes = [news_list, item_page, mark_read, news_live]
