"""What pages read of communities and their rulebooks."""

from __future__ import annotations

from datetime import date

from backend.community.domain.rules import RULES
from projections.community.tables import CommunityView, RuleView


async def by_code(code: str) -> dict | None:
    return await CommunityView.select().where(CommunityView.code == code).first()


async def by_id(community_id: object) -> dict | None:
    return await CommunityView.select().where(CommunityView.id == community_id).first()


async def all_communities() -> list[dict]:
    return await CommunityView.select().order_by(CommunityView.name)


async def first_community() -> dict | None:
    """The community shown when none is asked for (a visitor's board, the registration form): the longest founded,
    not the first by name — a deployment that adds a neighbour called 安康苑 keeps its own board in front."""
    return await CommunityView.select().order_by(CommunityView.founded_on).order_by(CommunityView.name).first()


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
