"""What pages, exports and the street's overview read of 居务公开: notices, the board as it is or was at a moment,
versions, objections, finance entries, reports, and the schedule's facts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from backend.disclosure.domain.finance import month_bounds
from backend.disclosure.domain.schedule import Due, schedule
from projections.community import queries as communities
from projections.deliberation import queries as deliberation_views
from projections.disclosure.tables import BoardEntry, FinanceEntryView, NoticeView, ObjectionView, PublishedDay
from projections.runner import ProjectionPosition

PAGE = 20


async def position() -> int:
    """How far the board has read the log: a page kept for this position is still right."""
    row = (
        await ProjectionPosition.select(ProjectionPosition.position)
        .where(ProjectionPosition.name == "disclosure")  # DisclosureProjection.name
        .first()
    )
    return int(row["position"]) if row else 0


async def notice(notice_id: object) -> dict[str, Any] | None:
    return await NoticeView.select().where(NoticeView.id == notice_id).output(load_json=True).first()


async def drafts(community_id: object) -> list[dict[str, Any]]:
    """The committee's notices not (or not only) on the board: drafts, in review, approved, corrections."""
    return await (
        NoticeView.select()
        .where((NoticeView.community_id == community_id) & (NoticeView.state != "published"))
        .order_by(NoticeView.updated_at, ascending=False)
        .output(load_json=True)
    )


async def in_review(community_id: object) -> list[dict[str, Any]]:
    return await (
        NoticeView.select()
        .where((NoticeView.community_id == community_id) & (NoticeView.state == "in_review"))
        .order_by(NoticeView.review_due)
    )


def _on_board_at(community_id: object, at: datetime | None) -> Any:
    where = BoardEntry.community_id == community_id
    if at is None:
        return where & BoardEntry.superseded_at.is_null()
    return (
        where & (BoardEntry.published_at <= at) & (BoardEntry.superseded_at.is_null() | (BoardEntry.superseded_at > at))
    )


async def board(
    community_id: object,
    at: datetime | None = None,
    category: str = "",
    month: str = "",
    state: str = "",
    today: date | None = None,
    page: int = 1,
) -> list[dict[str, Any]]:
    """The board newest first, as it is (`at` None) or as it was at a moment: the versions then on it. `state`:
    "open" (in its 公示 period on `today`) or "archived"."""
    query = BoardEntry.select().where(_on_board_at(community_id, at))
    if category:
        query = query.where(BoardEntry.category == category)
    if month:
        first, last = month_bounds(month)
        query = query.where((BoardEntry.published_on >= first) & (BoardEntry.published_on <= last))
    if state and today is not None:
        query = query.where(BoardEntry.until >= today if state == "open" else BoardEntry.until < today)
    rows = await query.order_by(BoardEntry.published_at, ascending=False).limit(PAGE).offset(PAGE * (page - 1))
    if at is not None:  # as it was then: not yet superseded
        for row in rows:
            row["superseded_at"] = None
    return rows


async def changes(community_id: object) -> list[datetime]:
    """Every moment the community's board changed, in order: a version published or superseded, an objection
    raised or answered. Between two of them the board as of any moment (its rows, its objections) is the same."""
    return (await history(community_id))[0]


async def history(community_id: object) -> tuple[list[datetime], dict[str, list[tuple[datetime, datetime | None]]]]:
    """`changes`, and when each objection to the community's notices was raised and answered (None: not yet), by
    notice: how many a notice had by a moment, and how many were answered, are counted from these without a query."""
    published = BoardEntry.select(BoardEntry.published_at, BoardEntry.superseded_at).where(
        BoardEntry.community_id == community_id
    )
    objected = ObjectionView.select(ObjectionView.notice_id, ObjectionView.raised_at, ObjectionView.answered_at).where(
        ObjectionView.community_id == community_id
    )
    moments = {m for row in await published for m in row.values() if m is not None}
    by_notice: dict[str, list[tuple[datetime, datetime | None]]] = {}
    for row in await objected:
        moments.add(row["raised_at"])
        if row["answered_at"] is not None:
            moments.add(row["answered_at"])
        by_notice.setdefault(str(row["notice_id"]), []).append((row["raised_at"], row["answered_at"]))
    return sorted(moments), by_notice


async def changed(community_id: object) -> tuple[int, int, int, int]:
    """How many versions the community's board has had and how many were superseded, how many objections were
    raised and answered: changes only add to these (rows are never deleted, a version is superseded and an objection
    answered once), so while they are the same, so is `changes`."""
    versions = await (
        BoardEntry.select(Count(alias="n"), Count(BoardEntry.superseded_at, alias="gone"))
        .where(BoardEntry.community_id == community_id)
        .first()
    )
    raised = await (
        ObjectionView.select(Count(alias="n"), Count(ObjectionView.answered_at, alias="answered"))
        .where(ObjectionView.community_id == community_id)
        .first()
    )
    return versions["n"], versions["gone"], raised["n"], raised["answered"]


