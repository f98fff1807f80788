"""Who acts, for whom, where and when (Ctx); the aggregate base every event of the log inherits; the record that
makes a command idempotent."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics
from backend.kernel.zone import LOCAL_ZONE

COMMAND_NAMESPACE = UUID("6f2b3c1e-5d0a-4f7e-9c61-1a2b3c4d5e6f")


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
        _storable(kwargs)
        self.trigger_event(event_class, **ctx.meta(), **kwargs)

    @classmethod
    def start(cls, event_class: type[Aggregate.Created], ctx: Ctx, id: UUID, **kwargs: Any) -> Any:
        _storable(kwargs)
        return cls._create(event_class, id=id, **ctx.meta(), **kwargs)


def _storable(value: Any) -> None:
    """No event holds text a view cannot store: PostgreSQL's text takes no NUL character, and a view that cannot
    apply an event stops there for everyone. Whatever brought it (a form, a phone's JSON, a register file)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise DomainError("Text may not contain the NUL character.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key)
            _storable(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _storable(item)
    elif is_dataclass(value) and not isinstance(value, type):
        _storable(vars(value) if hasattr(value, "__dict__") else [getattr(value, f.name) for f in fields(value)])


class CommandRecord(LinliAggregate):
    """Marks a command id as done and keeps its result, so a repeat returns it and writes nothing."""

    class Recorded(LinliAggregate.Created):
        name: str
        result: dict[str, str]
        covers: list[str]  # the events the command wrote, "<aggregate id>:<version>" (backend/kernel/seals.py)
        seal: str  # their HMAC under the deployment's sealing key; "" where no key was given (records of before)

    def __init__(self, name: str, result: dict[str, str], covers: list[str] | None = None, seal: str = "") -> None:
        self.name = name
        self.result = result
        self.covers = covers or []
        self.seal = seal


keep_topics("backend.eventstore", CommandRecord)  # where it lived when logs began to hold it


def command_record_id(name: str, lock_key: UUID, command_id: str) -> UUID:
    """A command is the same command when its name, its target and its id are: a retried form is recognised,
    while one Ctx reused for different commands or targets is not mistaken for a repeat."""
    return uuid5(COMMAND_NAMESPACE, f"{name}|{lock_key}|{command_id}")
