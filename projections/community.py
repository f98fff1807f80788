"""Communities and their rulebooks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from piccolo.columns import UUID, Date, Integer, Varchar
from piccolo.table import Table

from backend.community.domain import RULES, Community
from backend.kernel.zone import LOCAL_ZONE
from projections.types import Item, LiveMessage


class CommunityView(Table, tablename="community"):
    id = UUID(primary_key=True)
    name = Varchar(length=60)
    code = Varchar(length=40, index=True)
    street = Varchar(length=40, default="")
    founded_on = Date(null=True, default=None)  # the day in China: disclosures are due from then


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
    handles: ClassVar[Sequence[type]] = (Community.Founded, Community.RuleSet, Community.StreetSet)

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        for item in items:
            event = item.event
            if isinstance(event, Community.Founded):
                founded_on = event.timestamp.astimezone(LOCAL_ZONE).date()
                await CommunityView.insert(
                    CommunityView(id=event.originator_id, name=event.name, code=event.code, founded_on=founded_on)
                )
            elif isinstance(event, Community.StreetSet):
                await CommunityView.update({CommunityView.street: event.street}).where(
                    CommunityView.id == event.originator_id
                )
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


async def in_streets(streets: list[str]) -> list[dict]:
    if not streets:
        return []
    return await CommunityView.select().where(CommunityView.street.is_in(streets)).order_by(CommunityView.name)


async def rule(community_id: object, name: str, on: date) -> int:
    """The value of a rule in force on a day, as the rulebook's events set it; else the default (the same reading
    as Community.rule in commands)."""
    row = (
        await RuleView.select(RuleView.value)
        .where((RuleView.community_id == community_id) & (RuleView.rule == name) & (RuleView.effective_from <= on))
        .order_by(RuleView.effective_from, ascending=False)
        .order_by(RuleView.position, ascending=False)
        .first()
    )
    return row["value"] if row else RULES[name].default
