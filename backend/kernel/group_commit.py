"""The writer thread: the commands waiting at one moment run one after another and are saved together."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import queue
import threading
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from backend.kernel.context import Ctx, command_record_id
from backend.kernel.runner import Action, CommandResult, CommandRunner

log = logging.getLogger(__name__)


@dataclass
class Submitted:
    """A command waiting for the writer, with the caller's context (locale) and where its outcome goes."""

    name: str
    ctx: Ctx
    lock_key: UUID
    action: Action
    context: contextvars.Context
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[CommandResult]


Outcome = tuple[Submitted, "CommandResult | BaseException"]
Pending = tuple[Submitted, list[Aggregate], dict[str, str]]  # prepared, to be saved with its batch


def _settle(outcomes: list[Outcome]) -> None:
    for submitted, outcome in outcomes:
        if submitted.future.done():  # the caller went away (cancelled); the command is done or refused all the same
            continue
        if isinstance(outcome, BaseException):
            submitted.future.set_exception(outcome)
        else:
            submitted.future.set_result(outcome)


class GroupCommit:
    """One writer thread runs the commands waiting at that moment one after another and saves them together, in
    one transaction (group commit): a burst of votes costs one commit per batch, not one each, and the event loop
    shares the interpreter with one thread instead of dozens.

    A command whose aggregates (or command record) another command of the batch already changed waits for those
    to be saved first and then runs again, so it sees them. Its reads of aggregates it does not save are as of
    the batch's start, exactly as when commands run concurrently. A batch refused by the store (another process
    wrote one of its aggregates) is redone one command at a time with the runner's retries."""

    MAX_BATCH = 256

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self._queue: queue.SimpleQueue[Submitted | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._outcomes: list[Outcome] = []  # of the batch being written

    async def execute(self, name: str, ctx: Ctx, lock_key: UUID, action: Action) -> CommandResult:
        self._ensure_thread()
        loop = asyncio.get_running_loop()
        submitted = Submitted(name, ctx, lock_key, action, contextvars.copy_context(), loop, loop.create_future())
        self._queue.put(submitted)
        return await submitted.future

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._write, name="linli-writer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)

    def _write(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
            self._outcomes = []
            try:
                self._run(batch)
            except BaseException as error:  # never leave a caller waiting
                log.exception("the writer failed on a batch")
                told = {id(submitted) for submitted, _ in self._outcomes}
                self._outcomes += [(submitted, error) for submitted in batch if id(submitted) not in told]
            by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
            for submitted, outcome in self._outcomes:
                by_loop.setdefault(submitted.loop, []).append((submitted, outcome))
            for loop, outcomes in by_loop.items():  # one wake-up of each waiting loop per batch
                with contextlib.suppress(RuntimeError):  # that loop has closed: nobody waits any more
                    loop.call_soon_threadsafe(_settle, outcomes)

    def _run(self, batch: list[Submitted]) -> None:
        pending: list[Pending] = []
        touched: set[UUID] = set()
        try:
            self._prepare_all(batch, pending, touched)
        finally:
            self._release()
        self._flush(pending)

    def _prepare_all(self, batch: list[Submitted], pending: list[Pending], touched: set[UUID]) -> None:
        for index, submitted in enumerate(batch):
            while True:
                if self._hold():  # a new snapshot: what the commands left will read first, read together
                    self.runner.app.read_ahead([i for s in batch[index:] for i in self._targets(s)])
                outcome = self._prepare(submitted)
                if not isinstance(outcome, tuple):
                    if outcome is not None:
                        self._outcomes.append((submitted, outcome))
                    break
                aggregates, result = outcome
                ids = {a.id for a in aggregates}
                if ids & touched:  # wait for the commands it follows, then run it again on what they wrote
                    self._release()
                    self._flush(pending)
                    pending.clear()
                    touched.clear()
                    continue
                pending.append((submitted, aggregates, result))
                touched |= ids
                break

    def _hold(self) -> bool:
        """The batch's reads are held from the last save on: one snapshot on SQLite, each aggregate read once on
        PostgreSQL. True when this starts holding them."""
        return self.runner.app.hold_reads()

    @staticmethod
    def _targets(submitted: Submitted) -> list[UUID]:
        """The aggregates a command surely reads: its record (is it a repeat?), the one it is locked on, and its
        actor (may they?)."""
        ctx = submitted.ctx
        targets = [command_record_id(submitted.name, submitted.lock_key, ctx.command_id), submitted.lock_key]
        return targets if ctx.actor_id is None else [*targets, ctx.actor_id]

    def _release(self) -> None:
        self.runner.app.release_reads()

    def _prepare(
        self, submitted: Submitted
    ) -> tuple[list[Aggregate], dict[str, str]] | CommandResult | BaseException | None:
        """The command's aggregates (its record last) and result; an earlier result for a repeat; or its refusal."""
        record_id = command_record_id(submitted.name, submitted.lock_key, submitted.ctx.command_id)
        try:
            earlier = self.runner.previous(record_id)
            if earlier is not None:
                return earlier
            aggregates, result = submitted.context.run(submitted.action, self.runner.app)
        except Exception as refused:
            return refused
        record = self.runner.record(submitted.ctx, record_id, submitted.name, result, aggregates)
        return [*aggregates, record], result

    def _flush(self, pending: list[Pending]) -> None:
        if not pending:
            return
        try:
            recordings = self.runner.app.save(*(a for _, aggregates, _ in pending for a in aggregates))
        except IntegrityError:
            for submitted, _, _ in pending:
                self._alone(submitted)
            return
        positions: dict[UUID, int] = {}
        for recording in recordings:
            originator = recording.notification.originator_id
            positions[originator] = max(positions.get(originator, 0), recording.notification.id)
        if self.runner.on_saved is not None:
            self.runner.on_saved(max(positions.values()))
        for submitted, aggregates, result in pending:
            self._outcomes.append((submitted, CommandResult(result, max(positions.get(a.id, 0) for a in aggregates))))

    def _alone(self, submitted: Submitted) -> None:
        try:
            outcome: CommandResult | BaseException = submitted.context.run(
                self.runner.run, submitted.name, submitted.ctx, submitted.lock_key, submitted.action
            )
        except Exception as refused:
            outcome = refused
        self._outcomes.append((submitted, outcome))
