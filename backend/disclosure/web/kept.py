"""Board pages kept for anonymous readers, and `KeptBoard`, the middleware the app factory installs to send them."""

from __future__ import annotations

from collections import OrderedDict
from http.cookies import SimpleCookie
from typing import Any

from backend.i18n import DEFAULT_LOCALE, LOCALES
from backend.web.pages import today

KEPT_MAX = 500
# Board pages as anonymous readers see them, by community, query, language, day and the board's position in the
# log: the same page is served again until anything new is projected (most readers are not signed in).
KEPT: OrderedDict[tuple[Any, ...], str] = OrderedDict()


def board_key(query: str, locale: str, position: int) -> tuple[Any, ...]:
    return (query, locale if locale in LOCALES else DEFAULT_LOCALE, today(), position)


def keep(key: tuple[Any, ...], html: str) -> None:
    KEPT[key] = html
    if len(KEPT) > KEPT_MAX:
        KEPT.popitem(last=False)


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
