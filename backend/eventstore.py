"""The one event log: the eventsourcing Application, the aggregate base and the command runner."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fcntl
import logging
import os
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent, Recording, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, StoredEvent, Transcoding
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import get_topic, strtobool

from backend.config import LOCAL_ZONE, Settings

log = logging.getLogger(__name__)

COMMAND_NAMESPACE = UUID("6f2b3c1e-5d0a-4f7e-9c61-1a2b3c4d5e6f")


class DomainError(Exception):
    """A rule said no. `message` is an English msgid shown translated, with `variables` filled in after translation;
    `field` names the form field."""

    def __init__(self, message: str, field: str | None = None, status: int = 400, **variables: object) -> None:
        super().__init__(message % variables if variables else message)
        self.message = message
        self.field = field
        self.status = status
        self.variables = variables


class NotFound(DomainError):
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, status=404)


def check_text(value: str, maximum: int, field: str, message: str, required: bool = True) -> str:
    """The text stripped, or `message` (a DomainError on `field`) when it is missing or longer than `maximum`."""
    value = value.strip()
    if (required and not value) or len(value) > maximum:
        raise DomainError(message, field)
    return value


class _Randomness:
    """uuid4's randomness read from the OS 256 ids at a time: every read is a system call, and each request makes
    a command id. A forked child starts with none of its parent's bytes."""

    IDS_PER_READ = 256

    def __init__(self) -> None:
        self._bytes = b""
        self._next = 0
        self._lock = threading.Lock()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._bytes, self._next = b"", 0

    def command_id(self) -> str:
        with self._lock:
            if self._next >= len(self._bytes):
                self._bytes, self._next = os.urandom(16 * self.IDS_PER_READ), 0
            chunk = self._bytes[self._next : self._next + 16]
            self._next += 16
        return UUID(bytes=chunk, version=4).hex


new_command_id = _Randomness().command_id


@dataclass(frozen=True)
class Ctx:
    """Who acts, for whom, in which community, under which command id, and when."""

    community_id: UUID
    actor_id: UUID | None
    now: datetime
    command_id: str = field(default_factory=new_command_id)
    on_behalf_of: UUID | None = None

    def __post_init__(self) -> None:
        # Ids read from PostgreSQL views arrive as asyncpg's UUID type, which the event store cannot encode.
        for name in ("community_id", "actor_id", "on_behalf_of"):
            value = getattr(self, name)
            if value is not None and type(value) is not UUID:
                object.__setattr__(self, name, UUID(str(value)))

    @property
    def today(self) -> date:
        """The day it is in China, for terms and deadlines."""
        return self.now.astimezone(LOCAL_ZONE).date()

    def meta(self) -> dict[str, Any]:
        return {
            "community_id": self.community_id,
            "actor_id": self.actor_id,
            "on_behalf_of": self.on_behalf_of,
            "command_id": self.command_id,
            "timestamp": self.now,
        }


class LinliAggregate(Aggregate):
    """Every event says who, for whom, where and under which command (DESIGN 4.4)."""

    community_id: UUID

    class Event(Aggregate.Event):
        community_id: UUID
        actor_id: UUID | None
        on_behalf_of: UUID | None
        command_id: str

    class Created(Event, Aggregate.Created):
        def apply(self, aggregate: Aggregate) -> None:
            aggregate.community_id = self.community_id  # type: ignore[attr-defined]

    def emit(self, event_class: type[Aggregate.Event], ctx: Ctx, **kwargs: Any) -> None:
        self.trigger_event(event_class, **ctx.meta(), **kwargs)

    @classmethod
    def start(cls, event_class: type[Aggregate.Created], ctx: Ctx, id: UUID, **kwargs: Any) -> Any:
        return cls._create(event_class, id=id, **ctx.meta(), **kwargs)


class CommandRecord(LinliAggregate):
    """Marks a command id as done and keeps its result, so a repeat returns it and writes nothing."""

    class Recorded(LinliAggregate.Created):
        name: str
        result: dict[str, str]

    def __init__(self, name: str, result: dict[str, str]) -> None:
        self.name = name
        self.result = result


