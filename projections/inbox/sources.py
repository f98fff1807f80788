"""What a source of notices is: one module per context (bookings.py, cases.py, deliberation.py, residents.py,
disclosure.py, volunteering.py) says which of its events concern whom and how their notifications read. The inbox
projection (handlers.py) hands each source the events it names, in the log's order, and writes the rows every source
returned in one statement per batch. A new source (community news) is a module with `events`, `load`, `rows` and
`flush`, added to handlers.SOURCES, its kinds to backend.inbox.domain.kinds and its texts to backend.inbox.texts.

A source reads other contexts' views only where they stand as of the event (the registry applies their projections
before the inbox, and a row it reads is fixed by then, or it filters by position), or keeps what it needs in the
inbox's own tables as the events come: so a rebuild gives the rows a live run gave."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from projections.types import Item

NOTICE_NAMESPACE = uuid5(NAMESPACE_URL, "linli:inbox:notice")
Row = dict[str, Any]


class Source(Protocol):
    """`reads_choices` (optional, False): the source reads the residents' choices (who opted in to a kind), so the
    choices made earlier in the batch are written before each of its events."""

    events: ClassVar[Sequence[type]]

    async def load(self, items: list[Item]) -> None:
        """Read ahead what the batch's events of this source need (one query for many, where it can)."""

    async def rows(self, item: Item) -> list[Row]:
        """The notifications one event makes (any of the source's own tables written first, in order)."""

    async def flush(self) -> None:
        """Write what the source kept of the batch for later batches (rows it collected, to go in at once)."""


class Stateless:
    """A source that reads nothing ahead and keeps nothing for later batches: `load` and `flush` do nothing."""

    async def load(self, items: list[Item]) -> None:
        return None

    async def flush(self) -> None:
        return None


def notices(
    item: Item,
    residents: Iterable[UUID | str | None],
    kind: str,
    subject_id: UUID | None,
    params: dict[str, Any] | None = None,
    reason: str = "",
    slot_id: UUID | None = None,
) -> list[Row]:
    """One row per resident the event concerns, each once, never to whoever took the step (they know)."""
    e, rows, seen = item.event, [], set()
    for resident in residents:
        if resident is None:
            continue
        resident_id = resident if isinstance(resident, UUID) else UUID(str(resident))
        if resident_id == e.actor_id or resident_id in seen:
            continue
        seen.add(resident_id)
        rows.append(row(item, resident_id, kind, subject_id, params, reason, slot_id, _id(item, resident_id)))
    return rows


def row(
    item: Item,
    resident_id: UUID,
    kind: str,
    subject_id: UUID | None,
    params: dict[str, Any] | None,
    reason: str,
    slot_id: UUID | None,
    notification_id: UUID,
) -> Row:
    """Every source's rows have every column, so that a batch's rows go in as one statement."""
    return {
        "id": notification_id,
        "resident_id": resident_id,
        "kind": kind,
        "slot_id": slot_id,
        "reason": reason,
        "created_at": item.event.timestamp,
        "position": item.position,
        "pushed": False,
        "subject_id": subject_id,
        "params": params or {},
    }


def _id(item: Item, resident_id: UUID) -> UUID:
    return uuid5(NOTICE_NAMESPACE, f"{item.event.originator_id}|{item.event.originator_version}|{resident_id}")
