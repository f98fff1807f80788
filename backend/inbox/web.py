"""Routes of the inbox: the notifications page (opening it marks them read), turning Web Push on and off for a
phone, and the live bell."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.response import Template

from backend.i18n import gettext as _
from backend.inbox import commands
from backend.inbox.push import application_server_key
from backend.kernel.errors import DomainError
from backend.web.auth import ctx_for, current_user, require_signed_in
from backend.web.live import stream
from backend.web.pages import command_id_from, error_status, error_text, flash, now, redirect, render
from projections import inbox as views


@get("/inbox", name="inbox.page")
async def inbox_page(request: Request[Any, Any, Any]) -> Template:
    from backend.services.web import notification_text

    user = await require_signed_in(request)
    rows = await views.notifications(user.id)
    seen = await views.read_up_to(user.id)
    shown = []
    for row in rows:
        title, text, url = await notification_text(row)
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
async def mark_read(request: Request[Any, Any, Any]) -> Response[Any]:
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
async def subscribe(request: Request[Any, Any, Any]) -> Response[Any]:
    """A phone's push subscription (JSON from PushManager.subscribe, sent with the CSRF header)."""
    user = await require_signed_in(request)
    try:
        data = await request.json()
        keys = data.get("keys") or {}
        await commands.subscribe(
            request.app.state.runtime,
            ctx_for(user, now()),
            str(data.get("endpoint", "")),
            str(keys.get("p256dh", "")),
            str(keys.get("auth", "")),
        )
    except DomainError as error:
        return Response({"error": error_text(error)}, status_code=error_status(error))
    except (ValueError, AttributeError):
        return Response({"error": _("This is not a push subscription.")}, status_code=422)
    return Response({"ok": True}, status_code=201)


@post("/inbox/phones/off", name="inbox.unsubscribe")
async def unsubscribe(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require_signed_in(request)
    try:
        data = await request.json()
        await commands.unsubscribe(request.app.state.runtime, ctx_for(user, now()), user.id, str(data["endpoint"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return Response({"error": _("This is not a push subscription.")}, status_code=422)
    return Response({"ok": True})


@websocket("/live/bookings", name="live.bookings")
async def bookings_live(socket: WebSocket[Any, Any, Any], channels: NamedDependency[ChannelsPlugin]) -> None:
    """The signed-in resident's places on slots (a seat from the waitlist shows at once) and the bell's count."""
    from projections import services

    user = await current_user(socket)  # type: ignore[arg-type]
    if user is None:
        await socket.close(code=4401, reason="sign in")
        return

    async def current() -> dict[str, Any] | None:
        return {"unread": await views.unread(user.id)}

    await stream(
        socket,
        channels,
        [services.bookings_channel(user.id), views.bell_channel(user.id)],
        "services/_live_mine.html",
        current,
        live=True,
    )


routes = [inbox_page, mark_read, subscribe, unsubscribe, bookings_live]
