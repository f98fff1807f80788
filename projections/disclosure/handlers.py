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
from projections.chain.queries import link_at
from projections.db import bulk_execute, bulk_insert
from projections.deliberation import queries as deliberation
from projections.disclosure.tables import BoardEntry, FinanceEntryView, NoticeView, ObjectionView, PublishedDay
from projections.types import Item, LiveMessage

MIRROR_NAMESPACE = PyUUID("9e1b3d5f-7a9c-4e1b-8d3f-5a7c9e1b3d5f")


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
