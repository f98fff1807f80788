"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig

from backend.casework.web import assisted as casework_assisted
from backend.casework.web import care as casework_care
from backend.casework.web import department as casework_department
from backend.casework.web import desk as casework_desk
from backend.casework.web import handling as casework_handling
from backend.casework.web import live as casework_live
from backend.casework.web import plan as casework_plan
from backend.casework.web import rates as casework_rates
from backend.casework.web import resident as casework_resident
from backend.casework.web import street as casework_street
from backend.casework.web import visits as casework_visits
from backend.config import Settings, load_settings
from backend.contexts import PASSES
from backend.deliberation.web import routes as deliberation_routes
from backend.disclosure.web import kept as disclosure_kept
from backend.disclosure.web import routes as disclosure_web
from backend.home.web import routes as home_routes
from backend.i18n import DEFAULT_LOCALE, gettext, ngettext, set_locale
from backend.inbox.web import live as inbox_live
from backend.inbox.web import routes as inbox_routes
from backend.kernel.changes import resident_changed
from backend.kernel.money import yuan
from backend.kernel.zone import LOCAL_ZONE
from backend.news.web import routes as news_routes
from backend.record.web import routes as record_routes
from backend.residents.web import access as residents_access
from backend.residents.web import desk as residents_desk
from backend.residents.web import households as residents_households
from backend.residents.web import me as residents_me
from backend.residents.web import registration as residents_registration
from backend.residents.web import resident_page as residents_resident_page
from backend.residents.web import signin as residents_signin
from backend.residents.web import street as residents_street
from backend.runtime import Runtime
from backend.services.web import bookings as services_bookings
from backend.services.web import catalog as services_catalog
from backend.services.web import live as services_live
from backend.services.web import provide as services_provide
from backend.services.web import views as services_views
from backend.volunteering.domain.hours import hours_text
from backend.volunteering.web import activities as volunteering_activities
from backend.volunteering.web import attendance as volunteering_attendance
from backend.volunteering.web import certificates as volunteering_certificates
from backend.volunteering.web import live as volunteering_live
from backend.volunteering.web import mine as volunteering_mine
from backend.volunteering.web import teams as volunteering_teams
from backend.web import idempotency, live, metrics, shell
from backend.web.act import FormFields
from backend.web.auth import keep_users_fresh
from backend.web.kept import KeptPages
from backend.web.lockout import SignInGuard
from backend.web.pages import STATIC_DIR, TEMPLATE_DIR, render_now, static
from backend.web.sessions import SessionConfig
from backend.web.stores import web_stores
from backend.web.transport import HttpsOnly
from backend.workload.web import routes as workload_routes
from projections.residents.queries import RESIDENT_CHANNEL

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self' ws: wss:; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=()",
}


