"""What a response promises about the connection it travels on. Behind TLS — the deployment's public URL is https,
or a proxy the deployment trusts forwarded the request as https (uvicorn then sets the scheme, see `linli serve`) —
every cookie the app sets (the session's, the CSRF token's) is marked Secure and the browser is told to use https
from now on (HSTS). Plain-http local use (a laptop, the tests) is left as it is.

An ASGI middleware, listed first, so that it sees the cookies the session and CSRF middlewares add on their way
out."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts of the domain are not ours to decide


class HttpsOnly:
    def __init__(self, app: ASGIApp, always: bool = False) -> None:
        self.app = app
        self.always = always  # LINLI_PUBLIC_URL is https: every request came over TLS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (self.always or scope.get("scheme") == "https"):
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                cookies = headers.getall("set-cookie", [])
                if cookies:
                    del headers["set-cookie"]
                    for cookie in cookies:
                        secure = any(part.strip().lower() == "secure" for part in cookie.split(";")[1:])
                        headers.add("set-cookie", cookie if secure else f"{cookie}; Secure")
                headers["strict-transport-security"] = HSTS
            await send(message)

        await self.app(scope, receive, secured)
