"""Idempotency keys for the offline outbox (issue 23 item 5, DESIGN 7): an action taken offline is sent when the phone
is back online, maybe more than once (two tabs, Background Sync racing an `online` handler, a reload); it must run
once, and every repeat must get the first answer.

The contract (frontend/static/js/outbox.js keeps it on the phone's side):

- Any POST (or PUT, PATCH, DELETE) from a signed-in resident may carry `Idempotency-Key: <8-100 of [A-Za-z0-9_-]>`
  (the outbox sends a UUID4). Another key is refused with 400. Visitors (no session): the header is ignored.
- Keys are kept per actor (the signed-in resident, whatever session or phone they use): the first request with a key
  runs and its answer is kept — status, headers (Location, HX-Redirect, HX-Trigger, HX-Location, Content-Type and
  the rest, but not Set-Cookie, Content-Length, Date, Server) and body (at most 64 KB; a longer body is not kept and
  a repeat gets the status and headers with an empty body). A later request of the same actor with the same key gets
  that answer again, with `Idempotent-Replay: true`, and the command does not run again. The same key from another
  resident is another key.
- A repeat that arrives while the first is still running waits up to 5 s for its answer and replays it; if the first
  is still running then, it answers 409 ("This action is still being sent…", with `Retry-After: 3`, which a
  command's own 409, e.g. "already co-signed", never has): send it again a little later.
- A key sent again with another method or path than its first use answers 422: a bug of the client, never the
  resident's.
- A first request that ends in a 5xx is not kept (a retry runs again); nor is one refused before its handler ran
  (the CSRF check, a body too large, a NUL character): a retry with a fresh CSRF token runs. Every other answer is
  kept and replayed, 4xx refusals included (the outbox shows what was refused: "the shift filled meanwhile").
- Keys are kept 7 days (then dropped, by the first keyed request of each hour in each process), in the views'
  database (backend.web.idempotency_keys), which every web process and every host reach.
- The body is read before the key is claimed, so "still running" means the command, not a slow upload; multipart
  forms (a proposal with photos) work as any other.

CSRF: the check compares the request's token (the `X-CSRFToken` header, else the form's `_csrf_token`) with the
`csrftoken` cookie, which is made once and kept until the browser drops it (it has no expiry). A stored form's token
therefore still passes while the cookie is the same. The cookie may be gone (the browser was closed, cookies
cleared): before sending its queue the outbox asks GET /me/csrf (no-store), which answers {"token": …, "signed_in":
…} and sets the cookie when it is missing, and sends each queued form with that token in the `X-CSRFToken` header
(the header wins over the stored field). `signed_in: false`: the session ended; nothing queued may be sent. `who`:
an opaque mark of the person signed in (User.outbox_owner, also on every page's body): an item queued by someone else
on a shared phone is dropped, not sent as this person."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import anyio
from litestar import Request, Response, get
from litestar.config.app import AppConfig
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, HTTPException
from litestar.plugins import InitPlugin
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from backend.i18n import DEFAULT_LOCALE, gettext, set_locale
from backend.web.auth import current_user
from backend.web.idempotency_keys import Kept, Keys
from backend.web.pages import render_now

log = logging.getLogger(__name__)

HEADER = b"idempotency-key"
KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_MAX = 64 * 1024  # an answer's body kept for its repeats, at most
WAIT_SECONDS = 5.0  # how long a repeat waits for the first request's answer before it says 409
RETRY_AFTER = 3  # seconds, on that 409
POLL_SECONDS = 0.1
CLEAN_EVERY = 3600  # seconds between two cleanups of expired keys in one process
NOT_KEPT = frozenset({b"set-cookie", b"content-length", b"date", b"server"})
_cleaned = {"at": 0.0}  # when this process last dropped the expired keys (a throttle, nothing more)


class Idempotency:
    """The middleware, after the app's own (`OutboxKeys`): inside the sessions (it needs the signed-in resident),
    outside the CSRF check and the handler (which it sees as one: it keeps what comes back, or lets a failure by)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = _header(scope) if scope["type"] == "http" and scope["method"] in UNSAFE else None
        if sent is None:
            await self.app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope, receive)
        user = await current_user(request)
        if user is None:  # a visitor: no one to keep the key for
            await self.app(scope, receive, send)
            return
        set_locale(request.cookies.get("lang", DEFAULT_LOCALE))  # (the app's hook setting it runs later)
        if not KEY.match(sent):
            raise ClientException(
                gettext("The Idempotency-Key header must be 8 to 100 letters, digits, hyphens or underscores.")
            )
        await _read_body(request)
        keys, actor = Keys(request.app.state.runtime.engine), str(user.id)
        now = time.time()
        if now - _cleaned["at"] >= CLEAN_EVERY:
            _cleaned["at"] = now
            await keys.forget_expired(int(now))
        token, kept = await _claim_or_wait(keys, actor, sent, scope["method"], scope["path"])
        if token is None:
            await (_replay(kept, send) if kept is not None else _still_running(request, send))
            return
        await _first(self.app, scope, receive, send, keys, (actor, sent, token))


