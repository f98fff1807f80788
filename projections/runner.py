"""The projector: reads the notification log in batches and applies each batch exactly once.

Each projection's position is guarded and moved in the same transaction as its view rows, so a batch applied
twice is refused, and a crash leaves either the whole batch or none of it.

Far behind the head (a rebuild, a projector started after a long stop) it reads much larger batches, each still
one transaction with its positions (a crash still leaves whole batches or nothing): each batch costs a transaction,
a commit and a round of positions, and a projection that keeps counters writes each counter it moved once per
batch. Python's cyclic garbage collector is held off meanwhile: a large batch keeps hundreds of thousands of
objects alive (events, rows), and the collections the allocations set off would scan them again and again (half
of the time reading and decoding a batch went there); what the events and rows leave behind is freed by reference
counting, and any cycle is collected once the collector is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import gc
import heapq
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio
import msgspec
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, Notification, UUIDAsHex
from eventsourcing.utils import get_topic
from piccolo.columns import BigInt, Varchar
from piccolo.engine.base import Engine
from piccolo.table import Table

from backend.kernel.store import LinliApp
from projections.db import write_transaction
from projections.types import Item, LiveMessage, Projection, Publish

log = logging.getLogger(__name__)

Stepped = Callable[[int, list[LiveMessage]], None]
Read = tuple[int, int, list[Item]]  # the head (or `until`), the batch's size limit, the batch


class ProjectionPosition(Table, tablename="projection_position"):
    name = Varchar(length=64, primary_key=True)
    position = BigInt(default=0)


class PositionConflict(Exception):
    """Another projector applied this batch first."""


class Projector:
    def __init__(
        self,
        app: LinliApp,
        engine: Engine,
        projections: Sequence[Projection],
        publish: Publish | None = None,
        batch_size: int = 1000,
        poll_interval: float = 0.5,
        rebuild_batch_size: int = 20_000,
        rebuild_after: int = 5_000,
    ) -> None:
        self.app = app
        self.engine = engine
        self.projections = list(projections)
        self.publish = publish
        self.batch_size = batch_size
        # More than `rebuild_after` events behind the head: batches of `rebuild_batch_size`, the next one read ahead
        self.rebuild_batch_size = rebuild_batch_size
        self.rebuild_after = rebuild_after
        self.poll_interval = poll_interval
        self.position = 0
        self.until: int | None = None  # stop at this position (to see the views as the log was then)
        self._topics = {p.name: {get_topic(cls) for cls in p.handles} for p in self.projections}
        self._decoder = fast_decoder(app.mapper)
        self._read_only: set[str] | None = None  # the topics the last batch was read for (None: every notification)
        self._far_behind = False  # the last batch read was a large one (see `step`)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] | None = None  # by position (a heap)
        self._task: asyncio.Task[None] | None = None
        self._committed: dict[str, int] | None = None  # positions as this projector's last step left them
        self._resets = 0  # a step that began before a reset must not keep the positions it read (see _keep)
        # Until a step reaches the head after this projector started, was reset, read positions another process
        # moved or read a full batch: then the projections' `caught_up` hooks run there (see _caught_up).
        self._behind = True
        self.stepped: Stepped | None = None  # told of each committed step: the position and its live updates
        self.following = False  # another process projects; `advance` tells this one how far
        self.poked: Callable[[], None] | None = None  # told of each poke, from any thread (backend.leadership)

    # -- positions ------------------------------------------------------------------------------
    async def ensure_positions(self) -> None:
        for projection in self.projections:
            await ProjectionPosition.raw(
                "INSERT INTO projection_position (name, position) VALUES ({}, 0) ON CONFLICT (name) DO NOTHING",
                projection.name,
            )

    async def positions(self) -> dict[str, int]:
        rows = await ProjectionPosition.select(ProjectionPosition.name, ProjectionPosition.position)
        stored = {row["name"]: int(row["position"]) for row in rows}
        return {p.name: stored.get(p.name, 0) for p in self.projections}

    # -- one batch -------------------------------------------------------------------------------
    async def step(self) -> int:
        """Apply the next batch to every projection behind; return how many notifications were read (0 when the
        only projections behind failed on it: they are retried on the next poll, and the others go on)."""
        collector = _Collector()
        if self._far_behind:  # the next batch is most likely large too: read it with the collector held off
            collector.pause()
        try:
            return await self._step(collector)
        finally:
            collector.resume()

    async def _step(self, collector: _Collector) -> int:
        # The positions this projector committed last; read again after anything else (another process may move
        # them, and the guarded UPDATEs below then refuse with PositionConflict).
        resets = self._resets
        if self._committed is None:
            self._behind = True  # positions read again: another process may have reset or moved them
        positions = self._committed if self._committed is not None else await self.positions()
        self._committed = None
        start = min(positions.values(), default=0) + 1
        head, limit, items = await anyio.to_thread.run_sync(self._read, start, positions, collector)
        self._far_behind = limit > self.batch_size
        if self._far_behind:
            collector.pause()
        if start > head:
            self._keep(positions, resets)
            await self._caught_up(resets)
            await self._advance(head)
            return 0
        end = head if len(items) < limit else items[-1].position
        if end < head:
            self._behind = True
        messages: list[LiveMessage] = []
        advanced = False
        moved = dict(positions)
        behind = [p for p in self.projections if positions[p.name] < end]
        mine = {p.name: self._mine(p, items, positions[p.name]) for p in behind}  # each one's events, once
        idle = [p for p in behind if not mine[p.name]]
        try:
            async with write_transaction(self.engine) as transaction:
                if idle:  # nothing of theirs in the batch: only their positions move, in one statement each
                    await self._skip(idle, positions, end)
                    moved |= {p.name: end for p in idle}
                    advanced = True
                for projection in behind:
                    done = positions[projection.name]
                    if projection in idle:
                        continue
                    # One projection failing on an event must not stop the others: its writes and its position
                    # go back to the savepoint, and it is tried again on the next poll.
                    savepoint = await transaction.savepoint()
                    try:
                        messages.extend(await self._apply(projection, mine[projection.name], done, end))
                    except PositionConflict:
                        raise
                    except Exception:
                        await savepoint.rollback_to()
                        log.exception(
                            "projection %s failed on events %s–%s; the others go on", projection.name, done + 1, end
                        )
                        continue
                    await savepoint.release()
                    moved[projection.name] = end
                    advanced = True
        except PositionConflict as conflict:
            log.info("projection %s moved under us; re-reading", conflict)
            return len(items)
        self._keep(moved, resets)
        if not advanced:
            return 0
        if end >= head:
            await self._caught_up(resets)
        if resets != self._resets:  # reset meanwhile: its position 0 stands, not this step's end
            return len(items)
        await self._advance(end)
        if self.stepped is not None:
            self.stepped(end, messages)
        if self.publish is not None:
            for channel, payload in messages:
                try:
                    await self.publish(channel, payload)
                except Exception:  # live updates must never stop the projector
                    log.exception("publishing to %s failed", channel)
        return len(items)

    def _keep(self, positions: dict[str, int], resets: int) -> None:
        """Keep the positions a step left, unless a reset came meanwhile (a step running in the background while
        `reset` ran would otherwise keep the positions from before it, and the catch-up would find nothing to do)."""
        if resets == self._resets:
            self._committed = positions

    async def _caught_up(self, resets: int) -> None:
        """At the head after being behind (see _behind): each projection with a `caught_up` hook is told (one that
        left indexes out while it was rebuilt from zero makes them now), once, not on every live step. A failure
        there is logged, not raised: the views are right without them, only slower to read; a reset meanwhile
        makes this projector behind again, so the next step at the head tries again."""
        if not self._behind or resets != self._resets:
            return
        self._behind = False  # before the hooks: a reset while they run sets it again
        for projection in self.projections:
            hook = getattr(projection, "caught_up", None)
            if hook is None:
                continue
            try:
                await hook()
            except Exception:
                log.exception("projection %s failed at the head", projection.name)

    def _mine(self, projection: Projection, items: list[Item], done: int) -> list[Item]:
        wanted = self._topics[projection.name]
        if (
            items
            and items[0].position > done
            and (not wanted or (self._read_only is not None and self._read_only <= wanted))
        ):
            return list(items)  # all of them (a rebuild of one projection): no look at each
        return [i for i in items if i.position > done and (not wanted or i.notification.topic in wanted)]

    async def _skip(self, idle: list[Projection], positions: dict[str, int], end: int) -> None:
        by_done: dict[int, list[str]] = {}
        for projection in idle:
            by_done.setdefault(positions[projection.name], []).append(projection.name)
        for done, names in by_done.items():
            moved = await ProjectionPosition.raw(
                "UPDATE projection_position SET position = {} WHERE position = {} AND name IN ("
                + ", ".join("{}" for _ in names)
                + ") RETURNING name",
                end,
                done,
                *names,
            )
            if len(moved) != len(names):
                raise PositionConflict(", ".join(sorted(set(names) - {row["name"] for row in moved})))

    async def _apply(self, projection: Projection, mine: list[Item], done: int, end: int) -> list[LiveMessage]:
        moved = await ProjectionPosition.raw(
            "UPDATE projection_position SET position = {} WHERE name = {} AND position = {} RETURNING position",
            end,
            projection.name,
            done,
        )
        if not moved:
            raise PositionConflict(projection.name)
        return await projection.apply(mine) if mine else []

    def _read(self, start: int, positions: dict[str, int], collector: _Collector | None = None) -> Read:
        """The log's head (or `until`), the batch's size limit and the next batch from `start` up to the head, in
        one trip to a thread. Only the events a projection behind wants are decoded (a rebuild of one projection
        does not decode the others' events)."""
        head = self.app.recorder.max_notification_id() or 0
        if self.until is not None:
            head = min(head, self.until)
        limit = self.rebuild_batch_size if head - start >= self.rebuild_after else self.batch_size
        if start > head:
            return head, limit, []
        if collector is not None and limit > self.batch_size:  # the first large batch too (see `step`)
            collector.pause()
        behind = [self._topics[n] for n, done in positions.items() if done < head]
        wanted: set[str] = set().union(*behind)
        # When every projection behind names its events, only those are read: a rebuild of one projection does not
        # read (nor make Items of) the rest of the log. The batch then spans more of the log; its end is still
        # the head or its last notification, and the projections behind have nothing else up to there.
        topics = sorted(wanted) if all(behind) else ()
        self._read_only = set(topics) if topics else None
        notifications = self.app.recorder.select_notifications(start, limit, stop=head, topics=topics)
        decode = self._decoder
        return head, limit, [Item(n.id, n, decode(n) if n.topic in wanted else None) for n in notifications]

    async def catch_up(self) -> int:
        while await self.step():
            pass
        return self.position

    # -- waiting and waking ----------------------------------------------------------------------
    async def _advance(self, position: int) -> None:
        if position <= self.position:
            return
        self.position = position
        while self._waiters and self._waiters[0][0] <= position:
            waiter = heapq.heappop(self._waiters)[2]
            if not waiter.done():  # not timed out
                waiter.set_result(None)

    def follow(self) -> None:
        """Wait in this loop for positions another process's projector reaches (`advance`), instead of running."""
        self._keep_waiters()
        self.following = True

    async def advance(self, position: int) -> None:
        """The views have reached `position` (told by the process that projects)."""
        await self._advance(position)

    def poke(self, _position: int | None = None) -> None:
        """Called from any thread right after a save."""
        if self.poked is not None:
            self.poked()
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def wait_for(self, position: int, timeout: float = 3.0) -> bool:
        """Wait (bounded) until every projection has applied `position`."""
        if self.position >= position:
            return True
        if self._waiters is None or asyncio.get_running_loop() is not self._loop:
            # Not running in this process (or called from another loop): poll the stored positions.
            with anyio.move_on_after(timeout):
                while True:
                    positions = await self.positions() if self._waiters is None else {"": self.position}
                    if min(positions.values(), default=0) >= position:
                        return True
                    self.poke()
                    await asyncio.sleep(0.01)
            return False
        self.poke()
        waiter = self._loop.create_future()
        heapq.heappush(self._waiters, (position, id(waiter), waiter))
        try:
            # asyncio.timeout, not asyncio.wait_for: on Python 3.11 wait_for swallows a cancellation that arrives in
            # the loop turn the waiter is resolved in, and the task cancelled (the deadline rounds at a stop) then
            # runs on as if never cancelled.
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            return False
        return True

    def _keep_waiters(self) -> None:
        """Wait in this loop; those already waiting in it go on waiting (a process that starts projecting, or stops
        and follows the new leader, backend.leadership)."""
        loop = asyncio.get_running_loop()
        if self._waiters is None or self._loop is not loop:
            self._waiters = []
        self._loop = loop

    async def run_forever(self) -> None:
        self._keep_waiters()
        self._wake = asyncio.Event()
        await self.ensure_positions()
        while True:
            try:
                count = await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("projector step failed; retrying")
                count = 0
                await asyncio.sleep(1)
            if count:
                continue
            self._wake.clear()
            with anyio.move_on_after(self.poll_interval):
                await self._wake.wait()

    @property
    def running(self) -> bool:
        """Applying events in this loop, or following the process that does."""
        return self.following or (self._task is not None and not self._task.done())

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.get_running_loop().create_task(self.run_forever(), name="projector")
        return self._task

    async def stop(self) -> None:
        self.following = False
        if self._task is not None:
            self._task.cancel()
            with anyio.CancelScope(shield=True), contextlib.suppress(asyncio.CancelledError, Exception):
                done, _ = await asyncio.wait({self._task}, timeout=10)
                if not done:  # never hang a shutdown on a step that does not end
                    log.warning("the projector did not stop within 10 s")
            self._task = None

    # -- rebuild ---------------------------------------------------------------------------------
    async def reset(self, names: Sequence[str]) -> None:
        """Empty the named projections and put them back to position 0, in one transaction."""
        unknown = set(names) - {p.name for p in self.projections}
        self._committed = None
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        async with write_transaction(self.engine):
            for projection in self.projections:
                if projection.name not in names:
                    continue
                for table in projection.tables:
                    await table.delete(force=True)
                emptied = getattr(projection, "emptied", None)
                if emptied is not None:  # e.g. drops indexes the catch-up would only slow down (see _caught_up)
                    await emptied()
                await ProjectionPosition.update({ProjectionPosition.position: 0}).where(
                    ProjectionPosition.name == projection.name
                )
        self._resets += 1  # again: a step that ended during the reset kept nothing of before it
        self._committed = None
        self._behind = True
        self.position = 0


class _Collector:
    """Holds Python's cyclic garbage collector off while a large batch is read and applied (see the module's
    docstring), and puts it back as it was."""

    def __init__(self) -> None:
        self.paused = False

    def pause(self) -> None:
        if not self.paused and gc.isenabled():
            gc.disable()
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            gc.enable()
            self.paused = False


# -- decoding -----------------------------------------------------------------------------------------------------
def fast_decoder(mapper: Mapper[Any]) -> Callable[[Notification], Any]:
    """`mapper.to_domain_event` with the library's own JSON transcodings of ids and moments made cheaper: a
    rebuild decodes hundreds of thousands of events, each with several ids and deadlines, and making each anew
    through the transcoder's generic object hook cost about half of the decoding. The same events come out (the
    tests compare them); a mapper with a cipher, a compressor or another transcoder keeps the library's path."""
    transcoder = mapper.transcoder
    if mapper.cipher or mapper.compressor or type(transcoder) is not JSONTranscoder:
        return mapper.to_domain_event
    decoders: dict[str, Callable[[Any], Any]] = {name: t.decode for name, t in transcoder.names.items()}
    if type(transcoder.names.get(UUIDAsHex.name)) is UUIDAsHex:
        decoders[UUIDAsHex.name] = _cached(UUID)
    if type(transcoder.names.get(DatetimeAsISO.name)) is DatetimeAsISO:
        decoders[DatetimeAsISO.name] = _cached(datetime.fromisoformat)
    fallback = transcoder._decode_obj  # unknown names: the library's error

    def hook(d: dict[str, Any]) -> Any:
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            decoder = decoders.get(d["_type_"])
            return decoder(d["_data_"]) if decoder is not None else fallback(d)
        return d

    def transcoded(value: Any) -> Any:
        """What the hook makes of a decoded value, applied as json applies it: to every object, innermost first.
        An id or a moment (an object of two keys, its data a string) is made here without a call for it."""
        pairs = value.items() if type(value) is dict else enumerate(value)
        for key, inner in pairs:  # values replaced in place: no key is added or dropped
            kind = type(inner)
            if kind is dict:
                data = inner.get("_data_")
                if type(data) is str and len(inner) == 2 and "_type_" in inner:
                    decoder = decoders.get(inner["_type_"])
                    value[key] = decoder(data) if decoder is not None else fallback(inner)
                else:
                    value[key] = transcoded(inner)
            elif kind is list:
                value[key] = transcoded(inner)
        return hook(value) if type(value) is dict else value

    plain = msgspec.json.Decoder().decode
    hooked = json.JSONDecoder(object_hook=hook).decode

    def decode(data: bytes) -> Any:
        """msgspec's parser (several times json's) and the hook applied after; what it refuses (NaN, a number out
        of its range, bytes not UTF-8) goes through json, to the same result or the library's own error."""
        try:
            state = plain(data)
        except msgspec.DecodeError:
            return hooked(data.decode("utf8"))
        return transcoded(state) if type(state) is dict or type(state) is list else state

    fast = copy.copy(transcoder)
    fast.decode = decode  # type: ignore[method-assign]
    fast_mapper = copy.copy(mapper)
    fast_mapper.transcoder = fast
    return fast_mapper.to_domain_event


def _cached(decode: Callable[[str], Any]) -> Callable[[Any], Any]:
    """The same ids (communities, workers, departments) and moments (deadlines) come back in event after event:
    each is made once and shared (they are immutable). Bounded: the cache starts again when full."""
    made: dict[Any, Any] = {}

    def decoded(data: Any) -> Any:
        found = made.get(data)
        if found is None:
            if len(made) >= 100_000:
                made.clear()
            found = made[data] = decode(data)
        return found

    return decoded
