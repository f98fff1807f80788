"""Several web processes on one port (`LINLI_WORKERS`), one event loop per core.

The first process (the leader) runs the projector and the deadlines. The others (followers) run commands with
their own writer, as separate processes always could, and follow the leader over a Unix socket (the hub): they
tell it when they have saved, and after each projector step it tells them how far the views are, which residents'
status or roles changed (to forget their cached copies) and, on SQLite, the step's live updates for their own
websockets (on PostgreSQL those go over LISTEN/NOTIFY already).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from projections.residents.queries import RESIDENT_CHANNEL
from projections.runner import Projector
from projections.types import LiveMessage, Publish

log = logging.getLogger(__name__)

POKE = b"saved\n"
GC_THRESHOLD = (100_000, 50, 100)
RECONNECT_SECONDS = 0.2
STUCK_BYTES = 64 * 2**20  # a follower this far behind in reading the leader's lines is cut off


class Hub:
    """In the leader: a line per projector step to every follower, `[position, [[channel, payload], ...]]`; a
    follower's line says it saved events, which wakes the projector."""

    def __init__(self, path: str, projector: Projector, forward_messages: bool) -> None:
        self.path = path
        self.projector = projector
        self.forward_messages = forward_messages
        self._followers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        self._server = await asyncio.start_unix_server(self._follower, self.path)
        self.projector.stepped = self.stepped

    async def stop(self) -> None:
        self.projector.stepped = None
        if self._server is not None:
            self._server.close()
            for writer in list(self._followers):
                writer.close()
            self._server = None

    def stepped(self, position: int, messages: list[LiveMessage]) -> None:
        # The caches' channels go to every process; the phones' go over LISTEN/NOTIFY on PostgreSQL.
        line = self._line(position, [m for m in messages if self.forward_messages or m[0].startswith(RESIDENT_CHANNEL)])
        for writer in list(self._followers):
            if writer.is_closing() or writer.transport.get_write_buffer_size() > STUCK_BYTES:
                self._followers.discard(writer)  # gone, or not reading: it connects again and is told the position
                writer.close()
            else:
                writer.write(line)

    @staticmethod
    def _line(position: int, messages: list[LiveMessage]) -> bytes:
        return json.dumps([position, messages], separators=(",", ":"), default=str).encode() + b"\n"

    async def _follower(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(self._line(self.projector.position, []))  # where the views are, before any step
        self._followers.add(writer)
        try:
            while await reader.readline():
                self.projector.poke()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._followers.discard(writer)
            writer.close()


class Link:
    """In a follower: moves its projector's position and publishes the live updates as the leader's lines say, and
    tells the leader when its writer has saved."""

    def __init__(self, path: str, projector: Projector, publish: Publish | None) -> None:
        self.path = path
        self.projector = projector
        self.publish = publish
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.projector.follow()
        self._task = self._loop.create_task(self._run(), name="hub link")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def saved(self, _position: int | None = None) -> None:
        """Called from the writer thread after a save."""
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed
                self._loop.call_soon_threadsafe(self._poke)

    def _poke(self) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(POKE)

    async def _run(self) -> None:
        while True:
            try:
                reader, self._writer = await asyncio.open_unix_connection(self.path, limit=2**24)
            except OSError:  # the leader is starting, or restarting
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            try:
                while line := await reader.readline():
                    position, messages = json.loads(line)
                    await self.projector.advance(position)
                    await self._publish(messages)
            except (ConnectionError, ValueError):
                log.exception("the hub link broke; connecting again")
            finally:
                self._writer.close()
                self._writer = None
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _publish(self, messages: list[list[Any]]) -> None:
        if self.publish is None:
            return
        for channel, payload in messages:
            try:
                await self.publish(channel, payload)
            except Exception:  # live updates must never stop the link
                log.exception("publishing to %s failed", channel)


# -- the supervisor -------------------------------------------------------------------------------------------


def tune_gc() -> None:
    """A request allocates thousands of short-lived objects (events, rows, templates): collect the youngest
    generation less often than every 700 allocations, which under a burst of votes ran many times per request."""
    gc.set_threshold(*GC_THRESHOLD)


def _child(index: int, hub: str, config_kwargs: dict[str, Any], sockets: list[socket.socket]) -> None:
    import uvicorn

    os.environ["LINLI_HUB"] = hub
    os.environ["LINLI_LEADER"] = "1" if index == 0 else "0"
    parent = os.getppid()

    def orphaned() -> None:  # the supervisor was killed outright: do not go on serving alone
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=orphaned, name="supervisor watch", daemon=True).start()
    tune_gc()
    config = uvicorn.Config(**config_kwargs)
    config.configure_logging()
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=sockets)


