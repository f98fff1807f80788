"""The texts of a case's notifications (projections/inbox/cases.py derives them from the case's steps), for the
inbox and the push messages: registered with the inbox by the composition root (backend.contexts)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from backend.casework.web.labels import DUE_KINDS
from backend.i18n import gettext as _
from backend.kernel.zone import LOCAL_ZONE
from projections.inbox.cases import CASE_KINDS  # noqa: F401  (the kinds these texts read, for the registration)


async def notification_text(row: dict[str, Any]) -> tuple[str, str, str]:
    """A case notification's title, text and link, in the current language. Nothing personal: the category's label,
    a deadline and, for a hand-over or a return, the reason the handler gave."""
    params = row.get("params") or {}
    params = json.loads(params) if isinstance(params, str) else params
    label = params.get("label", "")
    due = params.get("due")
    when = datetime.fromisoformat(due).astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M") if due else ""
    deadline = _(DUE_KINDS.get(params.get("deadline", ""), "")) if params.get("deadline") else ""
    texts = {
        "case_accepted": (_("Your request was accepted"), _("%(label)s: someone is on it.", label=label)),
        "case_answered": (
            _("Your request was answered"),
            _("%(label)s: read the answer and say how it went.", label=label),
        ),
        "case_reopened": (
            _("Your request was reopened"),
            _("%(label)s: the clerk takes it up again.", label=label),
        ),
        "case_downgraded": (
            _("Your request is not treated as urgent"),
            _("%(label)s: %(reason)s", label=label, reason=row.get("reason", "")),
        ),
        "case_rate": (_("How did it go?"), _("%(label)s: rate the answer before %(when)s.", label=label, when=when)),
        "case_new": (_("A new request in your queue"), _("%(label)s: accept it in time.", label=label)),
        "case_assigned": (
            _("A request was handed to you"),
            _("%(label)s: %(reason)s", label=label, reason=row.get("reason", "")),
        ),
        "case_due_soon": (
            _("A deadline is near"),
            _("%(label)s: %(deadline)s due %(when)s.", label=label, deadline=deadline, when=when),
        ),
        "case_overdue": (
            _("A deadline has passed"),
            _("%(label)s: %(deadline)s was due %(when)s.", label=label, deadline=deadline, when=when),
        ),
        "case_whistled": (_("A request for your department (吹哨)"), _("%(label)s: report in (报到).", label=label)),
        "case_returned": (
            _("The department returned a request (退单)"),
            _("%(label)s: %(reason)s", label=label, reason=row.get("reason", "")),
        ),
        "case_dept_answered": (
            _("The department answered"),
            _("%(label)s: answer the resident now.", label=label),
        ),
    }
    title, text = texts.get(row["kind"], ("", _("A request changed.")))
    return title, text, f"/cases/{row['subject_id']}" if row.get("subject_id") else "/inbox"