def command_record_id(name: str, lock_key: UUID, command_id: str) -> UUID:
    """A command is the same command when its name, its target and its id are: a retried form is recognised,
    while one Ctx reused for different commands or targets is not mistaken for a repeat."""
    return uuid5(COMMAND_NAMESPACE, f"{name}|{lock_key}|{command_id}")


class DateAsISO(Transcoding):
    """Days (deadlines, 公示 periods) as ISO strings; datetimes keep the library's own transcoding."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def _mutate_each(aggregate: Any, events: Any) -> Any:
    """eventsourcing's projector function without its `isinstance` check against a runtime protocol, which costs
    more than applying the event on Python 3.11 (a tenth of a vote's time in the writer)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class LinliRepository(Repository):
    def get(self, aggregate_id: Any, *, projector_func: Any = _mutate_each, **kwargs: Any) -> Any:
        return super().get(aggregate_id, projector_func=projector_func, **kwargs)


class LinliApp(Application):
    name = "Linli"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_repository(self) -> Repository:
        maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return LinliRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(maxsize) if maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")),
            deepcopy_from_cache=strtobool(self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")),
        )

    def read_ahead(self, aggregate_ids: Sequence[UUID]) -> None:
        """In a held snapshot, read these aggregates' events together: the events after the cached version of those
        cached (usually none), all of the others (none for new ids)."""
        recorder = self.recorder
        if isinstance(recorder, HeldReadsRecorder):
            recorder.read_ahead({i: self._cached_version(i) for i in aggregate_ids})

    def _cached_version(self, aggregate_id: UUID) -> int:
        cache = self.repository.cache
        if cache is None:
            return 0
        try:
            return cache.get(aggregate_id).version
        except KeyError:
            return 0

    def save(self, *aggregates: Any, **kwargs: Any) -> list[Recording]:
        """The library's save for aggregates only (all Linli saves), collecting their events without checking each
        object against two runtime protocols first (as costly as `_mutate_each`'s check)."""
        processing = ProcessingEvent()
        for aggregate in aggregates:
            if aggregate is not None:
                processing.events.extend(aggregate.collect_events())
                processing.aggregates[aggregate.id] = aggregate
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings


class WriterLock:
    """One writer at a time across the processes on this SQLite file (several web processes, the CLI), queued by
    the kernel: SQLite's own busy handler sleeps 1, 2, 5, 10… ms between tries, and two writers committing batches
    back to back then leave the file idle between them."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._thread = threading.Lock()  # flock is per open file, not per thread

    def __enter__(self) -> None:
        self._thread.acquire()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread.release()
            raise

    def __exit__(self, *_: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread.release()

    def close(self) -> None:
        """Once: the datastore is closed again when collected, and by then the number may be another file's."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


class HeldReadsDatastore(SQLiteDatastore):
    """SQLite where a thread may hold one read transaction and make its reads in it: the writer reads a whole
    batch's aggregates in one snapshot instead of a BEGIN and a ROLLBACK (each taking WAL locks) around every
    read. Writes always take their own transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held = threading.local()
        self._writers = (
            None if self.pool.is_sqlite_memory_mode else WriterLock(Path(f"{self.pool.db_name}-writer.lock"))
        )

    @contextlib.contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        if commit and self._writers is not None:
            with self._writers, super().transaction(commit=True) as cursor:
                yield cursor
            return
        held: SQLiteConnection | None = getattr(self._held, "connection", None)
        if commit or held is None:
            with super().transaction(commit=commit) as cursor:
                yield cursor
            return
        cursor = held.cursor()
        try:
            yield cursor
        finally:
            cursor.sqlite_cursor.close()

    def close(self) -> None:
        super().close()
        if self._writers is not None:
            self._writers.close()

    def hold(self) -> bool:
        """This thread's reads share one snapshot until `release`; False when already holding one (or in memory)."""
        if getattr(self._held, "connection", None) is None and not self.pool.is_sqlite_memory_mode:
            connection = self.pool.get_connection(is_writer=False)
            try:
                connection.cursor().execute("BEGIN")
            except BaseException:
                self.pool.put_connection(connection)
                raise
            self._held.connection = connection
            self._held.reads = {}
            return True
        return False

    def held_reads(self) -> HeldReads | None:
        """What this thread has read in its held snapshot (None when not holding one)."""
        return getattr(self._held, "reads", None)

    def release(self) -> None:
        connection: SQLiteConnection | None = getattr(self._held, "connection", None)
        if connection is not None:
            self._held.connection = None
            self._held.reads = None
            try:
                connection.rollback()
            finally:
                self.pool.put_connection(connection)


HeldReads = dict[str, tuple[int, list[StoredEvent]]]  # aggregate id -> (the version above which, its events)


class HeldReadsRecorder(SQLiteApplicationRecorder):
    """In a held snapshot the log cannot change, so each aggregate's events are read from it once: a batch of votes
    fast-forwards its meeting once, not once per vote, and `read_ahead` looks up a batch's new ids together. Every
    read between two commits is a trip through the interpreter lock, which the busy event loop holds."""

    datastore: HeldReadsDatastore
    READ_AHEAD_CHUNK = 500

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        reads = self.datastore.held_reads()
        if reads is None or lte is not None or desc or limit is not None:
            return list(super().select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit))
        key = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        above = gt or 0
        known = reads.get(key)
        if known is not None and known[0] <= above:
            return [event for event in known[1] if event.originator_version > above]
        events = list(super().select_events(originator_id, gt=gt))
        reads[key] = (above, events)
        return events

    def read_ahead(self, versions: dict[UUID, int]) -> None:
        """Read the events of these aggregates after these versions into the held snapshot, a few statements for all
        of them (an aggregate with no such events is known to have none)."""
        reads = self.datastore.held_reads()
        if reads is None:
            return
        wanted = [(i.hex, v) for i, v in versions.items() if i.hex not in reads or reads[i.hex][0] > v]
        for start in range(0, len(wanted), self.READ_AHEAD_CHUNK):
            chunk = wanted[start : start + self.READ_AHEAD_CHUNK]
            found: dict[str, list[StoredEvent]] = {key: [] for key, _ in chunk}
            statement = (
                f"WITH wanted(id, above) AS (VALUES {', '.join('(?, ?)' for _ in chunk)}) "
                f"SELECT e.* FROM wanted JOIN {self.events_table_name} e "
                "ON e.originator_id = wanted.id AND e.originator_version > wanted.above "
                "ORDER BY e.originator_id, e.originator_version"
            )
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, [value for pair in chunk for value in pair])
                rows = cursor.fetchall()
            for row in rows:
                found[row["originator_id"]].append(
                    StoredEvent(
                        originator_id=self.convert_originator_id(row["originator_id"]),
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=row["state"],
                    )
                )
            reads.update((key, (above, found[key])) for key, above in chunk)


class LinliSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite persistence with the held-reads datastore and recorder."""

    application_recorder_class = HeldReadsRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        plain = self.datastore
        self.datastore = HeldReadsDatastore(
            plain.pool.db_name,
            lock_timeout=plain.pool.lock_timeout,
            single_row_tracking=plain.single_row_tracking,
            originator_id_type=plain.originator_id_type,
        )
        plain.close()


def event_store_env(settings: Settings) -> dict[str, str]:
    if settings.is_postgres:
        pg = settings.pg_params()
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": pg["dbname"],
            "POSTGRES_HOST": pg["host"],
            "POSTGRES_PORT": pg["port"],
            "POSTGRES_USER": pg["user"],
            "POSTGRES_PASSWORD": pg["password"],
            "POSTGRES_SCHEMA": f"{settings.pg_schema}_events",
            "POSTGRES_POOL_SIZE": "8",
            "POSTGRES_MAX_OVERFLOW": "8",
            "POSTGRES_LOCK_TIMEOUT": "10",
            "CREATE_TABLE": "true",
        }
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": get_topic(LinliSQLiteFactory),
        "SQLITE_DBNAME": str(settings.events_path),
        "SQLITE_LOCK_TIMEOUT": "30",
        "CREATE_TABLE": "true",
    }


def open_event_store(settings: Settings) -> LinliApp:
    with settings.setup_lock():
        if settings.is_postgres:
            _ensure_pg_schema(settings, f"{settings.pg_schema}_events")
        # Cached aggregates are fast-forwarded from the store on every get, so other processes' writes are seen.
        return LinliApp(env={**event_store_env(settings), "AGGREGATE_CACHE_MAXSIZE": "5000"})


def _ensure_pg_schema(settings: Settings, schema: str) -> None:
    with settings.pg_connect() as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def load_in_community(
    app: LinliApp, ctx: Ctx, aggregate_id: UUID, kind: type[Any], message: str, read_only: bool = False
) -> Any:
    """The aggregate of `kind` with this id in ctx's community; anything else is "not found" (never another
    community's). `read_only`: the cached instance itself, not a copy — only for commands that never change it."""
    try:
        found = app.repository.get(aggregate_id, deepcopy_from_cache=not read_only)
    except AggregateNotFoundError:
        raise NotFound(message) from None
    if not isinstance(found, kind) or found.community_id != ctx.community_id:
        raise NotFound(message)
    return found


