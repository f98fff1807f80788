"""One projector across hosts on PostgreSQL (issue 27): which process runs the projector and the deadline rounds.

Every process that would project (the only web process of a host, or the first of several; `linli projector`)
tries every LOCK_EVERY seconds to take a session-level advisory lock on a connection of its own. The holder leads:
it runs the projector and the rounds, and after each committed step NOTIFYs how far the views are (and which
residents changed, for the caches). The others follow: they LISTEN, move their projector's position (so that
`Runtime.execute(..., wait=True)` returns once the views show the event) and pass the position on to the web
processes of their host over the hub (backend.workers). Notifications can be missed (a connection broken and made
again): a follower also reads the stored positions whenever a second passes without one.

When the leader's process dies, its sockets close and PostgreSQL ends its session and frees the lock at once; the
next try of another host takes it (within LOCK_EVERY). When the leader's machine vanishes (power, network), no FIN
or RST arrives: the session's TCP keepalives (KEEPALIVE_OPTIONS, set on the server's side of this connection)
find it dead after about 1 + 2 × 1 s of silence, and tcp_user_timeout after 3 s of unacknowledged data. The
leader in turn checks its connection every LOCK_EVERY and steps down (stops the projector and the rounds at once)
when it breaks or does not answer within ALIVE_SECONDS.

Two leaders for a moment (a partitioned leader that has not yet noticed) are harmless, only wasteful: a batch is
applied once whoever tries it (the guarded positions, projections.runner.PositionConflict), and every pass of the
rounds runs its commands under deterministic command ids (backend.kernel.rounds.each_due and the passes' own ids
per target and minute), whose command records are unique in the log: a second leader making the same round finds
it done, so a reminder is still recorded and pushed once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import TupleRow

from backend.config import Settings
from projections.residents.queries import RESIDENT_CHANNEL
from projections.runner import ProjectionPosition, Projector
from projections.types import LiveMessage, Publish

log = logging.getLogger(__name__)

LOCK_EVERY = 1.0  # a follower tries the lock, a leader checks its connection, this often
ALIVE_SECONDS = 2.0  # a leader whose connection does not answer within this steps down
RECONNECT_SECONDS = 1.0
LEADER_POLL_SECONDS = 0.25  # a poke from another host (a NOTIFY) can be lost with its connection: look this often
NOTIFY_BYTES = 7000  # PostgreSQL refuses a payload of 8000 bytes or more
KEEPALIVE_OPTIONS = (
    "-c tcp_keepalives_idle=1 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=2 -c tcp_user_timeout=3000"
)

Relay = Callable[[int, list[LiveMessage]], None]


def lock_name(settings: Settings) -> str:
    return f"linli projector {settings.pg_schema}"


def channel_name(settings: Settings) -> str:
    return f"linli projected {settings.pg_schema}"


def saved_channel(settings: Settings) -> str:
    return f"linli saved {settings.pg_schema}"


def identity() -> str:
    """How this process is named in pg_stat_activity.application_name (at most 63 bytes): host and pid."""
    return f"linli {socket.gethostname()[:40]} {os.getpid()}"


class Leadership:
    """Leads (runs `lead`) while it holds the lock, follows (moves the projector's position) otherwise."""

    def __init__(
        self,
        settings: Settings,
        projector: Projector,
        lead: Callable[[], Awaitable[None]],
        step_down: Callable[[], Awaitable[None]],
        publish: Publish | None,
    ) -> None:
        self.settings = settings
        self.projector = projector
        self._lead = lead
        self._step_down = step_down
        self.publish = publish
        self.leading = False
        self._stopping = False  # stepping down for good: the lock is not taken again
        self._relay: Relay | None = None  # the hub's, to this host's other web processes
        self._told = 0  # the newest position stepped and not yet NOTIFYed
        self._changed: list[str] = []  # residents' channels stepped and not yet NOTIFYed
        self._stepped = asyncio.Event()
        self._saved = asyncio.Event()  # this host saved events: the leader is to be poked
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._pokes: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._relay = self.projector.stepped  # the hub's, set before (Runtime starts the hub first)
        self.projector.stepped = self._record
        self.projector.follow()
        self.projector.poked = self._poked
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run(), name="leadership")
        self._pokes = self._loop.create_task(self._run_pokes(), name="leadership pokes")

    async def stop(self) -> None:
        # Step down while still holding the lock, then let it go (closing the connection): no one takes over
        # while this process may still be finishing a step.
        self._stopping = True
        await self._lose()
        self.projector.poked = None
        for task in (self._task, self._pokes):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._pokes = None
        await self._lose()

    # -- the connection ------------------------------------------------------------------------------------------
    async def _connect(self) -> AsyncConnection[TupleRow]:
        pg = self.settings.pg_params()
        return await AsyncConnection.connect(
            host=pg["host"],
            port=int(pg["port"]),
            user=pg["user"],
            password=pg["password"] or None,
            dbname=pg["dbname"],
            autocommit=True,
            application_name=identity(),
            options=KEEPALIVE_OPTIONS,
            # the client's side too: a leader cut off from the database learns it from its own probes
            keepalives=1,
            keepalives_idle=1,
            keepalives_interval=1,
            keepalives_count=2,
            connect_timeout=3,
        )

    async def _run(self) -> None:
        while True:
            try:
                async with await self._connect() as conn:
                    await self._hold(conn)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the connection broke (or did not answer): the lock is let go with it
                log.warning("the leadership connection broke (%s); connecting again", error)
                await self._lose()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _hold(self, conn: AsyncConnection[TupleRow]) -> None:
        try:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel_name(self.settings))))
            while True:
                if self.leading:
                    await self._tell(conn)
                elif self._stopping:
                    await asyncio.sleep(LOCK_EVERY)
                elif await self._try(conn):
                    await self._take(conn)
                else:
                    await self._follow(conn)
        except Exception:
            await self._lose()  # before the connection closes and lets the lock go: no two leaders meanwhile
            raise

    async def _try(self, conn: AsyncConnection[TupleRow]) -> bool:
        cursor = await conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (lock_name(self.settings),))
        row = await cursor.fetchone()
        return bool(row and row[0])

    # -- leading -------------------------------------------------------------------------------------------------
    async def _take(self, conn: AsyncConnection[TupleRow]) -> None:
        log.info("leading: running the projector and the rounds (%s)", identity())
        # Its own notifications would pile up in the connection's queue, read by no one while it leads.
        await conn.execute(sql.SQL("UNLISTEN {}").format(sql.Identifier(channel_name(self.settings))))
        self.leading = True
        self.projector.poll_interval = min(self.projector.poll_interval, LEADER_POLL_SECONDS)
        await self._lead()

    async def _lose(self) -> None:
        if not self.leading:
            return
        self.leading = False
        await self._step_down()
        self.projector.follow()  # its waiters are kept; the next leader's notifications move it on
        log.info("no longer leading (%s)", identity())

    def _record(self, position: int, messages: list[LiveMessage]) -> None:
        """The projector's `stepped`: to this host's other processes at once, to the other hosts by NOTIFY."""
        if self._relay is not None:
            self._relay(position, messages)
        self._told = max(self._told, position)
        self._changed.extend(channel for channel, _ in messages if channel.startswith(RESIDENT_CHANNEL))
        self._stepped.set()

    async def _tell(self, conn: AsyncConnection[TupleRow]) -> None:
        """NOTIFY the newest position stepped (as soon as there is one), else check the connection answers."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(LOCK_EVERY):
                await self._stepped.wait()
        async with asyncio.timeout(ALIVE_SECONDS):
            if not self._stepped.is_set():
                await conn.execute("SELECT 1")
                return
            self._stepped.clear()
            position, changed, self._changed = self._told, self._changed, []
            for payload in _payloads(position, changed):
                await conn.execute("SELECT pg_notify(%s, %s)", (channel_name(self.settings), payload))

    # -- following -----------------------------------------------------------------------------------------------
    async def _follow(self, conn: AsyncConnection[TupleRow]) -> None:
        """Until the next try of the lock: move on as the leader's notifications say, or as the stored positions
        say when none came."""
        heard = False
        async for notice in conn.notifies(timeout=LOCK_EVERY):
            heard = True
            position, changed = json.loads(notice.payload)
            await self._followed(int(position), [[channel, {}] for channel in changed])
        if not heard:
            positions = await self.projector.positions()
            await self._followed(min(positions.values(), default=0), [])

    async def _followed(self, position: int, messages: list[LiveMessage]) -> None:
        if position <= self.projector.position and not messages:
            return  # nothing new (the stored positions, read when no notification came)
        await self.projector.advance(position)
        if self._relay is not None:
            self._relay(position, messages)
        if self.publish is not None:
            for channel, payload in messages:  # this process's caches of the residents named
                await self.publish(channel, payload)

    # -- pokes ---------------------------------------------------------------------------------------------------
    # A save wakes the projector of its own host at once (backend.workers); one on another host reaches the leader
    # as a NOTIFY on a second connection (the first is busy listening for positions), at most one in flight.
    def _poked(self) -> None:
        """The projector's `poked`, from any thread: this host saved events."""
        if not self.leading and self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed
                self._loop.call_soon_threadsafe(self._saved.set)

    async def _run_pokes(self) -> None:
        while True:
            try:
                async with await self._connect() as conn:
                    await self._poke_or_listen(conn)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("the pokes' connection broke (%s); connecting again", error)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _poke_or_listen(self, conn: AsyncConnection[TupleRow]) -> None:
        listen = sql.SQL("LISTEN {}").format(sql.Identifier(saved_channel(self.settings)))
        unlisten = sql.SQL("UNLISTEN {}").format(sql.Identifier(saved_channel(self.settings)))
        listening = False
        while True:
            if self.leading:  # wake the projector when another host saved
                if not listening:
                    await conn.execute(listen)
                    listening = True
                async for _ in conn.notifies(timeout=LOCK_EVERY):
                    self.projector.poke()
                continue
            if listening:  # a follower reads no pokes: they would pile up
                await conn.execute(unlisten)
                listening = False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LOCK_EVERY):
                    await self._saved.wait()
            if self._saved.is_set() and not self.leading:
                self._saved.clear()
                await conn.execute("SELECT pg_notify(%s, '')", (saved_channel(self.settings),))


def _payloads(position: int, changed: list[str]) -> list[str]:
    """`[position, [resident channel, ...]]` in pieces under PostgreSQL's limit, the position in each."""
    pieces: list[list[str]] = [[]]
    size = 0
    for channel in dict.fromkeys(changed):
        if size + len(channel) + 4 > NOTIFY_BYTES:
            pieces.append([])
            size = 0
        pieces[-1].append(channel)
        size += len(channel) + 4
    return [json.dumps([position, piece], separators=(",", ":")) for piece in pieces]


async def leader(settings: Settings, here: bool) -> dict[str, Any] | None:
    """Who runs the projector now: host and pid. On PostgreSQL the lock's holder (from its application_name), None
    when nobody holds it; on SQLite (one host) this host, and this process if it projects (`here`)."""
    if not settings.is_postgres:
        return {"host": socket.gethostname(), "pid": os.getpid() if here else None}
    rows = await ProjectionPosition.raw(
        "SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext({})::bigint",
        lock_name(settings),
    )
    if not rows:
        return None
    _, host, pid = [*str(rows[0]["name"]).split(" "), "", ""][:3]
    return {"host": host, "pid": int(pid) if pid.isdigit() else None}
