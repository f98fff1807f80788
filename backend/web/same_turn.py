"""Reads of a shared store asked for in one turn of the event loop, answered by one round trip after it
(backend.web.pg_store, backend.web.stores; the signed-in residents' rows, backend.web.auth): a signed-in page kept
for its reader costs a read of the session and one of the sign-outs (backend.web.kept), and fifty readers at once
would otherwise take turns on a few connections for a hundred round trips, each costing the client about as much
CPU as sending the page. Each read still starts after it was asked for: a sign-out committed before counts, as with
a statement each."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class SameTurn(Generic[Key, Value]):
    """`read` answers each key with what `read_all` found for it (None: nothing), one `read_all` per turn and loop;
    with `most`, one per `most` keys of the turn, read side by side (a statement's parameters are not unbounded)."""

    def __init__(self, read_all: Callable[[list[Key]], Awaitable[dict[Key, Value]]], most: int | None = None) -> None:
        self.read_all = read_all
        self.most = most
        self.wanted: dict[asyncio.AbstractEventLoop, dict[Key, list[asyncio.Future[Value | None]]]] = {}
        self.reading: set[asyncio.Task[None]] = set()  # held: the loop keeps only weak references to tasks

    async def read(self, key: Key) -> Value | None:
        loop = asyncio.get_running_loop()
        wanted = self.wanted.get(loop)
        if wanted is None:
            wanted = self.wanted[loop] = {}
            loop.call_soon(self._read_all, loop)
        future: asyncio.Future[Value | None] = loop.create_future()
        wanted.setdefault(key, []).append(future)
        return await future

    def _read_all(self, loop: asyncio.AbstractEventLoop) -> None:
        wanted = list(self.wanted.pop(loop, {}).items())
        step = self.most or len(wanted) or 1
        for start in range(0, len(wanted), step):
            task = loop.create_task(self._answer(dict(wanted[start : start + step])))
            self.reading.add(task)
            task.add_done_callback(self.reading.discard)

    async def _answer(self, wanted: dict[Key, list[asyncio.Future[Value | None]]]) -> None:
        try:
            found = await self.read_all(list(wanted))
        except asyncio.CancelledError:  # the app is closing: so are its reads
            for futures in wanted.values():
                for future in futures:
                    future.cancel()
            raise
        except Exception as error:  # each waiting read fails with it, as its own round trip would have
            for futures in wanted.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(error)
            return
        for key, futures in wanted.items():
            for future in futures:
                if not future.done():  # not cancelled (the phone went away)
                    future.set_result(found.get(key))
