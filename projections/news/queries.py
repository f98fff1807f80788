"""What the pages of 社区动态 (and the home) read: the listed items, pinned first then newest; an item and its
versions; what a resident has read; and, for the clerk, who has not read an important item, by building."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from backend.news.domain.item import CATEGORIES, expired
from projections.news.tables import NewsVersion, NewsView, ReadingView

LIST_LIMIT = 100


def shown(row: dict[str, Any], today: date) -> dict[str, Any]:
    """The row with its state: withdrawn (撤回) or expired (已过期) items stay at their address, marked."""
    return {
        **row,
        "withdrawn": row["withdrawn_at"] is not None,
        "expired": expired(row["until"], today),
        "category_label": CATEGORIES.get(row["category"], row["category"]),
    }


def news_channel(community_id: object) -> str:
    """The community's list hears of every item posted, edited or withdrawn."""
    return f"news:{community_id}"


async def listed(
    community_id: object, today: date, category: str = "", important: bool = False, limit: int = LIST_LIMIT
) -> list[dict[str, Any]]:
    """The items neither withdrawn nor past their last day: pinned first, then the newest."""
    query = NewsView.select().where(
        (NewsView.community_id == community_id)
        & NewsView.withdrawn_at.is_null()
        & (NewsView.until.is_null() | (NewsView.until >= today))
    )
    if category:
        query = query.where(NewsView.category == category)
    if important:
        query = query.where(NewsView.important == True)  # noqa: E712 - Piccolo's comparison
    return (
        await query.order_by(NewsView.pinned, ascending=False)
        .order_by(NewsView.posted_at, ascending=False)
        .limit(limit)
    )


async def recent(community_id: object, limit: int = 50) -> list[dict[str, Any]]:
    """The clerk's desk: every item, newest first, withdrawn and expired ones too."""
    return await (
        NewsView.select()
        .where(NewsView.community_id == community_id)
        .order_by(NewsView.posted_at, ascending=False)
        .limit(limit)
    )


async def item(news_id: object) -> dict[str, Any] | None:
    return await NewsView.select().where(NewsView.id == news_id).first()


async def versions(news_id: object) -> list[dict[str, Any]]:
    return await NewsVersion.select().where(NewsVersion.news_id == news_id).order_by(NewsVersion.version)


async def read_at(subject_id: object, resident_id: object) -> Any:
    """When the resident read it (None: not yet)."""
    row = await (
        ReadingView.select(ReadingView.read_at)
        .where((ReadingView.subject_id == subject_id) & (ReadingView.resident_id == resident_id))
        .first()
    )
    return row["read_at"] if row else None


async def read_of(resident_id: object, subject_ids: Iterable[object]) -> set[str]:
    """Which of these (items or notices) the resident has read, as ids in text."""
    wanted = list(subject_ids)
    if not wanted:
        return set()
    rows = await ReadingView.select(ReadingView.subject_id).where(
        (ReadingView.resident_id == resident_id) & ReadingView.subject_id.is_in(wanted)
    )
    return {str(r["subject_id"]) for r in rows}


async def readers(subject_id: object) -> int:
    return await ReadingView.count().where(ReadingView.subject_id == subject_id)


async def residents_reading(community_id: object, subject_id: object) -> list[dict[str, Any]]:
    """Every verified resident of the community, with their household, its building and whether they have read the
    subject (`read`): one statement, the reading found by the resident's index."""
    rows = await ReadingView.raw(
        "SELECT r.id AS id, r.household AS household, h.building AS building, n.read_at AS read_at "
        "FROM resident r LEFT JOIN household h ON h.id = r.household_id "
        "LEFT JOIN news_reading n ON n.resident_id = r.id AND n.subject_id = {} "
        "WHERE r.community_id = {} AND r.status = 'verified'",
        subject_id,
        community_id,
    )
    return [{**r, "read": r["read_at"] is not None, "building": r["building"] or ""} for r in rows]
