"""The inbox's notices of disclosure: an answer to one's objection (质询) to a board notice, and — for those who asked
for it on /me/notices (opt-in, off by default) — each notice published on their community's board. The disclosure
views come after the inbox's in the registry, so the inbox keeps what it needs as the events come: who raised each
objection, and each notice's title; those who opted in are the inbox's own rows, as of the event."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from backend.disclosure.domain.notice import Notice
from projections.db import bulk_execute, bulk_insert
from projections.inbox.queries import opted_in
from projections.inbox.sources import Row, notices
from projections.inbox.tables import InboxObjection, InboxSubject
from projections.types import Item

BOARD_NOTICE = "board_notice"


class DisclosureNotices:
    """The notices' titles are kept for the batch and written at its end (a rebuild publishes thousands a batch);
    who opted in is read once per community until the batch's residents change their choices."""

    events: ClassVar[tuple[type, ...]] = (Notice.Published, Notice.ObjectionRaised, Notice.ObjectionAnswered)
    reads_choices = True  # who opted in, as of the event: the inbox writes the choices before it (handlers.py)

    def __init__(self) -> None:
        self._titles: dict[UUID, str] = {}  # InboxSubject rows of this batch, written by `flush`
        self._opted: dict[object, list[UUID]] = {}

    async def load(self, items: list[Item]) -> None:
        return None

    def choices_changed(self) -> None:
        self._opted.clear()

    async def flush(self) -> None:
        await bulk_execute(InboxSubject, "DELETE FROM inbox_subject WHERE id = ?", [(i,) for i in self._titles])
        await bulk_insert(InboxSubject, [{"id": i, "title": title} for i, title in self._titles.items()])
        self._titles.clear()

    async def rows(self, item: Item) -> list[Row]:
        e = item.event
        if isinstance(e, Notice.Published):
            self._titles[e.originator_id] = e.title
            if e.community_id not in self._opted:
                self._opted[e.community_id] = await opted_in(e.community_id, BOARD_NOTICE)
            params = {"title": e.title, "version": e.version, "until": e.until.isoformat()}
            return notices(item, self._opted[e.community_id], BOARD_NOTICE, e.originator_id, params)
        if isinstance(e, Notice.ObjectionRaised):
            row = {"notice_id": e.originator_id, "number": e.number, "resident_id": e.resident_id}
            await bulk_insert(InboxObjection, [row])
            return []
        raised = await InboxObjection.select(InboxObjection.resident_id).where(
            (InboxObjection.notice_id == e.originator_id) & (InboxObjection.number == e.number)
        )
        title = self._titles.get(e.originator_id)
        if title is None:
            subject = await InboxSubject.select(InboxSubject.title).where(InboxSubject.id == e.originator_id).first()
            title = subject["title"] if subject else ""
        params = {"title": title, "on": "notice"}
        return notices(item, [r["resident_id"] for r in raised], "objection_answered", e.originator_id, params)
