"""What a notification says: its title, its text and its link, in the current language. The inbox shows
notifications derived from other contexts' events. Bookings' and cases' read as services and casework word them (the
composition root, backend.contexts, registers those here, so the inbox names no other context); the kinds of the
inbox's own sources (projections/inbox: sittings, ballots, volunteering offers, registration, objections, proposals,
board notices, roles) read as below, from what their rows carry (a title, a time, a role), each linking to the page
it concerns. Nothing personal is in a row: a push is shown on a lock screen."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.authz import ROLE_LABELS
from backend.kernel.zone import LOCAL_ZONE

# A notification row (projections.inbox) → (title, text, link).
NotificationText = Callable[[dict[str, Any]], Awaitable[tuple[str, str, str]]]

_texts: dict[str, NotificationText] = {}

# The same words the deliberation's and the residents' pages use for these (one translation each).
BODIES = {
    "party_committee": N_("Party organisation (branch committee)"),
    "joint_committees": N_("Joint meeting of the two committees"),
    "party_meeting": N_("Party members' meeting"),
    "residents_meeting": N_("Residents' meeting"),
    "representatives": N_("Residents' representatives' meeting"),
}
STAGES = {
    "party_proposal": N_("① Party organisation proposes"),
    "committees": N_("② The two committees discuss"),
    "party_meeting": N_("③ Party members' meeting reviews"),
    "resolution": N_("④ Residents' (representatives') meeting resolves"),
    "resolution_notice": N_("⑤ Resolution made public"),
    "result_notice": N_("⑥ Implementation result made public"),
}
ROLES = ROLE_LABELS  # as the residents' pages call them (backend.kernel.authz)
STEPS = {  # a proposal's or its matter's step, as the title of its notice
    "agenda": N_("On the agenda: %(title)s"),
    "answered": N_("The committee answered: %(title)s"),
    "matter": N_("Taken up as a matter: %(title)s"),
    "passed": N_("A stage passed: %(title)s"),
    "sent_back": N_("Sent back for revision: %(title)s"),
    "rejected": N_("Rejected: %(title)s"),
    "notice": N_("Made public: %(title)s"),
}


def register(kinds: Iterable[str], text: NotificationText) -> None:
    """`text` says what the notifications of these kinds (the row's `kind`) read."""
    for kind in kinds:
        _texts[kind] = text


async def text_of(row: dict[str, Any]) -> tuple[str, str, str]:
    """The row's title, text and link; a kind no context registered shows with no words, linking to the inbox."""
    text = _texts.get(row["kind"])
    if text is None:
        return "", "", "/inbox"
    return await text(row)


def _when(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M") if value else ""


def _params(row: dict[str, Any]) -> dict[str, Any]:
    params = row.get("params") or {}
    return json.loads(params) if isinstance(params, str) else dict(params)


async def notice_text(row: dict[str, Any]) -> tuple[str, str, str]:
    """The inbox's own sources' notices, in the current language."""
    p, kind, subject = _params(row), row["kind"], row.get("subject_id")
    title, when = p.get("title", ""), _when(p.get("at", ""))
    if kind == "sitting_called":
        body = _(BODIES.get(p.get("body", ""), p.get("body", "")))
        return (
            _("Called to a sitting: %(body)s", body=body),
            _("%(title)s — %(when)s, %(place)s.", title=title, when=when, place=p.get("place", "")),
            f"/meetings/{subject}",
        )
    if kind == "ballot_opened":
        text = _("You may vote until %(when)s.", when=when) if when else _("You may vote now.")
        return _("A ballot is open: %(title)s", title=title), text, f"/meetings/{subject}"
    if kind == "ballot_closing":
        return (
            _("A ballot closes soon: %(title)s", title=title),
            _("You have not voted yet; voting closes %(when)s.", when=when),
            f"/meetings/{subject}",
        )
    if kind == "shift_offer":
        return (
            _("A seat is held for you: %(title)s", title=title),
            _("The shift of %(starts)s: accept it before %(when)s.", starts=_when(p.get("starts", "")), when=when),
            f"/activities/{p.get('activity', '')}",
        )
    if kind == "shift_seated":
        return (
            _("You have a seat: %(title)s", title=title),
            _("The shift of %(starts)s: a seat freed and it is yours.", starts=_when(p.get("starts", ""))),
            f"/activities/{p.get('activity', '')}",
        )
    if kind == "reg_verified":
        return _("Your registration is verified"), _("You can now co-sign, vote and book."), "/me"
    if kind == "reg_rejected":
        return (
            _("Your registration was not verified"),
            _("Reason: %(reason)s Choose the right room and send it again.", reason=row.get("reason", "")),
            "/me",
        )
    if kind == "objection_answered":
        link = f"/board/notices/{subject}" if p.get("on") == "notice" else f"/matters/{subject}"
        return _("Your objection was answered"), _("%(title)s: read the answer.", title=title), link
    if kind == "proposal_stage":
        return _proposal(p, subject)
    if kind == "board_notice":
        corrected = int(p.get("version", 1)) > 1
        head = (
            _("Corrected on the board: %(title)s", title=title)
            if corrected
            else _("New on the board: %(title)s", title=title)
        )
        return head, _("Open to objections until %(day)s.", day=p.get("until", "")), f"/board/notices/{subject}"
    if kind == "news_important":
        return (
            _("Important: %(title)s", title=title),
            _("The committee asks everyone to read it: open it and press 'I have read it'."),
            f"/news/{subject}",
        )
    if kind == "news":
        return _("Community news: %(title)s", title=title), _("Open it to read it."), f"/news/{subject}"
    if kind == "role_granted":
        role = _(ROLES.get(p.get("role", ""), p.get("role", "")))
        until = p.get("until", "")
        text = _("Until %(day)s.", day=until) if until else _("With no end of term.")
        return _("You were given a role: %(role)s", role=role), text, "/me"
    if kind == "role_ended":
        role = _(ROLES.get(p.get("role", ""), p.get("role", "")))
        return _("Your role ended: %(role)s", role=role), _("Reason: %(reason)s", reason=row.get("reason", "")), "/me"
    return "", "", "/inbox"


def _proposal(p: dict[str, Any], subject: object) -> tuple[str, str, str]:
    step = p.get("step", "")
    title = _(STEPS[step]) % {"title": p.get("title", "")} if step in STEPS else p.get("title", "")
    stages = "、".join(_(STAGES.get(s, s)) for s in p.get("stages", []))
    text = stages or _("A proposal you made or co-signed has news.")
    link = f"/matters/{subject}" if p.get("on") == "matter" else f"/proposals/{subject}"
    return title, text, link


OWN_KINDS = (
    "sitting_called",
    "ballot_opened",
    "ballot_closing",
    "shift_offer",
    "shift_seated",
    "reg_verified",
    "reg_rejected",
    "objection_answered",
    "proposal_stage",
    "board_notice",
    "news_important",
    "news",
    "role_granted",
    "role_ended",
)
register(OWN_KINDS, notice_text)
