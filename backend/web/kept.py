"""Pages kept for the one reader who asked for them: `KeptPages`, the middleware the app factory installs, and `KEPT`,
the route option that opts a page in (`@get(..., opt=KEPT)`).

A grid worker's phone asks for its queue again and again (after each case it opens, when it wakes, when the
websocket says a case moved); a street officer's dashboard is asked for by every officer, many times a day. Between
two events nothing on such a page can change but the clock, so the page rendered for this reader is sent again, from
in front of the session, CSRF and routing middleware, as long as:

- nothing new was projected in this process (the projector's position is part of the key: any event, whichever
  context, makes every kept page stale — a revoked role, a new notice for the bell, a case moved);
- it is the same minute (deadlines and "overdue" move with the clock; days and terms of office with it);
- the request is the same: path, query, the whole Cookie header (the session id, the CSRF cookie the page's token
  was made from, the language), Accept-Language and the htmx headers (a fragment is not the page);
- the reader's session is the one the page was rendered with (its file's inode, size and modification time; in a
  store that keeps no files, PostgreSQL or Redis, a digest of its value: a flash added, a sign-out, a renewed or
  expired-and-deleted session each change or remove it), and their "signed out everywhere" entry in the security
  store is unchanged.

A page is kept only when it answered 200 and rendering it changed nothing of the session (a page that took a flash
to show it could never be sent again: the session file it was rendered with is gone). Its Set-Cookie headers are
not kept: the session cookie's expiry is pushed forward by the first request of each minute, which goes to the app.
Requests for a page that is being rendered wait for that rendering instead of rendering it again.

Litestar's response cache (`@get(cache=...)`) is not used: it runs inside the app-level middleware, so every hit would
still load the session and build its cookie, which is most of what a signed-in page costs here (docs/BENCHMARKS.md,
"the signed-in floor"); and its key builder has no way to refuse a page whose rendering changed the session.

A route that opts in must not put anything made for one rendering into the page (a form's `command_id`: two
submissions from the same kept page would be taken for one)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from backend.web.auth import sessions_valid_from

KEPT = {"kept": True}  # a route's `opt`: its GET pages are kept for their reader
KEPT_BYTES = 64 * 1024 * 1024  # per process; the oldest pages go first
SESSION_COOKIE = "linli_session"
CSRF_COOKIE = "csrftoken"
_VARIES = (b"cookie", b"accept-language", b"hx-request", b"hx-target", b"hx-current-url")

Stamp = tuple[int, int, int] | None


@dataclass(frozen=True)
class Page:
    session: Stamp  # the session file as the page was rendered
    resident_id: str
    signed_out: Stamp  # the resident's "signed out everywhere" entry then (None: there was none)
    headers: list[tuple[bytes, bytes]]
    body: bytes


def stamp(path: os.PathLike[str] | str | None) -> Stamp:
    """What changes whenever the store rewrites the file (a new file renamed over it), or None: no file."""
    if path is None:
        return None
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


class KeptPages:
    """ASGI middleware (app level, before the sessions): sends a kept page, or lets the app render it and keeps it."""

    def __init__(self, app: Any, limit: int = KEPT_BYTES) -> None:
        self.app = app
        self.limit = limit
        self.pages: OrderedDict[tuple[Any, ...], Page] = OrderedDict()
        self.size = 0
        # Pages being rendered now: a phone that asks again before the first answer (a double tap, a burst after
        # an event) waits for it rather than rendering the same page once more.
        self.rendering: dict[tuple[Any, ...], asyncio.Event] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not _opted_in(scope):
            await self.app(scope, receive, send)
            return
        projector = scope["app"].state.runtime.projector
        key = _key(scope, projector.position) if projector.running else None
        session_id = _cookie(scope, SESSION_COOKIE) if key is not None else None
        if key is None or session_id is None or _cookie(scope, CSRF_COOKIE) is None:
            await self.app(scope, receive, send)
            return
        before, page = await self._checked(scope, key, session_id)
        rendering = self.rendering.get(key)
        if page is None and rendering is not None:
            await rendering.wait()  # the same page for the same reader is being rendered: one rendering for both
            page = await self._valid(scope, key, before)
        if page is not None:
            self.pages.move_to_end(key)
            await send({"type": "http.response.start", "status": 200, "headers": page.headers})
            await send({"type": "http.response.body", "body": page.body})
            return
        if key in self.rendering:
            await self._render(scope, receive, send, key, session_id, before)
            return
        self.rendering[key] = done = asyncio.Event()
        try:
            await self._render(scope, receive, send, key, session_id, before)
        finally:
            del self.rendering[key]
            done.set()

    async def _checked(self, scope: Any, key: tuple[Any, ...], session_id: str) -> tuple[Stamp, Page | None]:
        """The reader's session as it is now, and the page kept under `key` if it is still theirs. In a shared store
        the session and the sign-outs are read at once: one statement in PostgreSQL (backend.web.pg_store), not two
        round trips one after the other."""
        page = self.pages.get(key)
        if page is None:
            return await _stamp(scope, "sessions", session_id), None
        session, signed_out = await _both(
            scope, ("sessions", session_id), ("security", f"valid-from-{page.resident_id}")
        )
        if session is not None and page.session == session and page.signed_out == signed_out:
            return session, page
        return session, None

    async def _valid(self, scope: Any, key: tuple[Any, ...], session: Stamp) -> Page | None:
        """The page kept under `key`, if the reader's session and sign-outs are as they were when it was rendered."""
        page = self.pages.get(key)
        if (
            page is not None
            and session is not None
            and page.session == session
            and await _stamp(scope, "security", f"valid-from-{page.resident_id}") == page.signed_out
        ):
            return page
        return None

    async def _render(
        self, scope: Any, receive: Any, send: Any, key: tuple[Any, ...], session_id: str, before: Stamp
    ) -> None:
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keeping(message: Any) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keeping)
        session = scope.get("session")
        resident_id = session.get("resident_id") if isinstance(session, dict) else None
        if started.get("status") != 200 or not resident_id or before is None:
            return  # not a page for a signed-in reader
        after, signed_out = await _both(scope, ("sessions", session_id), ("security", f"valid-from-{resident_id}"))
        if after != before:
            return  # rendering it changed their session
        # Read after the stamp: a "sign out everywhere" that came while the page was rendered (after the app had
        # found the session valid) is in the stamp kept, so it alone would not make the page stale.
        if float(session.get("since", 0)) < await sessions_valid_from(scope["app"].stores.get("security"), resident_id):
            return  # signed out everywhere meanwhile
        headers = [(name, value) for name, value in started.get("headers", []) if name.lower() != b"set-cookie"]
        self._keep(key, Page(before, str(resident_id), signed_out, headers, b"".join(chunks)))

    def _keep(self, key: tuple[Any, ...], page: Page) -> None:
        old = self.pages.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        if len(page.body) > self.limit // 8:
            return  # one page must not push out everything else
        self.pages[key] = page
        self.size += len(page.body)
        while self.size > self.limit:
            self.size -= len(self.pages.popitem(last=False)[1].body)


