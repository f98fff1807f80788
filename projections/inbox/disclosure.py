"""The inbox's notices of disclosure: an answer to one's objection (质询) to a board notice, and — for those who asked
for it on /me/notices (opt-in, off by default) — each notice published on their community's board. The disclosure
views come after the inbox's in the registry, so the inbox keeps what it needs as the events come: who raised each
objection, and each notice's title; those who opted in are the inbox's own rows, as of the event."""

from __future__ import annotations

from typing import ClassVar

from backend.disclosure.domain.notice import Notice
from projections.db import bulk_execute, bulk_insert
from projections.inbox.queries import opted_in
from projections.inbox.sources import Row, Stateless, notices
from projections.inbox.tables import InboxObjection, InboxSubject
from projections.types import Item

BOARD_NOTICE = "board_notice"


class DisclosureNotices(Stateless):
    events: ClassVar[tuple[type, ...]] = (Notice.Published, Notice.ObjectionRaised, Notice.ObjectionAnswered)
    reads_choices = True  # who opted in, as of the event: the inbox writes the choices before it (handlers.py)

    async def rows(self, item: Item) -> list[Row]:
        e = item.event
        if isinstance(e, Notice.Published):
            await bulk_execute(InboxSubject, "DELETE FROM inbox_subject WHERE id = ?", [(e.originator_id,)])
            await bulk_insert(InboxSubject, [{"id": e.originator_id, "title": e.title}])
            people = await opted_in(e.community_id, BOARD_NOTICE)
            params = {"title": e.title, "version": e.version, "until": e.until.isoformat()}
            return notices(item, people, BOARD_NOTICE, e.originator_id, params)
        if isinstance(e, Notice.ObjectionRaised):
            row = {"notice_id": e.originator_id, "number": e.number, "resident_id": e.resident_id}
            await bulk_insert(InboxObjection, [row])
            return []
        raised = await InboxObjection.select(InboxObjection.resident_id).where(
            (InboxObjection.notice_id == e.originator_id) & (InboxObjection.number == e.number)
        )
        subject = await InboxSubject.select(InboxSubject.title).where(InboxSubject.id == e.originator_id).first()
        params = {"title": subject["title"] if subject else "", "on": "notice"}
        return notices(item, [r["resident_id"] for r in raised], "objection_answered", e.originator_id, params)
