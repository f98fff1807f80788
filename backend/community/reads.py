"""What other contexts' commands read of a community: its aggregate (its rules in force on a day, its street)."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from backend.community.domain.community import Community
from backend.kernel.errors import NotFound
from backend.kernel.store import LinliApp


def load_community(app: LinliApp, community_id: object) -> Community:
    try:
        return app.repository.get(community_id)
    except AggregateNotFoundError:
        raise NotFound("No such community.") from None
