"""Live updates: websocket topics fed by Litestar channels after the projector commits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from litestar import WebSocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect

from backend.i18n import current_locale, set_locale

log = logging.getLogger(__name__)

COALESCED = ("meeting:", "proposal:")  # their messages are whole states (a tally, a count): the newest says it all
COALESCE_SECONDS = 0.2
FRAMES_PER_SECOND = 2000  # a busy whole-state channel's frames to this process's phones; each is a system call


class Coalesce:
    """Publishes a whole-state channel's update at once when it has been quiet for the interval, otherwise keeps
    only the newest and publishes it when the interval is up: a burst of votes moves a tally watched by a thousand
    phones several times per batch, and each frame is a thousand sends. The interval is COALESCE_SECONDS, longer
    for a channel with a large audience, so that a burst writes about FRAMES_PER_SECOND frames to it."""

    def __init__(
        self,
        publish: Callable[[str, dict[str, Any]], None],
        interval: float = COALESCE_SECONDS,
        audience: Callable[[str], int] = lambda channel: 0,
    ) -> None:
        self.publish = publish
        self.interval = interval
        self.audience = audience
        self._last: dict[str, float] = {}
        self._newest: dict[str, dict[str, Any]] = {}

    def __call__(self, channel: str, payload: dict[str, Any]) -> None:
        if not channel.startswith(COALESCED):
            self.publish(channel, payload)
            return
        if channel in self._newest:  # a publication is due: it will carry this one
            self._newest[channel] = payload
            return
        loop = asyncio.get_running_loop()
        interval = max(self.interval, self.audience(channel) / FRAMES_PER_SECOND)
        wait = self._last.get(channel, -interval) + interval - loop.time()
        if wait <= 0:
            self._send(channel, payload, loop.time())
            return
        self._newest[channel] = payload
        loop.call_later(wait, self._due, channel)

    def _due(self, channel: str) -> None:
        self._send(channel, self._newest.pop(channel), asyncio.get_running_loop().time())

    def _send(self, channel: str, payload: dict[str, Any], now: float) -> None:
        if len(self._last) > 10_000:  # forget quiet channels
            self._last = {c: t for c, t in self._last.items() if now - t < 60}
        self._last[channel] = now
        self.publish(channel, payload)


@lru_cache(maxsize=1024)
def _rendered(fragment: Any, locale: str, message: str | bytes, context: tuple[tuple[str, Any], ...]) -> str:
    """One rendering per update, language and page, however many phones watch it (the locale is in the key)."""
    return fragment.render(**dict(context), **json.loads(message))


def origin_allowed(socket: WebSocket[Any, Any, Any]) -> bool:
    """CSRF does not cover websockets: accept only our own origin (or none, from non-browser clients)."""
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    host = socket.headers.get("host", "")
    return urlparse(origin).netloc == host


@dataclass(eq=False)
class Watcher:
    """One socket watching: its fragment, language and page context; what came before its first frame waits."""

    socket: WebSocket[Any, Any, Any]
    fragment: Any
    locale: str
    context: tuple[tuple[str, Any], ...]
    early: list[str | bytes] | None = field(default_factory=list)  # None once the current state has been sent

    async def send(self, message: str | bytes) -> None:
        if self.early is not None:
            self.early.append(message)
            return
        await self.socket.send_text(_rendered(self.fragment, self.locale, message, self.context))

    async def started(self) -> None:
        early, self.early = self.early or [], None
        for message in early:
            await self.send(message)


class Fanout:
    """The sockets of this process watching each channel, fed by one subscription per channel: an update is
    rendered once per page and language and written to every socket in one pass, not handed to a task per
    socket (a tally watched by a thousand phones)."""

    def __init__(self) -> None:
        # by plugin (one per app) and channel
        self._watchers: dict[tuple[ChannelsPlugin, str], set[Watcher]] = {}
        self._feeds: dict[tuple[ChannelsPlugin, str], tuple[asyncio.Task[None], asyncio.Event]] = {}

    def sockets(self) -> int:
        """How many of this process's sockets watch anything (/metrics)."""
        return len(set().union(*self._watchers.values()))

    def audience(self, channel: str) -> int:
        """How many of this process's sockets watch the channel."""
        return sum(len(watchers) for (_, watched), watchers in self._watchers.items() if watched == channel)

    @contextlib.asynccontextmanager
    async def watching(self, channels: ChannelsPlugin, listened: list[str], watcher: Watcher) -> AsyncIterator[None]:
        keys = [(channels, channel) for channel in listened]
        try:
            for key in keys:
                self._watchers.setdefault(key, set()).add(watcher)
                if key not in self._feeds or self._feeds[key][0].done():  # none yet, or its subscription ended
                    subscribed = asyncio.Event()
                    task = asyncio.get_running_loop().create_task(self._feed(key, subscribed), name=f"live {key[1]}")
                    self._feeds[key] = (task, subscribed)
                feed, subscribed = self._feeds[key]
                if not subscribed.is_set():  # no update is missed between reading the state and listening
                    waiting = asyncio.ensure_future(subscribed.wait())
                    await asyncio.wait({feed, waiting}, return_when=asyncio.FIRST_COMPLETED)
                    waiting.cancel()
                    if feed.done():
                        feed.result()  # the subscription failed: say why
            yield
        finally:
            for key in keys:
                watchers = self._watchers.get(key, set())
                watchers.discard(watcher)
                if not watchers:
                    self._watchers.pop(key, None)
                    stopped = self._feeds.pop(key, None)
                    if stopped is not None:
                        stopped[0].cancel()

    async def _feed(self, key: tuple[ChannelsPlugin, str], subscribed: asyncio.Event) -> None:
        channels, channel = key
        async with channels.start_subscription([channel]) as subscriber:
            subscribed.set()
            async for message in subscriber.iter_events():
                for watcher in list(self._watchers.get(key, ())):
                    try:
                        await watcher.send(message)
                    except Exception:  # gone: its own handler takes it out when it sees the disconnect
                        log.debug("live update to a closed socket on %s", channel)


FANOUT = Fanout()


async def stream(
    socket: WebSocket[Any, Any, Any],
    channels: ChannelsPlugin,
    channel: str | list[str],
    template: str,
    current: Callable[[], Awaitable[dict[str, Any] | None]],
    **context: Any,
) -> None:
    """Listen, send the current state at once (a phone back from the background catches up), then every update
    the projector publishes, until the client goes away."""
    if not origin_allowed(socket):
        await socket.close(code=4403, reason="origin not allowed")
        return
    set_locale(socket.cookies.get("lang", "zh"))
    await socket.accept()
    engine = socket.app.template_engine
    fragment = engine.get_template(template)  # type: ignore[union-attr]
    listened = [channel] if isinstance(channel, str) else channel
    watcher = Watcher(socket, fragment, current_locale(), tuple(sorted(context.items())))
    async with FANOUT.watching(channels, listened, watcher):
        now = await current()
        if now is None:
            await socket.close(code=4404, reason="not found")
            return
        await socket.send_text(fragment.render(**context, **now))
        await watcher.started()
        try:
            while True:
                await socket.receive_data(mode="text")
        except WebSocketDisconnect:
            pass