def listening_sockets(workers: int, config_kwargs: dict[str, Any]) -> list[socket.socket]:
    """One listening socket per web process, all on the port (SO_REUSEPORT): the kernel spreads new connections
    over them evenly. With one socket shared, whichever process woke first often accepted every connection of a
    burst (wrk's 32, a balancer's keep-alive pool) and served them all alone while the other core idled: half the
    throughput in half the runs (issue 27). All are bound here, before any process starts, and closed together, so
    no connection reaches a socket nobody will accept on. The price: a process busy for a while (the leader catching
up a long way) keeps its share of new connections waiting while the others could take them. Without SO_REUSEPORT
(or on a Unix socket or a given fd): the one socket, shared."""
    import uvicorn

    config = uvicorn.Config(**config_kwargs)
    if not hasattr(socket, "SO_REUSEPORT") or config.uds or config.fd is not None:
        return [config.bind_socket()] * workers
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    # First the port alone, without SO_REUSEPORT: another server on it (an old instance still running, a second
    # deployment) refuses it as before ("address in use"), instead of silently sharing the connections with it.
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((config.host, config.port))
        port = probe.getsockname()[1]  # port 0: the one given
    found: list[socket.socket] = []
    try:
        for _ in range(workers):
            sock = socket.socket(family, socket.SOCK_STREAM)
            found.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((config.host, port))
            sock.listen(config.backlog)
            sock.set_inheritable(True)
    except OSError:
        for sock in found:
            sock.close()
        raise
    log.info("listening on %s:%s, a socket for each of %s processes", config.host, port, workers)
    return found


def serve_many(workers: int, config_kwargs: dict[str, Any]) -> int:
    """Bind the port and run `workers` uvicorn processes on it, the first the leader; stop them all on SIGTERM or
    SIGINT, or when any of them ends (a service manager restarts the whole)."""
    hub_dir = tempfile.mkdtemp(prefix="linli-")
    hub = str(Path(hub_dir) / "hub")
    try:
        sockets = listening_sockets(workers, config_kwargs)
    except OSError as error:  # as uvicorn says it for one process
        log.error("could not listen on %s:%s: %s", config_kwargs.get("host"), config_kwargs.get("port"), error)
        shutil.rmtree(hub_dir, ignore_errors=True)
        return 1
    spawn = multiprocessing.get_context("spawn")
    children = [
        spawn.Process(target=_child, args=(index, hub, config_kwargs, [sockets[index]]), name=f"linli-web-{index}")
        for index in range(workers)
    ]
    stopping = threading.Event()

    def stop(_signum: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for child in children:
            child.start()
        log.info("serving with %s processes", workers)
        while not stopping.is_set() and all(child.is_alive() for child in children):
            stopping.wait(0.5)
        failed = [child for child in children if not child.is_alive()]
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()  # SIGTERM: uvicorn shuts down gracefully
        for child in children:
            child.join(30)
            if child.is_alive():
                child.kill()
        for sock in sockets:
            sock.close()
        shutil.rmtree(hub_dir, ignore_errors=True)
    if failed and not stopping.is_set():
        log.error("%s ended (exit code %s); stopping the others", failed[0].name, failed[0].exitcode)
        return 1
    return 0