def local_time(value: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Times are stored in UTC and shown in China Standard Time."""
    return value.astimezone(LOCAL_ZONE).strftime(fmt)


def template_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html", "xml", "webmanifest"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code; no stat() per render
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["static"] = static
    env.filters["local"] = local_time
    env.filters["epoch_local"] = lambda seconds: local_time(datetime.fromtimestamp(seconds, UTC), "%H:%M")
    env.filters["epoch_date"] = lambda seconds: local_time(datetime.fromtimestamp(seconds, UTC), "%Y-%m-%d %H:%M")
    env.filters["yuan"] = yuan
    env.globals["hours"] = hours_text  # volunteer minutes as hours, one decimal
    env.globals["booking_statuses"] = services_views.STATUS  # a booking's status, to translate
    return env


def channels_backend(settings: Settings) -> Any:
    if settings.is_postgres:
        from backend.web.pg_channels import PostgresChannels

        return PostgresChannels(pg_dsn=settings.pg_dsn())
    return MemoryChannelsBackend()


async def set_request_locale(request: Request[Any, Any, Any]) -> None:
    set_locale(request.cookies.get("lang", DEFAULT_LOCALE))


async def add_security_headers(response: Response[Any]) -> Response[Any]:  # async: a sync hook runs in a thread
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def wants_html(request: Request[Any, Any, Any]) -> bool:
    return "application/json" not in request.headers.get("accept", "") and not request.url.path.startswith(
        ("/healthz", "/schema")
    )


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if not wants_html(request):
        return Response({"status_code": exc.status_code, "detail": exc.detail}, status_code=exc.status_code)
    if exc.status_code == 401:
        return Redirect(path="/signin", query_params={"next": request.url.path}, status_code=303)
    if exc.status_code == 404:
        title, detail = gettext("Page not found"), gettext("The page you asked for does not exist.")
    elif exc.status_code == 429:
        title, detail = gettext("Too many attempts"), gettext("Please wait a minute and try again.")
    elif exc.status_code == 403:
        title, detail = (
            gettext("Not allowed"),
            gettext("The form expired or you may not do this. Please go back and try again."),
        )
    else:
        title, detail = gettext("Something is not right"), str(exc.detail)
    return render_now(request, "errors/error.html", status_code=exc.status_code, title=title, detail=detail)  # type: ignore[return-value]


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if not wants_html(request):
        return Response({"status_code": 500, "detail": "Internal Server Error"}, status_code=500)
    return render_now(  # type: ignore[return-value]
        request,
        "errors/error.html",
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        title=gettext("Something went wrong"),
        detail=gettext("Nothing was saved. Please try again in a moment."),
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    channels = ChannelsPlugin(backend=channels_backend(settings), arbitrary_channels_allowed=True)

    coalesced = live.Coalesce(
        lambda channel, payload: channels.publish(json.dumps(payload), [channel]), audience=live.FANOUT.audience
    )

    async def publish(channel: str, payload: dict[str, Any]) -> None:
        if channel.startswith(RESIDENT_CHANNEL):  # for this process's caches, not for phones
            resident_changed(UUID(channel.removeprefix(RESIDENT_CHANNEL)))
            return
        coalesced(channel, payload)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        runtime = Runtime(settings, publish=publish, passes=PASSES)
        app.state.runtime = runtime
        app.state.signin_guard = SignInGuard(app.stores.get("security"), secret)
        await runtime.start()
        fresh = asyncio.get_running_loop().create_task(keep_users_fresh(), name="signed-in residents")
        try:
            yield
        finally:
            fresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fresh
            await runtime.stop()

    env = template_environment()
    secret = settings.ensure_secret()

    return Litestar(
        route_handlers=[
            *shell.routes,
            *home_routes.routes,
            *residents_signin.routes,
            *residents_me.routes,
            *residents_registration.routes,
            *residents_desk.routes,
            *residents_resident_page.routes,
            *residents_households.routes,
            *residents_street.routes,
            *residents_access.routes,
            *casework_visits.routes,
            *casework_care.routes,
            *casework_resident.routes,
            *casework_assisted.routes,
            *casework_handling.routes,
            *casework_department.routes,
            *casework_desk.routes,
            *casework_plan.routes,
            *casework_street.routes,
            *casework_rates.routes,
            *deliberation_routes.routes,
            *volunteering_activities.routes,
            *volunteering_teams.routes,
            *volunteering_attendance.routes,
            *volunteering_mine.routes,
            *volunteering_certificates.routes,
            *services_bookings.routes,
            *services_provide.routes,
            *services_catalog.routes,
            *inbox_routes.routes,
            *inbox_live.routes,
            *disclosure_web.routes,
            *news_routes.routes,
            *workload_routes.routes,
            *record_routes.routes,
            *volunteering_live.routes,
            *services_live.routes,
            *casework_live.routes,
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                name="static",
                cache_control=CacheControlHeader(max_age=31536000, public=True),
                send_as_attachment=False,
            ),
        ],
        lifespan=[lifespan],
        plugins=[channels, FormFields(), idempotency.OutboxKeys(), metrics.Metrics()],  # forms, outbox keys, /metrics
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(env)),
        csrf_config=CSRFConfig(secret=secret, cookie_samesite="lax", cookie_httponly=False),
        middleware=[
            DefineMiddleware(HttpsOnly, always=settings.https_only),  # first: it sees every cookie set
            DefineMiddleware(disclosure_kept.KeptBoard, headers=SECURITY_HEADERS),
            DefineMiddleware(KeptPages),  # before the sessions: a kept page costs no session load (backend.web.kept)
            residents_signin.signin_rate_limit(settings.signin_per_minute).middleware,
            SessionConfig(
                store="sessions", key="linli_session", max_age=30 * 24 * 3600, samesite="lax", httponly=True
            ).middleware,
        ],
        stores=web_stores(settings),  # sessions, sign-in security and rates: files, PostgreSQL or Redis
        before_request=set_request_locale,
        after_request=add_security_headers,
        exception_handlers={HTTPException: http_error, Exception: server_error},
        openapi_config=OpenAPIConfig(title="Linli 邻里", version="0.1.0", path="/schema"),
        request_max_body_size=1024 * 1024,
        debug=False,
    )
