"""Routes of the inbox: the notifications page (opening it marks them read), and turning Web Push on and off for a
phone; the resident's choices of notices (/me/notices) are in notices.py, the live bell in live.py."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import JSONBody, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.inbox import commands
from backend.inbox.push import application_server_key
from backend.inbox.texts import text_of
from backend.inbox.web import notices
from backend.inbox.web.forms import PushEndpoint, PushSubscription, ReadForm
from backend.kernel.errors import DomainError
from backend.web.auth import ctx_for, require_signed_in
from backend.web.pages import command_id_from, error_status, error_text, flash, now, redirect, render
from projections.inbox import queries as views


@get("/inbox", name="inbox.page")
async def inbox_page(request: Request[Any, Any, Any]) -> Template:
    user = await require_signed_in(request)
    rows = await views.notifications(user.id)
    seen = await views.read_up_to(user.id)
    shown = []
    for row in rows:
        title, text, url = await text_of(row)
        shown.append({**row, "title": title, "text": text, "url": url, "new": row["position"] > seen})
    return await render(
        request,
        "inbox/inbox.html",
        notifications=shown,
        newest=rows[0]["position"] if rows else 0,
        unread_now=sum(1 for r in shown if r["new"]),
        phones=len(await views.phones(user.id)),
        push_key=application_server_key(request.app.state.runtime),
    )


@post("/inbox/read", name="inbox.read")
async def mark_read(request: Request[Any, Any, Any], data: URLEncodedBody[ReadForm]) -> Response[Any]:
    user = await require_signed_in(request)
    form = await request.form()
    try:
        up_to = int(str(form.get("up_to", "0")))
        await commands.read(request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), up_to)
    except (ValueError, DomainError):
        pass  # nothing new: the page is already right
    else:
        flash(request, _("All notifications are marked read."), "success")
    return redirect("/inbox")


@post("/inbox/phones", name="inbox.subscribe")
async def subscribe(request: Request[Any, Any, Any], data: JSONBody[PushSubscription | None] = None) -> Response[Any]:
    """A phone's push subscription (JSON from PushManager.subscribe, sent with the CSRF header). A body that is not
    a JSON object is refused before the handler (400); an object without a subscription in it, here (422)."""
    user = await require_signed_in(request)
    if data is None:
        return Response({"error": _("This is not a push subscription.")}, status_code=422)
    try:
        await commands.subscribe(
            request.app.state.runtime,
            ctx_for(user, now()),
            str(data.endpoint),
            str(data.keys.p256dh),
            str(data.keys.auth),
        )
    except DomainError as error:
        return Response({"error": error_text(error)}, status_code=error_status(error))
    except ValueError:  # an endpoint that is no URL at all
        return Response({"error": _("This is not a push subscription.")}, status_code=422)
    return Response({"ok": True}, status_code=201)


@post("/inbox/phones/off", name="inbox.unsubscribe")
async def unsubscribe(request: Request[Any, Any, Any], data: JSONBody[PushEndpoint | None] = None) -> Response[Any]:
    user = await require_signed_in(request)
    if data is None or not data.endpoint:
        return Response({"error": _("This is not a push subscription.")}, status_code=422)
    await commands.unsubscribe(request.app.state.runtime, ctx_for(user, now()), user.id, str(data.endpoint))
    return Response({"ok": True})


routes = [inbox_page, mark_read, subscribe, unsubscribe, *notices.routes]