@dataclass(frozen=True)
class CommandResult:
    result: dict[str, str]
    position: int
    duplicate: bool = False


Action = Callable[[LinliApp], tuple[Sequence[Aggregate], dict[str, str]]]


class CommandRunner:
    """Load-mutate-save with a per-aggregate lock in the process and jittered retries for conflicts
    from other processes. A command id makes the whole command idempotent."""

    STRIPES = 1024
    MAX_ATTEMPTS = 30

    def __init__(self, app: LinliApp, on_saved: Callable[[int], None] | None = None) -> None:
        self.app = app
        self.on_saved = on_saved
        self._locks = [threading.Lock() for _ in range(self.STRIPES)]

    def _lock(self, key: UUID) -> threading.Lock:
        return self._locks[key.int % self.STRIPES]

    def previous(self, record_id: UUID) -> CommandResult | None:
        try:
            record: CommandRecord = self.app.repository.get(record_id)
        except AggregateNotFoundError:
            return None
        return CommandResult(dict(record.result), position=0, duplicate=True)

    def run(self, name: str, ctx: Ctx, lock_key: UUID, action: Action) -> CommandResult:
        record_id = command_record_id(name, lock_key, ctx.command_id)
        earlier = self.previous(record_id)
        if earlier is not None:
            return earlier
        with self._lock(lock_key):
            for attempt in range(self.MAX_ATTEMPTS):
                aggregates, result = action(self.app)
                record = CommandRecord.start(CommandRecord.Recorded, ctx, record_id, name=name, result=result)
                try:
                    recordings = self.app.save(*aggregates, record)
                except IntegrityError:
                    earlier = self.previous(record_id)
                    if earlier is not None:
                        return earlier
                    time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))
                    continue
                position = max(r.notification.id for r in recordings)
                if self.on_saved is not None:
                    self.on_saved(position)
                return CommandResult(result, position)
        raise DomainError("The system is busy, please try again.", status=503)


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
        """The batch's reads share one snapshot, taken after the last save (SQLite; elsewhere each read is its own).
        True when this starts a snapshot."""
        datastore = getattr(self.runner.app.recorder, "datastore", None)
        return isinstance(datastore, HeldReadsDatastore) and datastore.hold()

    @staticmethod
    def _targets(submitted: Submitted) -> list[UUID]:
        """The aggregates a command surely reads: its record (is it a repeat?), the one it is locked on, and its
        actor (may they?)."""
        ctx = submitted.ctx
        targets = [command_record_id(submitted.name, submitted.lock_key, ctx.command_id), submitted.lock_key]
        return targets if ctx.actor_id is None else [*targets, ctx.actor_id]

    def _release(self) -> None:
        datastore = getattr(self.runner.app.recorder, "datastore", None)
        if isinstance(datastore, HeldReadsDatastore):
            datastore.release()

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
        record = CommandRecord.start(
            CommandRecord.Recorded, submitted.ctx, record_id, name=submitted.name, result=result
        )
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
