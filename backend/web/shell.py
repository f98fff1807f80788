"""The app's shell: health, PWA files, offline page, language switch, uploaded photos (the home: backend.home)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from backend.i18n import LOCALES
from backend.web.pages import STATIC_DIR, redirect, render, safe_next, static
from backend.web.photo_store import PUBLIC, PUBLIC_CACHE, serve_photo

PRECACHE = (
    "css/app.css",
    "js/app.js",
    "js/elder.js",
    "js/outbox.js",  # the offline outbox (issue 23): actions done offline are sent when the phone is back
    "js/read-aloud.js",  # read aloud (朗读) on notices, ballots and the home: offline too (issue 23)
    "js/verify.js",  # the proof verifier works offline: a QR scanned in airplane mode (issue 24)
    "vendor/htmx.min.js",
    "vendor/hx-ws.min.js",
    "icons/icon-192.png",
)


@get("/healthz", name="healthz", cache=False)
async def healthz(request: Request[Any, Any, Any]) -> dict[str, Any]:
    runtime = request.app.state.runtime
    events, positions, lags = await runtime.lags()
    # Which web process answered, and how far it knows the views to be (told by the first, if it is another one);
    # which process of which host runs the projector, and how many events each projection is behind the log.
    return {
        "status": "ok",
        "events": events,
        "projections": positions,
        "pid": os.getpid(),
        "seen": runtime.projector.position,
        "leader": await runtime.leader(),
        "lag": lags,
    }


@get("/manifest.webmanifest", name="manifest", media_type="application/manifest+json")
async def manifest(request: Request[Any, Any, Any]) -> Template:
    return Template(
        template_name="pwa/manifest.webmanifest", context={"static": static}, media_type="application/manifest+json"
    )


@get("/sw.js", name="service_worker", media_type="text/javascript")
async def service_worker() -> Template:
    precache = [static(p) for p in PRECACHE if (STATIC_DIR / p).exists()] + ["/offline", "/verify/proof"]
    version = hashlib.sha256("|".join(precache).encode()).hexdigest()[:12]
    return Template(
        template_name="pwa/sw.js",
        context={"version": version, "precache": precache},
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@get("/offline", name="offline")
async def offline(request: Request[Any, Any, Any]) -> Template:
    return await render(request, "offline.html")


@get("/lang/{code:str}", name="language")
async def language(code: FromPath[str], next: FromQuery[str | None] = None) -> Response[Any]:
    target = safe_next(next, "/")
    response = redirect(target)
    if code in LOCALES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


@get("/uploads/{name:str}", name="upload")
async def upload(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[Any]:
    """A public photo (a proposal's, a notice's, a news item's), from the data dir or PostgreSQL (photo_store)."""
    return await serve_photo(request, PUBLIC, name, PUBLIC_CACHE)


routes = [healthz, manifest, service_worker, offline, language, upload]
