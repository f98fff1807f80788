"""Prometheus /metrics (issue 27), with Litestar's plugin: the request latency histogram of its middleware, and
gauges read at each scrape: events written (the log's head), each projection's lag behind it, the websockets
this process holds, and whether it runs the projector.

`linli serve` runs several web processes on one port, and a scrape reaches one of them: the request counts and
latencies and the websockets are that process's own (scrape each host's processes, or set
PROMETHEUS_MULTIPROC_DIR, which the plugin's controller then aggregates, for a host's sum); the events and the
lags are read from the database and are the same from any process of any host.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.config.app import AppConfig
from litestar.enums import ScopeType
from litestar.plugins import InitPluginProtocol
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import Gauge

from backend.web.live import FANOUT

PREFIX = "linli"
EVENTS = Gauge(f"{PREFIX}_events_written", "Events in the log (the position of its newest)")
LAG = Gauge(f"{PREFIX}_projector_lag_events", "Events the projection has still to apply", ["projection"])
LEADING = Gauge(f"{PREFIX}_projector_leading", "1 if this process runs the projector and the rounds")
SOCKETS = Gauge(f"{PREFIX}_websockets", "Websockets this process holds open for live updates")
SOCKETS.set_function(FANOUT.sockets)


class Scrape(PrometheusController):
    """The plugin's controller, with the database's figures read first."""

    @get(cache=False)
    async def get(self, request: Request[Any, Any, Any]) -> Response[Any]:  # type: ignore[override]
        runtime = request.app.state.runtime
        events, _, lags = await runtime.lags()
        EVENTS.set(events)
        for name, behind in lags.items():
            LAG.labels(projection=name).set(behind)
        LEADING.set(1 if runtime.leads else 0)
        return await PrometheusController.get.fn(self)  # type: ignore[no-any-return]


class Metrics(InitPluginProtocol):
    """Adds /metrics and the plugin's middleware (outermost, so that a request's time is all of it)."""

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        config = PrometheusConfig(
            app_name="linli",
            prefix=PREFIX,
            group_path=True,  # by route ("/proposals/{proposal_id:uuid}"), not one series per proposal
            scopes={ScopeType.HTTP},  # a websocket's lifetime is no request latency; SOCKETS counts them
            exclude=["^/metrics", "^/static"],
        )
        app_config.route_handlers.append(Scrape)
        app_config.middleware.insert(0, config.middleware)
        return app_config
