"""Running one command: load, mutate, save, with a lock per aggregate in the process and retries for conflicts
with other processes."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from backend.kernel import seals
from backend.kernel.context import CommandRecord, Ctx, command_record_id
from backend.kernel.errors import DomainError
from backend.kernel.store import LinliApp


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

    def __init__(
        self, app: LinliApp, on_saved: Callable[[int], None] | None = None, seal_key: bytes | None = None
    ) -> None:
        self.app = app
        self.seal_key = seal_key  # each command's record seals the events it writes (backend/kernel/seals.py)
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

    def record(
        self, ctx: Ctx, record_id: UUID, name: str, result: dict[str, str], aggregates: Sequence[Aggregate]
    ) -> CommandRecord:
        """The command's record, saved with its aggregates: its result, and the events it writes under a seal."""
        covers = seals.names(aggregates)
        seal = seals.seal(self.seal_key, record_id, covers) if self.seal_key else ""
        return CommandRecord.start(
            CommandRecord.Recorded, ctx, record_id, name=name, result=result, covers=covers, seal=seal
        )

    def run(self, name: str, ctx: Ctx, lock_key: UUID, action: Action) -> CommandResult:
        record_id = command_record_id(name, lock_key, ctx.command_id)
        earlier = self.previous(record_id)
        if earlier is not None:
            return earlier
        with self._lock(lock_key):
            for attempt in range(self.MAX_ATTEMPTS):
                aggregates, result = action(self.app)
                record = self.record(ctx, record_id, name, result, aggregates)
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
