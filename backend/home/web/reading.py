"""The home's items of reading (issue 23): the board's notices in their 公示 period a resident has not opened, and the
important news (社区动态) they have not marked read, in the shape of the home's other items."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from backend.i18n import gettext as _
from backend.kernel.zone import LOCAL_ZONE
from projections.news import queries as news_views


def reading_items(
    notices: list[dict[str, Any]], important: list[dict[str, Any]], read: set[str], today: date
) -> list[dict[str, Any]]:
    """The board's notices in their 公示 period the resident has not opened (by the end of their period), and the
    important news not yet marked read (no deadline: after the items that have one)."""
    items = [
        {
            "kind": "notice",
            "label": _("Not opened yet"),
            "what": _("In their disclosure period (公示中)"),
            "title": n["title"],
            "detail": "",
            "url": f"/board/notices/{n['notice_id']}",
            "id": str(n["notice_id"]),
            "when": datetime.combine(n["until"], time.max, LOCAL_ZONE),
            "words": _("公示 until %(date)s", date=n["until"]),
            "left": "",
            "urgent": False,
        }
        for n in notices
        if str(n["notice_id"]) not in read
    ]
    items += [
        {
            "kind": "important",
            "label": _("Important notice: please read it"),
            "what": _(news_views.shown(n, today)["category_label"]),
            "title": n["title"],
            "detail": "",
            "url": f"/news/{n['id']}",
            "id": str(n["id"]),
            "when": None,
            "words": _("Posted %(when)s", when=n["posted_at"].astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M")),
            "left": "",
            "urgent": False,
        }
        for n in important
        if str(n["id"]) not in read
    ]
    return items
