"""The community projection: communities and their rulebooks from their events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from piccolo.table import Table

from backend.community.domain.community import Community
from backend.kernel.zone import LOCAL_ZONE
from projections.community.tables import CommunityView, RuleView
from projections.types import Item, LiveMessage


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