async def _stamp(scope: Any, store: str, key: str) -> Stamp:
    """What changes whenever the app's store `store` changes `key`, or None: no such entry. A file store (one host,
    backend.web.stores): the file's stamp, a stat and no read. A store that keeps no files (PostgreSQL or Redis,
    shared by every host): a digest of the value, one read — a sign-out or a flash on another host changes it, and a
    read (one round trip with every other read of the same turn: backend.web.same_turn) costs far less than
    rendering the page again."""
    found = scope["app"].stores.get(store)
    path_from_key = getattr(found, "_path_from_key", None)
    if path_from_key is not None:
        return stamp(path_from_key(key))
    value = await found.get(key)
    if value is None:
        return None
    return 0, len(value), int.from_bytes(hashlib.blake2b(value, digest_size=8).digest(), "big")


async def _both(scope: Any, first: tuple[str, str], second: tuple[str, str]) -> tuple[Stamp, Stamp]:
    """Two entries' stamps (store, key): one after the other from files (a stat each, nothing to wait for), at
    once from a shared store."""
    if getattr(scope["app"].stores.get(first[0]), "_path_from_key", None) is not None:
        return await _stamp(scope, *first), await _stamp(scope, *second)
    found = await asyncio.gather(_stamp(scope, *first), _stamp(scope, *second))
    return found[0], found[1]


def _opted_in(scope: Any) -> bool:
    handler = scope.get("route_handler")
    return handler is not None and bool(handler.opt.get("kept"))


def _key(scope: Any, position: int) -> tuple[Any, ...]:
    varies = tuple((name, value) for name, value in scope["headers"] if name in _VARIES)
    return scope["path"], scope["query_string"], varies, position, int(time.time() // 60)


def _cookie(scope: Any, name: str) -> str | None:
    """One cookie's value from the request's Cookie headers (without parsing the others)."""
    prefix = name + "="
    for header, value in scope["headers"]:
        if header != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            part = part.strip()
            if part.startswith(prefix):
                return part[len(prefix) :].strip('"') or None
    return None
