"""The inbox's notices of community news (社区动态): an important notice (重要: it asks each resident for 我已阅读)
reaches every verified resident of the community as it stands when it is posted; any other item only those who asked
for it on /me/notices (opt-in, off by default). An edit or a withdrawal tells no one again (the item's page says it).
The residents' view is applied before the inbox (projections.registry), so "verified" is read as of the batch; a
resident registered after the item was posted is not told of it (the home and the list show it to them)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from backend.news.domain.item import NewsItem
from projections.inbox.queries import opted_in
from projections.inbox.sources import Row, Stateless, notices
from projections.residents.tables import ResidentView
from projections.types import Item

NEWS, IMPORTANT = "news", "news_important"


class NewsNotices(Stateless):
    events: ClassVar[tuple[type, ...]] = (NewsItem.Posted,)
    reads_choices = True  # who opted in, as of the event: the inbox writes the choices before it (handlers.py)

    async def rows(self, item: Item) -> list[Row]:
        e = item.event
        params = {"title": e.title, "category": e.category}
        if not e.important:
            return notices(item, await opted_in(e.community_id, NEWS), NEWS, e.originator_id, params)
        verified = await ResidentView.select(ResidentView.id).where(
            (ResidentView.community_id == e.community_id)
            & (ResidentView.status == "verified")
            & (ResidentView.registered_at <= e.timestamp)
        )
        people = sorted((UUID(str(r["id"])) for r in verified), key=str)
        return notices(item, people, IMPORTANT, e.originator_id, params)
