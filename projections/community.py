"""Communities and their rulebooks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from piccolo.columns import UUID, Date, Integer, Varchar
from piccolo.table import Table

from backend.community.domain import Community
from projections.runner import Item, LiveMessage


class CommunityView(Table, tablename="community"):
    id = UUID(primary_key=True)
    name = Varchar(length=60)
    code = Varchar(length=40, index=True)


class RuleView(Table, tablename="community_rule"):
    community_id = UUID(index=True)
    rule = Varchar(length=40)
    value = Integer()
    effective_from = Date()
    source = Varchar(length=200)
    position = Integer()


class CommunityProjection:
    name = "community"
    tables: ClassVar[Sequence[type[Table]]] = (CommunityView, RuleView)
    handles: ClassVar[Sequence[type]] = (Community.Founded, Community.RuleSet)

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        from datetime import date

        for item in items:
            event = item.event
            if isinstance(event, Community.Founded):
                await CommunityView.insert(CommunityView(id=event.originator_id, name=event.name, code=event.code))
            elif isinstance(event, Community.RuleSet):
                await RuleView.insert(
                    RuleView(
                        community_id=event.originator_id,
                        rule=event.rule,
                        value=event.value,
                        effective_from=date.fromisoformat(event.effective_from),
                        source=event.source,
                        position=item.position,
                    )
                )
        return []


async def by_code(code: str) -> dict | None:
    return await CommunityView.select().where(CommunityView.code == code).first()


async def by_id(community_id: object) -> dict | None:
    return await CommunityView.select().where(CommunityView.id == community_id).first()


async def all_communities() -> list[dict]:
    return await CommunityView.select().order_by(CommunityView.name)
