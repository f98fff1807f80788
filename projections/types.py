"""What a projection is and what it is given: the shapes every projection and the projector share. Imports nothing
of the project, so that any projection may use it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from eventsourcing.persistence import Notification
from piccolo.table import Table

LiveMessage = tuple[str, dict[str, Any]]  # a channel and what is published on it after the batch commits
Publish = Callable[[str, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Item:
    """One notification of the log as a projection sees it: its position, the stored notification, and the
    decoded event (None for projections that take every notification undecoded)."""

    position: int
    notification: Notification
    event: Any


class Projection(Protocol):
    name: str
    tables: ClassVar[Sequence[type[Table]]]
    handles: ClassVar[Sequence[type]]  # event classes; empty means every notification, undecoded

    async def apply(self, items: list[Item]) -> list[LiveMessage]: ...