def _header(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == HEADER:
            return value.decode("latin-1").strip()
    return None


async def _read_body(request: Request[Any, Any, Any]) -> None:
    """Read (and so keep, for the handler) the whole body before the key is claimed."""
    content_type, _ = request.content_type
    if content_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        await request.form()
    else:
        await request.body()


async def _claim_or_wait(keys: Keys, actor: str, key: str, method: str, path: str) -> tuple[str | None, Kept | None]:
    """(the claim token, the row) when this request runs the command; (None, the answered row) for a repeat;
    (None, None) when the first request is still running after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        token, found = await keys.claim(actor, key, method, path, int(time.time()))
        kept: Kept | None = found
        if found.method != method or found.path != path:
            raise HTTPException(
                status_code=422,
                detail=gettext(
                    "This idempotency key was first used for another action (%(first)s): a fault of the app, "
                    "not yours. Please reload the page and try again.",
                    first=f"{found.method} {found.path}",
                ),
            )
        while kept is not None and kept.pending and token is None and time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            kept = await keys.read(actor, key)
        if kept is None:  # the first one failed and gave the key up: this one runs (unless another was quicker)
            continue
        if token is not None or not kept.pending:
            return token, kept
        return None, None


async def _still_running(request: Request[Any, Any, Any], send: Send) -> None:
    """409, as the app's error pages say it (HTML, or JSON when asked), with Retry-After: the outbox tries later."""
    detail = gettext("This action is still being sent. Please wait a moment and look again.")
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    response: Response[Any]
    if "application/json" in request.headers.get("accept", ""):
        response = Response({"status_code": 409, "detail": detail}, status_code=409, headers=headers)
    else:
        title = gettext("Something is not right")
        response = render_now(request, "errors/error.html", status_code=409, title=title, detail=detail)
        response.headers.update(headers)
    await response.to_asgi_response(None, request)(request.scope, request.receive, send)


async def _replay(kept: Kept, send: Send) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in kept.headers]
    headers += [(b"content-length", str(len(kept.body)).encode()), (b"idempotent-replay", b"true")]
    await send({"type": "http.response.start", "status": kept.status, "headers": headers})
    await send({"type": "http.response.body", "body": kept.body, "more_body": False})


async def _first(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, keys: Keys, holder: tuple[str, str, str]
) -> None:
    """Run the request, keeping its answer (before its last part goes out: a repeat right after finds it)."""
    actor, key, token = holder
    status, size, settled = 0, 0, False
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def keeping(message: Message) -> None:
        nonlocal status, headers, size, settled
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers") or ())
        elif message["type"] == "http.response.body" and not settled:
            part = message.get("body", b"")
            size += len(part)
            if size <= BODY_MAX:
                chunks.append(part)
            if not message.get("more_body", False):
                settled = True
                await _settle(keys, holder, status, headers, b"".join(chunks) if size <= BODY_MAX else b"")
        await send(message)

    try:
        await app(scope, receive, keeping)
    finally:
        if not settled:  # refused before the handler (CSRF, too large), or failed: a retry may run
            with anyio.CancelScope(shield=True):
                await keys.release(actor, key, token)


async def _settle(
    keys: Keys, holder: tuple[str, str, str], status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    actor, key, token = holder
    try:
        with anyio.CancelScope(shield=True):
            if status >= 500:
                await keys.release(actor, key, token)
                return
            kept = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers if n.lower() not in NOT_KEPT]
            await keys.answer(actor, key, token, status, kept, body)
    except Exception:  # the answer still goes out; the claim ends as stale (STALE_SECONDS)
        log.exception("keeping the answer to an idempotency key failed")


@get("/me/csrf", name="me.csrf", cache=False)
async def csrf_token(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The CSRF token to send queued forms with (X-CSRFToken), and whether someone is signed in on this phone.
    The CSRF check sets the cookie on this answer when it is missing."""
    user = await current_user(request)
    token = ScopeState.from_scope(request.scope).csrf_token
    return Response(
        {"token": token if isinstance(token, str) else "", "signed_in": user is not None,
         "who": user.outbox_owner if user else ""},
        headers={"Cache-Control": "no-store"},
    )


class OutboxKeys(InitPlugin):
    """Installs the middleware (after the app's own, so inside the sessions) and GET /me/csrf: registered once, by
    the app factory."""

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.middleware = [*app_config.middleware, Idempotency]
        app_config.route_handlers = [*app_config.route_handlers, csrf_token]
        return app_config
