"""The projection of 居务公开: notices and their review, the board's versions (each up from its publication until its
correction), objections and answers, the finance book's entries, the days a category was first published; and the
deliberation's ⑤/⑥ notices, mirrored onto the board."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID as PyUUID
from uuid import uuid5

from piccolo.table import Table

from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.rules import Stage
from backend.disclosure.domain.finance import FinanceBook, month_bounds
from backend.disclosure.domain.notice import Notice, Version
from projections.chain.tables import ChainLink
from projections.db import bulk_execute, bulk_insert
from projections.deliberation import queries as deliberation
from projections.disclosure.tables import BoardEntry, FinanceEntryView, NoticeView, ObjectionView, PublishedDay
from projections.types import Item, LiveMessage

MIRROR_NAMESPACE = PyUUID("9e1b3d5f-7a9c-4e1b-8d3f-5a7c9e1b3d5f")


NOTICE_EVENTS = (
    Notice.Revised,
    Notice.Submitted,
    Notice.Approved,
    Notice.Returned,
    Notice.Published,
    Notice.ObjectionRaised,
    Notice.ObjectionAnswered,
)


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
        batch = _Batch()
        await batch.load(items)
        for item in items:
            e = item.event
            if isinstance(e, FinanceBook.Recorded):
                await self._entry(item)
            elif isinstance(e, Matter.NoticePublished):
                await self._mirror(item, batch)
                boards.add(str(e.community_id))
            else:
                await self._notice(item, batch)
                if isinstance(e, Notice.Published | Notice.ObjectionRaised | Notice.ObjectionAnswered):
                    boards.add(str(e.community_id))
        await batch.flush()
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

    async def _notice(self, item: Item, batch: _Batch) -> None:
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
            batch.insert(
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
            )
        elif isinstance(e, Notice.Revised):
            batch.update(
                item, state="draft", title=e.title, text=e.text, correction_reason=e.reason, returned_reason=""
            )
        elif isinstance(e, Notice.Submitted):
            batch.update(item, state="in_review", review_due=e.review_due, returned_reason="")
        elif isinstance(e, Notice.Approved):
            batch.update(item, state="approved")
        elif isinstance(e, Notice.Returned):
            batch.update(item, state="draft", returned_reason=e.reason)
        elif isinstance(e, Notice.Published):
            row = batch.notice(nid)
            batch.update(
                item,
                state="published",
                title=e.title,
                text=e.text,
                version=e.version,
                published_on=e.published_on,
                until=e.until,
                review_due=None,
            )
            version = Version(e.version, e.title, e.text, e.published_on, e.until)
            batch.on_board(item, nid, row["category"], row["kind"], row["correction_reason"], version)
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

    async def _mirror(self, item: Item, batch: _Batch) -> None:
        """A ⑤/⑥ notice of the deliberation, on the board under residents' affairs; its objections stay with the
        matter."""
        e = item.event
        matter = await deliberation.matter(e.originator_id)
        kind = "resolution" if e.stage == Stage.RESOLUTION_NOTICE.value else "result"
        title = (matter["title"] if matter else "")[:60]
        notice_id = mirror_id(e.originator_id, e.stage)
        batch.insert(
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
        )
        version = Version(1, title, e.text, e.published_on, e.objections_until)
        batch.on_board(item, notice_id, "affairs", kind, "", version)


class _Batch:
    """The notices, board entries and published days of one batch, kept in memory and written at its end in a few
    statements (one statement per event and table made a rebuild of 100,000 notices take minutes). Whatever the
    handlers read of these tables is read here: the notices the batch changes but did not draft (one query ahead),
    the board entries a new version takes down (those of this batch in memory, older ones by one UPDATE before the
    batch's own go in), the days already published and the chain's head at each entry (one query each at the end).
    Finance entries and objections are still written as they come (few, and a finance report's draft reads them)."""

    def __init__(self) -> None:
        self.notices: dict[PyUUID, dict[str, Any]] = {}  # category, kind, correction_reason of each notice touched
        self.new: dict[PyUUID, dict[str, Any]] = {}  # notices drafted (or mirrored) in this batch: whole rows
        self.changed: dict[PyUUID, dict[str, Any]] = {}  # the columns set on older notices, in the order set
        self.entries: list[dict[str, Any]] = []
        self.up: dict[PyUUID, dict[str, Any]] = {}  # each notice's entry of this batch still on the board
        self.taken_down: dict[PyUUID, Any] = {}  # older entries taken down: the moment of the first new version
        self.days: dict[tuple[Any, ...], None] = {}  # first publications' (community, category, day), in order

    async def load(self, items: list[Item]) -> None:
        drafted = {i.event.originator_id for i in items if isinstance(i.event, Notice.Drafted)}
        ids = list({i.event.originator_id for i in items if isinstance(i.event, NOTICE_EVENTS)} - drafted)
        for k in range(0, len(ids), 500):
            rows = await NoticeView.select(
                NoticeView.id, NoticeView.category, NoticeView.kind, NoticeView.correction_reason
            ).where(NoticeView.id.is_in(ids[k : k + 500]))
            self.notices |= {r["id"]: r for r in rows}

    def notice(self, notice_id: PyUUID) -> dict[str, Any]:
        return self.notices[notice_id]

    def insert(self, row: dict[str, Any]) -> None:
        self.new[row["id"]] = row
        self.notices[row["id"]] = {k: row[k] for k in ("id", "category", "kind", "correction_reason")}

    def update(self, item: Item, **values: Any) -> None:
        notice_id = item.event.originator_id
        values["updated_at"] = item.event.timestamp
        if "correction_reason" in values and notice_id in self.notices:
            self.notices[notice_id]["correction_reason"] = values["correction_reason"]
        if notice_id in self.new:
            self.new[notice_id].update(values)
        else:
            changed = self.changed.setdefault(notice_id, {})
            changed.update(values)

    def on_board(self, item: Item, notice_id: PyUUID, category: str, kind: str, reason: str, version: Version) -> None:
        """The version goes up; the one it corrects comes down at the same moment."""
        e = item.event
        if notice_id in self.up:
            self.up[notice_id]["superseded_at"] = e.timestamp
        else:
            self.taken_down.setdefault(notice_id, e.timestamp)
        if version.number == 1:
            self.days[(e.community_id, category, version.published_on)] = None
        entry = {
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
            "chain_head": "",
        }
        self.entries.append(entry)
        self.up[notice_id] = entry

    async def flush(self) -> None:
        await bulk_insert(NoticeView, list(self.new.values()))
        by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for notice_id, values in self.changed.items():
            by_columns.setdefault(tuple(values), []).append((*values.values(), notice_id))
        for columns, params in by_columns.items():
            assignments = ", ".join(f"{c} = ?" for c in columns)
            await bulk_execute(NoticeView, f"UPDATE disclosure_notice SET {assignments} WHERE id = ?", params)
        await bulk_execute(
            BoardEntry,
            "UPDATE disclosure_board SET superseded_at = ? WHERE notice_id = ? AND superseded_at IS NULL",
            [(at, notice_id) for notice_id, at in self.taken_down.items()],
        )
        positions = [entry["position"] for entry in self.entries]
        heads: dict[int, str] = {}
        for k in range(0, len(positions), 500):
            rows = await ChainLink.select(ChainLink.position, ChainLink.link).where(
                ChainLink.position.is_in(positions[k : k + 500])
            )
            heads |= {int(r["position"]): r["link"] for r in rows}
        for entry in self.entries:
            entry["chain_head"] = heads.get(entry["position"], "")
        await bulk_insert(BoardEntry, self.entries)
        await bulk_insert(PublishedDay, await _not_yet_published(list(self.days)))


async def _not_yet_published(days: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The rows of the (community, category, day) first published in this batch that no earlier batch has."""
    if not days:
        return []
    communities = list({community for community, _, _ in days})
    first, last = min(day for _, _, day in days), max(day for _, _, day in days)
    known = set()
    for k in range(0, len(communities), 500):
        rows = await PublishedDay.select(
            PublishedDay.community_id, PublishedDay.category, PublishedDay.published_on
        ).where(
            PublishedDay.community_id.is_in(communities[k : k + 500])
            & (PublishedDay.published_on >= first)
            & (PublishedDay.published_on <= last)
        )
        known |= {(r["community_id"], r["category"], r["published_on"]) for r in rows}
    return [
        {"community_id": c, "category": category, "published_on": day}
        for c, category, day in days
        if (c, category, day) not in known
    ]
