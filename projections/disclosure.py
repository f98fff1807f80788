"""居务公开 views: notices with their drafts and review, the board's published versions kept with the moment each was
published and superseded (so the board can be read as of any past moment), objections and answers, and the finance
book's entries. The deliberation's ⑤/⑥ notices appear on the board too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID as PyUUID
from uuid import uuid5

from piccolo.columns import JSON, UUID, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.deliberation.procedure import Matter, Stage
from backend.disclosure.domain import FinanceBook, Notice, Version, month_bounds
from projections.chain import link_at
from projections.db import bulk_execute, bulk_insert
from projections.types import Item, LiveMessage

MIRROR_NAMESPACE = PyUUID("9e1b3d5f-7a9c-4e1b-8d3f-5a7c9e1b3d5f")
PAGE = 20


class NoticeView(Table, tablename="disclosure_notice"):
    """A notice as the committee works on it: the draft, its review, the version on the board."""

    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    category = Varchar(length=10)
    kind = Varchar(length=20)
    state = Varchar(length=12)  # draft | in_review | approved | published
    title = Varchar(length=80)  # the draft's, or the published version's when there is no draft
    text = Text()
    correction_reason = Text(default="")
    review_due = Date(null=True, default=None)
    returned_reason = Text(default="")
    version = Integer(default=0)  # the version on the board (0: not published)
    published_on = Date(null=True, default=None)
    until = Date(null=True, default=None)
    period = Varchar(length=20, default="")
    sources = JSON()  # positions of the events it is derived from
    photos = JSON()
    matter_id = UUID(null=True, default=None)  # a ⑤/⑥ notice of the deliberation
    created_at = Timestamptz()
    updated_at = Timestamptz()


class BoardEntry(Table, tablename="disclosure_board"):
    """One published version: on the board from `published_at` until `superseded_at` (its correction)."""

    id = UUID(primary_key=True)
    notice_id = UUID(index=True)
    community_id = UUID(index=True)
    category = Varchar(length=10)
    kind = Varchar(length=20)
    version = Integer()
    title = Varchar(length=80)
    text = Text()
    correction_reason = Text(default="")
    published_on = Date()
    until = Date()
    published_at = Timestamptz(index=True)
    superseded_at = Timestamptz(null=True, default=None)
    position = BigInt()
    chain_head = Varchar(length=64)


class ObjectionView(Table, tablename="disclosure_objection"):
    notice_id = UUID(index=True)
    community_id = UUID(index=True)
    number = Integer()
    resident_id = UUID()
    reason = Text()
    raised_at = Timestamptz()
    answer_due = Date()
    answer = Text(default="")
    answered_at = Timestamptz(null=True, default=None)


class FinanceEntryView(Table, tablename="disclosure_finance_entry"):
    community_id = UUID(index=True)
    number = Integer()
    kind = Varchar(length=10)
    dated = Date(index=True)
    amount_fen = BigInt()
    category = Varchar(length=20)
    counterparty = Varchar(length=60, default="")
    voucher = Varchar(length=64, default="")
    corrects = Integer(default=0)
    reason = Text(default="")
    recorded_at = Timestamptz()
    position = BigInt()


class PublishedDay(Table, tablename="disclosure_published_day"):
    """The days a community first published a notice of a category: what the schedule needs, a few rows a year
    however many notices there are."""

    community_id = UUID(index=True)
    category = Varchar(length=10)
    published_on = Date()


def mirror_id(matter_id: object, stage: str) -> PyUUID:
    return uuid5(MIRROR_NAMESPACE, f"{matter_id}|{stage}")


def board_channel(community_id: object) -> str:
    return f"board:{community_id}"


class DisclosureProjection:
    name = "disclosure"
    tables: ClassVar[Sequence[type[Table]]] = (NoticeView, BoardEntry, ObjectionView, FinanceEntryView, PublishedDay)
    handles: ClassVar[Sequence[type]] = (
        Notice.Drafted,
        Notice.Revised,
        Notice.Submitted,
        Notice.Approved,
        Notice.Returned,
        Notice.Published,
        Notice.ObjectionRaised,
        Notice.ObjectionAnswered,
        FinanceBook.Recorded,
        Matter.NoticePublished,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        boards: set[str] = set()
        for item in items:
            e = item.event
            if isinstance(e, FinanceBook.Recorded):
                await self._entry(item)
            elif isinstance(e, Matter.NoticePublished):
                await self._mirror(item)
                boards.add(str(e.community_id))
            else:
                await self._notice(item)
                if isinstance(e, Notice.Published | Notice.ObjectionRaised | Notice.ObjectionAnswered):
                    boards.add(str(e.community_id))
        return [(board_channel(c), {"changed": True}) for c in boards]

    async def _entry(self, item: Item) -> None:
        e = item.event
        await bulk_insert(
            FinanceEntryView,
            [
                {
                    "community_id": e.community_id,
                    "number": e.number,
                    "kind": e.kind,
                    "dated": e.on,
                    "amount_fen": e.amount_fen,
                    "category": e.category,
                    "counterparty": e.counterparty,
                    "voucher": e.voucher,
                    "corrects": e.corrects,
                    "reason": e.reason,
                    "recorded_at": e.timestamp,
                    "position": item.position,
                }
            ],
        )

    async def _notice(self, item: Item) -> None:
        e, nid = item.event, item.event.originator_id
        if isinstance(e, Notice.Drafted):
            sources = list(e.sources)
            if e.kind == "finance_report" and e.period:
                first, last = month_bounds(e.period)
                sources += [
                    int(r["position"])
                    for r in await FinanceEntryView.select(FinanceEntryView.position)
                    .where(
                        (FinanceEntryView.community_id == e.community_id)
                        & (FinanceEntryView.dated >= first)
                        & (FinanceEntryView.dated <= last)
                    )
                    .order_by(FinanceEntryView.position)
                ]
            await bulk_insert(
                NoticeView,
                [
                    {
                        "id": nid,
                        "community_id": e.community_id,
                        "category": e.category,
                        "kind": e.kind,
                        "state": "draft",
                        "title": e.title,
                        "text": e.text,
                        "correction_reason": "",
                        "review_due": None,
                        "returned_reason": "",
                        "version": 0,
                        "published_on": None,
                        "until": None,
                        "period": e.period,
                        "sources": sources,
                        "photos": list(e.photos),
                        "matter_id": None,
                        "created_at": e.timestamp,
                        "updated_at": e.timestamp,
                    }
                ],
            )
        elif isinstance(e, Notice.Revised):
            await _update(
                "state = ?, title = ?, text = ?, correction_reason = ?, returned_reason = ''",
                ("draft", e.title, e.text, e.reason),
                item,
            )
        elif isinstance(e, Notice.Submitted):
            await _update("state = ?, review_due = ?, returned_reason = ''", ("in_review", e.review_due), item)
        elif isinstance(e, Notice.Approved):
            await _update("state = ?", ("approved",), item)
        elif isinstance(e, Notice.Returned):
            await _update("state = ?, returned_reason = ?", ("draft", e.reason), item)
        elif isinstance(e, Notice.Published):
            row = await NoticeView.select(NoticeView.category, NoticeView.kind, NoticeView.correction_reason).where(
                NoticeView.id == nid
            )
            await _update(
                "state = ?, title = ?, text = ?, version = ?, published_on = ?, until = ?, review_due = NULL",
                ("published", e.title, e.text, e.version, e.published_on, e.until),
                item,
            )
            version = Version(e.version, e.title, e.text, e.published_on, e.until)
            await self._on_board(item, nid, row[0]["category"], row[0]["kind"], row[0]["correction_reason"], version)
        elif isinstance(e, Notice.ObjectionRaised):
            await bulk_insert(
                ObjectionView,
                [
                    {
                        "notice_id": nid,
                        "community_id": e.community_id,
                        "number": e.number,
                        "resident_id": e.resident_id,
                        "reason": e.reason,
                        "raised_at": e.timestamp,
                        "answer_due": e.answer_due,
                        "answer": "",
                        "answered_at": None,
                    }
                ],
            )
        elif isinstance(e, Notice.ObjectionAnswered):
            await bulk_execute(
                ObjectionView,
                "UPDATE disclosure_objection SET answer = ?, answered_at = ? WHERE notice_id = ? AND number = ?",
                [(e.answer, e.timestamp, nid, e.number)],
            )

    async def _on_board(
        self, item: Item, notice_id: PyUUID, category: str, kind: str, reason: str, version: Version
    ) -> None:
        """The version goes up; the one it corrects comes down at the same moment."""
        e = item.event
        await bulk_execute(
            BoardEntry,
            "UPDATE disclosure_board SET superseded_at = ? WHERE notice_id = ? AND superseded_at IS NULL",
            [(e.timestamp, notice_id)],
        )
        if version.number == 1 and not await PublishedDay.exists().where(
            (PublishedDay.community_id == e.community_id)
            & (PublishedDay.category == category)
            & (PublishedDay.published_on == version.published_on)
        ):
            row = {"community_id": e.community_id, "category": category, "published_on": version.published_on}
            await bulk_insert(PublishedDay, [row])
        await bulk_insert(
            BoardEntry,
            [
                {
                    "id": uuid5(notice_id, str(version.number)),
                    "notice_id": notice_id,
                    "community_id": e.community_id,
                    "category": category,
                    "kind": kind,
                    "version": version.number,
                    "title": version.title,
                    "text": version.text,
                    "correction_reason": reason,
                    "published_on": version.published_on,
                    "until": version.until,
                    "published_at": e.timestamp,
                    "superseded_at": None,
                    "position": item.position,
                    "chain_head": await link_at(item.position) or "",
                }
            ],
        )

    async def _mirror(self, item: Item) -> None:
        """A ⑤/⑥ notice of the deliberation, on the board under residents' affairs; its objections stay with the
        matter."""
        from projections import deliberation

        e = item.event
        matter = await deliberation.matter(e.originator_id)
        kind = "resolution" if e.stage == Stage.RESOLUTION_NOTICE.value else "result"
        title = (matter["title"] if matter else "")[:60]
        notice_id = mirror_id(e.originator_id, e.stage)
        await bulk_insert(
            NoticeView,
            [
                {
                    "id": notice_id,
                    "community_id": e.community_id,
                    "category": "affairs",
                    "kind": kind,
                    "state": "published",
                    "title": title,
                    "text": e.text,
                    "correction_reason": "",
                    "review_due": None,
                    "returned_reason": "",
                    "version": 1,
                    "published_on": e.published_on,
                    "until": e.objections_until,
                    "period": "",
                    "sources": [item.position],
                    "photos": [],
                    "matter_id": e.originator_id,
                    "created_at": e.timestamp,
                    "updated_at": e.timestamp,
                }
            ],
        )
        version = Version(1, title, e.text, e.published_on, e.objections_until)
        await self._on_board(item, notice_id, "affairs", kind, "", version)


async def _update(assignments: str, values: tuple[Any, ...], item: Item) -> None:
    await bulk_execute(
        NoticeView,
        f"UPDATE disclosure_notice SET {assignments}, updated_at = ? WHERE id = ?",
        [(*values, item.event.timestamp, item.event.originator_id)],
    )


# -- reading ----------------------------------------------------------------------------------------------------
async def position() -> int:
    """How far the board has read the log: a page kept for this position is still right."""
    from projections.runner import ProjectionPosition

    row = (
        await ProjectionPosition.select(ProjectionPosition.position)
        .where(ProjectionPosition.name == DisclosureProjection.name)
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
