"""The news projection: each item as it stands and its versions; the residents' readings. The community's list is
told (live) when an item is posted, edited or withdrawn."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from piccolo.table import Table

from backend.news.domain.item import NewsItem
from backend.news.domain.reading import Reading
from projections.db import bulk_execute, bulk_insert
from projections.news.queries import news_channel
from projections.news.tables import NewsVersion, NewsView, ReadingView
from projections.types import Item, LiveMessage

FIELDS = ("category", "title", "text", "photo", "pinned", "important", "until")


class NewsProjection:
    name = "news"
    tables: ClassVar[Sequence[type[Table]]] = (NewsView, NewsVersion, ReadingView)
    handles: ClassVar[Sequence[type]] = (NewsItem.Posted, NewsItem.Edited, NewsItem.Withdrawn, Reading.Recorded)

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        lists: set[str] = set()
        readings = []
        for item in items:
            e = item.event
            if isinstance(e, Reading.Recorded):
                readings.append(
                    {
                        "id": e.originator_id,
                        "subject": e.subject,
                        "subject_id": e.subject_id,
                        "resident_id": e.resident_id,
                        "community_id": e.community_id,
                        "read_at": e.timestamp,
                    }
                )
                continue
            lists.add(str(e.community_id))
            if isinstance(e, NewsItem.Posted):
                await self._posted(item)
            elif isinstance(e, NewsItem.Edited):
                await self._edited(item)
            elif isinstance(e, NewsItem.Withdrawn):
                await bulk_execute(
                    NewsView,
                    "UPDATE news_item SET withdrawn_at = ?, withdraw_reason = ?, updated_at = ?, position = ? "
                    "WHERE id = ?",
                    [(e.timestamp, e.reason, e.timestamp, item.position, e.originator_id)],
                )
        await bulk_insert(ReadingView, readings)  # one statement for the batch's readings
        return [(news_channel(c), {"changed": True}) for c in lists]

    @staticmethod
    def _version(e: Any, version: int) -> dict[str, Any]:
        return {
            "news_id": e.originator_id,
            "version": version,
            **{f: getattr(e, f) for f in FIELDS},
            "at": e.timestamp,
            "actor_id": e.actor_id,
        }

    async def _posted(self, item: Item) -> None:
        e = item.event
        row = {
            "id": e.originator_id,
            "community_id": e.community_id,
            **{f: getattr(e, f) for f in FIELDS},
            "version": 1,
            "posted_at": e.timestamp,
            "updated_at": e.timestamp,
            "author_id": e.actor_id,
            "withdrawn_at": None,
            "withdraw_reason": "",
            "position": item.position,
        }
        await bulk_insert(NewsView, [row])
        await bulk_insert(NewsVersion, [self._version(e, 1)])

    async def _edited(self, item: Item) -> None:
        e = item.event
        await bulk_execute(
            NewsView,
            "UPDATE news_item SET category = ?, title = ?, text = ?, photo = ?, pinned = ?, important = ?, "
            "until = ?, version = ?, updated_at = ?, position = ? WHERE id = ?",
            [(*(getattr(e, f) for f in FIELDS), e.version, e.timestamp, item.position, e.originator_id)],
        )
        await bulk_insert(NewsVersion, [self._version(e, e.version)])
