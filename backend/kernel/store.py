"""The one event log: the eventsourcing Application every aggregate is saved in, and how it is opened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent, Recording, Repository
from eventsourcing.persistence import JSONTranscoder, Transcoding
from eventsourcing.utils import get_topic, strtobool

from backend.config import Settings
from backend.kernel.context import Ctx
from backend.kernel.errors import NotFound
from backend.kernel.postgres_store import HeldReadsPostgresRecorder, LinliPostgresFactory
from backend.kernel.sqlite_store import HeldReadsDatastore, HeldReadsRecorder, LinliSQLiteFactory


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

    def _reads_holder(self) -> HeldReadsDatastore | HeldReadsPostgresRecorder | None:
        """Where this thread's reads are held: SQLite's snapshot, or PostgreSQL's reads kept for one batch."""
        recorder = self.recorder
        if isinstance(recorder, HeldReadsRecorder):
            return recorder.datastore
        return recorder if isinstance(recorder, HeldReadsPostgresRecorder) else None

    def hold_reads(self) -> bool:
        """This thread's reads are held (each aggregate read once) until `release_reads`; True when this starts
        holding them."""
        holder = self._reads_holder()
        return holder is not None and holder.hold()

    def release_reads(self) -> None:
        holder = self._reads_holder()
        if holder is not None:
            holder.release()

    def read_ahead(self, aggregate_ids: Sequence[UUID]) -> None:
        """With reads held, read these aggregates' events together: the events after the cached version of those
        cached (usually none), all of the others (none for new ids)."""
        recorder = self.recorder
        if isinstance(recorder, HeldReadsRecorder | HeldReadsPostgresRecorder):
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


def event_store_env(settings: Settings) -> dict[str, str]:
    if settings.is_postgres:
        pg = settings.pg_params()
        return {
            "PERSISTENCE_MODULE": get_topic(LinliPostgresFactory),
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
