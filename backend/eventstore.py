"""The one event log: the eventsourcing Application, the aggregate base and the command runner."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

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


@dataclass(frozen=True)
class Ctx:
    """Who acts, for whom, in which community, under which command id, and when."""

    community_id: UUID
    actor_id: UUID | None
    now: datetime
    command_id: str = field(default_factory=lambda: uuid4().hex)
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


class LinliApp(Application):
    name = "Linli"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


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
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(settings.events_path),
        "SQLITE_LOCK_TIMEOUT": "30",
        "CREATE_TABLE": "true",
    }


def open_event_store(settings: Settings) -> LinliApp:
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
