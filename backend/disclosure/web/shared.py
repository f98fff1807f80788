"""What renderings of the public board share in one process (backend/disclosure/web/board.py): the views every
rendering reads alike, read once per position of the projector (`once`), and the boards' cards, bodies and pages'
frames kept by what they show (`Shown`)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from litestar import Request

# What every rendering of the board reads alike — the community, what is overdue today, the verification alarm, the
# latest checkpoint and its witnesses: eight statements — by projector, as of its position: all are views, so they
# change only when an event is projected (and the day is part of the overdue markers' key).
READ: WeakKeyDictionary[Any, tuple[int, dict[Any, Any]]] = WeakKeyDictionary()
History = tuple[list[datetime], dict[str, list[tuple[datetime, datetime | None]]]]  # queries.history
# How many of each are kept a projector's position, the oldest going first: boards' cards (references to the cards in
# cards.CARDS, mostly shared), boards' bodies around their cards (~6,000 characters each) and pages' frames around
# their bodies (~5,000 characters each: one a signed-in reader, with their name and bell, and one for anyone).
MOST = {"cards": 4_096, "skeletons": 1_024, "frames": 2_048}


@dataclass
class Kept:
    """What the boards share as of one position of the projector: the boards' cards by the change they are as of
    (board._cards), their bodies around them (board._body) and the pages' frames around those (board._frame)."""

    cards: OrderedDict[tuple[Any, ...], tuple[str, ...]] = field(default_factory=OrderedDict)
    skeletons: OrderedDict[tuple[Any, ...], str] = field(default_factory=OrderedDict)
    frames: OrderedDict[tuple[Any, ...], tuple[str, str]] = field(default_factory=OrderedDict)

    def found(self, kind: str, key: tuple[Any, ...]) -> Any:
        """What is kept of `kind` ("cards", "skeletons", "frames") under `key`, or None."""
        kept: OrderedDict[tuple[Any, ...], Any] = getattr(self, kind)
        value = kept.get(key)
        if value is not None:
            kept.move_to_end(key)
        return value

    def keep(self, kind: str, key: tuple[Any, ...], value: Any) -> None:
        kept: OrderedDict[tuple[Any, ...], Any] = getattr(self, kind)
        kept[key] = value
        if len(kept) > MOST[kind]:
            kept.popitem(last=False)


@dataclass
class Shown:
    """What this process's projector's boards share (by projector, like READ: one app's positions and communities
    are not another's): each community's board's changes and objections' times with their counts when read
    (board._changes), and what is kept as of the projector's `position` (dropped together when it moves, as READ's
    values)."""

    changes: dict[Any, tuple[tuple[int, ...], History]] = field(default_factory=dict)
    position: int = -1
    kept: Kept = field(default_factory=Kept)

    def at(self, position: int) -> Kept:
        """What is kept as of `position`. A rendering keeps what it read into the Kept it began with, even if an
        event is projected meanwhile: no request after the event sees that one."""
        if position != self.position:
            self.position, self.kept = position, Kept()
        return self.kept


SHOWN: WeakKeyDictionary[Any, Shown] = WeakKeyDictionary()


async def once(request: Request[Any, Any, Any], key: Any, read: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """`read(request, *args)`, read once per position of this process's projector (READ); without a projector here,
    every time. A value read while an event is being projected is kept under the position before it, which the
    next request no longer has: it reads again. Requests that ask while it is being read wait for that reading (32
    readers' first time-travel pages would otherwise each read the board's changes); a reading that failed is
    forgotten, and a reader who goes away does not cancel it for the others."""
    projector = request.app.state.runtime.projector
    if not projector.running:
        return await read(request, *args)
    position = projector.position
    known = READ.get(projector)
    if known is None or known[0] != position:
        known = READ[projector] = (position, {})
    values = known[1]
    reading = values.get(key)
    if reading is None:
        reading = values[key] = asyncio.ensure_future(read(request, *args))
        reading.add_done_callback(lambda done: forget_failed(values, key, done))
    return await asyncio.shield(reading)


def forget_failed(values: dict[Any, Any], key: Any, done: asyncio.Future[Any]) -> None:
    if done.cancelled() or done.exception() is not None:
        values.pop(key, None)
