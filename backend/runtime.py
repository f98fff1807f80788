"""What one process holds: the event store, the view engine, the projector, the writer and the rounds. The
composition root of the write side: it is given the contexts' timed passes (backend.contexts) rather than
importing them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import anyio
from piccolo.engine.postgres import PostgresEngine

from backend import leadership
from backend.config import Settings
from backend.kernel import rounds
from backend.kernel.context import Ctx
from backend.kernel.group_commit import GroupCommit
from backend.kernel.personal import PersonalData
from backend.kernel.ports import Pass
from backend.kernel.runner import Action, CommandResult, CommandRunner
from backend.kernel.seals import seal_key
from backend.kernel.store import LinliApp, open_event_store
from backend.leadership import Leadership
from backend.workers import Hub, Link
from projections import db
from projections.registry import ALL_TABLES, all_projections
from projections.runner import Projector
from projections.types import Publish

log = logging.getLogger(__name__)
STOP_TIMEOUT = 10


class Runtime:
    def __init__(self, settings: Settings, publish: Publish | None = None, passes: Sequence[Pass] = ()) -> None:
        self.settings = settings
        self.passes = tuple(passes)  # the contexts' timed passes, made every round where the projector runs
        self.store: LinliApp = open_event_store(settings)
        self.personal = PersonalData(settings)
        self.engine = db.make_engine(settings)
        db.bind(self.engine, ALL_TABLES)
        self.projector = Projector(self.store, self.engine, all_projections(self.personal), publish=publish)
        self.hub: Hub | None = None
        self.link: Link | None = None
        if settings.hub and settings.projector_inline:  # several web processes; the first one projects
            if settings.leader:
                self.hub = Hub(settings.hub, self.projector, forward_messages=not settings.is_postgres)
            else:
                self.link = Link(settings.hub, self.projector, publish)
        self.commands = CommandRunner(
            self.store,
            on_saved=self.link.saved if self.link else self.projector.poke,
            seal_key=seal_key(settings.ensure_secret()),
        )
        self.writer = GroupCommit(self.commands)
        self.started = False
        self.views_rebuilt = False  # the views were dropped at start, to be rebuilt from the log (`db.migrate`)
        self._deadlines: asyncio.Task[None] | None = None
        self.leadership: Leadership | None = None  # on PostgreSQL: one projector among all hosts

    async def start(self, run_projector: bool | None = None) -> None:
        try:
            await self._start(run_projector)
        except BaseException:
            await self.stop()  # a connection left open keeps its thread, and the process would hang instead of ending
            raise

    async def _start(self, run_projector: bool | None) -> None:
        db.bind(self.engine, ALL_TABLES)
        self.views_rebuilt = await db.migrate(self.engine, self.settings, ALL_TABLES)
        if isinstance(self.engine, PostgresEngine):
            await self.engine.start_connection_pool(min_size=2, max_size=10, reset=db.as_is)
        if self.link is not None:  # the leader projects and keeps the deadlines; this process follows it
            self.link.start()
            self.started = True
            return
        await self.projector.ensure_positions()
        if self.hub is not None:
            await self.hub.start()
        if self.settings.projector_inline if run_projector is None else run_projector:
            if self.settings.is_postgres:  # several hosts may share the database: project while holding its lock
                self.leadership = Leadership(
                    self.settings, self.projector, self._lead, self._step_down, self.projector.publish
                )
                self.leadership.start()
            else:
                await self._lead()
        self.started = True

    async def _lead(self) -> None:
        """Run the projector and the rounds (from the stored positions: nothing missed, nothing applied twice)."""
        self.projector.start()
        if self.passes:
            self._deadlines = asyncio.get_running_loop().create_task(rounds.keep(self, self.passes), name="rounds")

    async def _step_down(self) -> None:
        if self._deadlines is not None:
            # Cancelled again until it ends: a cancellation a library swallows must not leave a stop waiting on a
            # round that goes on forever.
            while not self._deadlines.done():
                self._deadlines.cancel()
                await asyncio.wait({self._deadlines}, timeout=1)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                self._deadlines.result()
            self._deadlines = None
        await self.projector.stop()

    async def stop(self) -> None:
        if self.leadership is not None:
            await self.leadership.stop()
            self.leadership = None
        await self._step_down()
        if self.hub is not None:
            await self.hub.stop()
        if self.link is not None:
            await self.link.stop()
        await anyio.to_thread.run_sync(self.writer.stop)
        if isinstance(self.engine, PostgresEngine) and self.engine.pool is not None:
            pool, self.engine.pool = self.engine.pool, None
            await db.close_pool(pool, STOP_TIMEOUT)
        elif isinstance(self.engine, db.LinliSQLiteEngine):
            await self.engine.close_connections()
        self.store.close()
        self.personal.close()
        self.started = False

    async def execute(self, name: str, ctx: Ctx, lock_key: UUID, action: Action, wait: bool = True) -> CommandResult:
        """Run a command in the writer thread (saved together with the commands waiting beside it); then wait
        (bounded) until the views show it."""
        result = await self.writer.execute(name, ctx, lock_key, action)
        projector_somewhere = self.projector.running or not self.settings.projector_inline
        if wait and result.position and projector_somewhere:
            await self.projector.wait_for(result.position)
        return result

    @property
    def leads(self) -> bool:
        """This process runs the projector and the rounds (the lock's holder, on PostgreSQL)."""
        holds = self.leadership is None or self.leadership.leading
        return self.link is None and self.projector.running and holds

    async def leader(self) -> dict[str, Any] | None:
        """Which process runs the projector and the rounds (host and pid), for /healthz."""
        return await leadership.leader(self.settings, self.link is None and self.projector.running)

    async def lags(self) -> tuple[int, dict[str, int], dict[str, int]]:
        """The log's head, each projection's stored position, and how many events each is behind (/healthz,
        /metrics)."""
        events = await anyio.to_thread.run_sync(self.event_count)
        positions = await self.projector.positions()
        return events, positions, {name: max(0, events - position) for name, position in positions.items()}

    def event_count(self) -> int:
        return self.store.recorder.max_notification_id() or 0