async def whole_board(community_id: object) -> list[dict[str, Any]]:
    """Every notice on the board now, newest first (exports and the open-data feed)."""
    return await (
        BoardEntry.select().where(_on_board_at(community_id, None)).order_by(BoardEntry.published_at, ascending=False)
    )


async def versions(notice_id: object, at: datetime | None = None) -> list[dict[str, Any]]:
    """A notice's published versions, oldest first (up to `at`)."""
    query = BoardEntry.select().where(BoardEntry.notice_id == notice_id)
    if at is not None:
        query = query.where(BoardEntry.published_at <= at)
    return await query.order_by(BoardEntry.version)


async def objections(notice_ids: list[object], at: datetime | None = None) -> list[dict[str, Any]]:
    """Objections to these notices (raised by `at`), with their answers (given by `at`)."""
    if not notice_ids:
        return []
    query = ObjectionView.select().where(ObjectionView.notice_id.is_in(notice_ids))
    if at is not None:
        query = query.where(ObjectionView.raised_at <= at)
    rows = await query.order_by(ObjectionView.raised_at)
    if at is not None:
        for row in rows:
            if row["answered_at"] is not None and row["answered_at"] > at:
                row["answer"], row["answered_at"] = "", None
    return rows


async def notices_under(chain_head: str) -> list[dict[str, Any]]:
    return await BoardEntry.select().where(BoardEntry.chain_head == chain_head.lower()).order_by(BoardEntry.position)


async def entries(community_id: object, month: str = "") -> list[dict[str, Any]]:
    query = FinanceEntryView.select().where(FinanceEntryView.community_id == community_id)
    if month:
        first, last = month_bounds(month)
        query = query.where((FinanceEntryView.dated >= first) & (FinanceEntryView.dated <= last))
    return await query.order_by(FinanceEntryView.number)


async def reported_months(community_id: object) -> dict[str, dict[str, Any]]:
    """Finance reports by month: the notice (its state, and when it was published)."""
    rows = await NoticeView.select().where(
        (NoticeView.community_id == community_id) & (NoticeView.kind == "finance_report")
    )
    return {r["period"]: r for r in rows}


async def first_published(community_id: object, categories: list[str]) -> list[date]:
    """The days notices of these categories were first published (for the general-disclosure schedule)."""
    rows = await PublishedDay.select(PublishedDay.published_on).where(
        (PublishedDay.community_id == community_id) & PublishedDay.category.is_in(categories)
    )
    return [r["published_on"] for r in rows]


async def open_objections(community_ids: list[object]) -> list[dict[str, Any]]:
    """Unanswered objections to notices of these communities, oldest first."""
    if not community_ids:
        return []
    return await (
        ObjectionView.select()
        .where(ObjectionView.community_id.is_in(community_ids) & ObjectionView.answered_at.is_null())
        .order_by(ObjectionView.answer_due)
    )


async def answer_days(community_ids: list[object]) -> dict[str, float]:
    """The mean days from objection to answer, per community."""
    if not community_ids:
        return {}
    rows = await ObjectionView.select(
        ObjectionView.community_id, ObjectionView.raised_at, ObjectionView.answered_at
    ).where(ObjectionView.community_id.is_in(community_ids) & ObjectionView.answered_at.is_not_null())
    spans: dict[str, list[float]] = {}
    for r in rows:
        spans.setdefault(str(r["community_id"]), []).append((r["answered_at"] - r["raised_at"]) / timedelta(days=1))
    return {c: round(sum(s) / len(s), 1) for c, s in spans.items()}


# -- the schedule and the street ----------------------------------------------------------------------------------
async def dues(community: dict[str, Any], on: date) -> list[Due]:
    """The disclosure schedule from the rulebook of the day: what fell due, and when it was done."""
    cid = community["id"]
    reports = await reported_months(cid)
    finance = {m: r["published_on"] for m, r in reports.items() if r["published_on"] is not None}
    return schedule(
        on,
        community.get("founded_on") or on,
        await communities.rule(cid, "finance_report_day", on),
        await communities.rule(cid, "general_disclosure_months", on),
        await communities.rule(cid, "major_disclosure_days", on),
        finance,
        await first_published(cid, ["affairs", "party"]),
        await deliberation_views.resolutions(cid),
    )


async def street_rows(places: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """Per community, on `day`: overdue disclosures, open objections (and those past their answer date), mean
    answer days."""
    ids = [p["id"] for p in places]
    objections = await open_objections(ids)
    mean_days = await answer_days(ids)
    rows = []
    for place in places:
        mine = [o for o in objections if str(o["community_id"]) == str(place["id"])]
        rows.append(
            {
                "overdue": [d for d in await dues(place, day) if d.overdue(day)],
                "open_objections": len(mine),
                "late_answers": sum(1 for o in mine if o["answer_due"] < day),
                "answer_days": mean_days.get(str(place["id"])),
            }
        )
    return rows
