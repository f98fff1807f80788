"""What the home page (首页) shows, composed from the contexts' queries: for a resident, what needs them now (soonest
first, each with its time in words), the answers they were given and the community's news; for staff, their desks'
queues; for a visitor, the board and how to join. Read only: nothing here writes."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from backend.deliberation.domain.proposal import ANSWER_KINDS
from backend.deliberation.domain.rules import Body
from backend.deliberation.domain.vote import vote_id
from backend.home.web.reading import reading_items
from backend.home.web.when import at_words, end_of_tomorrow, left_words
from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain.rules import ACTIVE
from backend.web.auth import User
from projections.casework import queries as casework
from projections.deliberation import queries as deliberation
from projections.disclosure import queries as disclosure
from projections.home import queries as home
from projections.news import queries as news_views
from projections.residents import queries as residents
from projections.services import queries as services
from projections.volunteering import queries as volunteering

BODY_LABELS = {  # the same words as the meeting pages (backend.deliberation.web.views)
    Body.PARTY_COMMITTEE: N_("Party organisation (branch committee)"),
    Body.JOINT_COMMITTEES: N_("Joint meeting of the two committees"),
    Body.PARTY_MEETING: N_("Party members' meeting"),
    Body.RESIDENTS_MEETING: N_("Residents' meeting"),
    Body.REPRESENTATIVES: N_("Residents' representatives' meeting"),
}
ANSWERS_SINCE = timedelta(days=30)  # answers older than this are on their own pages, not the home
SITTING_GRACE = timedelta(hours=3)  # a sitting that began this long ago may still be sitting
OFFER_ANSWER = UUID("7d0c3a52-5f0e-4c57-9a43-2f7d8e1b6c90")  # command ids of the answers to seat offers
SHOWN = 5  # notices and news on the home: the rest is a link away


# -- a resident's items ---------------------------------------------------------------------------------------------
def _sitting_items(
    sittings: list[dict[str, Any]], votes: dict[str, Any], keys: dict[str, str], now: datetime, titles: dict[str, str]
) -> list[dict[str, Any]]:
    items = []
    for s in sittings:
        body = _(BODY_LABELS[Body(s["body"])]) if s["body"] in set(Body) else s["body"]
        base = {
            "url": f"/meetings/{s['id']}",
            "title": titles.get(str(s["matter_id"]), s["motion"]),
            "what": body,
            "detail": s["motion"],
            "id": str(s["id"]),
        }
        if s["ballot"] == "open":
            if str(vote_id(s["id"], keys[str(s["id"])])) in votes:
                continue  # voted: nothing needs them (they may still change it on the meeting's page)
            closes = s["online_until"]
            items.append(
                {
                    **base,
                    "kind": "ballot",
                    "label": _("Vote"),
                    "when": closes or s["starts_at"],
                    "words": _("closes %(when)s", when=at_words(closes, now))
                    if closes
                    else _("the ballot is open now"),
                    "left": left_words(closes, now) if closes else "",
                    "urgent": bool(closes and closes - now < timedelta(hours=24)),
                }
            )
        else:
            items.append(
                {
                    **base,
                    "kind": "sitting",
                    "label": _("Called to a sitting"),
                    "when": s["starts_at"],
                    "words": _("%(when)s at %(place)s", when=at_words(s["starts_at"], now), place=s["place"]),
                    "left": "",
                    "urgent": False,
                }
            )
    return items


def _shift_items(places: list[dict[str, Any]], now: datetime, resident_id: object) -> list[dict[str, Any]]:
    items, until = [], end_of_tomorrow(now)
    for p in places:
        shift = p["shift"]
        base = {
            "url": f"/activities/{shift['activity_id']}#shift-{p['shift_id']}",
            "title": p["title"] or "",
            "id": str(p["shift_id"]),
            "detail": "",
            "urgent": False,
            "left": "",
        }
        if p["status"] == "offered" and p["offer_until"] is not None and p["offer_until"] > now:
            items.append(
                {
                    **base,
                    "kind": "offer",
                    "label": _("A seat is held for you"),
                    "what": _("Volunteering shift %(when)s", when=at_words(shift["starts_at"], now)),
                    "when": p["offer_until"],
                    "words": _("answer by %(when)s", when=at_words(p["offer_until"], now)),
                    "left": left_words(p["offer_until"], now),
                    "urgent": True,
                    "shift_id": p["shift_id"],  # the offer is taken by volunteering's own form
                    # The same for every rendering of this offer to this resident (the home is a kept page:
                    # backend/web/kept.py), so a repeat of the answer answers as the first; another offer, another id.
                    "command_id": uuid5(OFFER_ANSWER, f"{resident_id}|{p['shift_id']}|{p['offer_until']}").hex,
                }
            )
        elif p["status"] == "seated" and shift["starts_at"] < until:
            items.append(
                {
                    **base,
                    "kind": "shift",
                    "label": _("Your shift"),
                    "what": _("Volunteering"),
                    "when": shift["starts_at"],
                    "words": _(
                        "%(when)s – %(end)s",
                        when=at_words(shift["starts_at"], now),
                        end=shift["ends_at"].astimezone(LOCAL_ZONE).strftime("%H:%M"),
                    ),
                }
            )
    return items


def _booking_items(bookings: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    until = end_of_tomorrow(now)
    return [
        {
            "kind": "booking",
            "label": _("Your booking"),
            "what": b["slot"].get("place") or _("Home visit"),
            "title": b["service"],
            "detail": "",
            "url": "/bookings",
            "id": str(b["id"]),
            "when": b["starts_at"],
            "words": _(
                "%(when)s – %(end)s",
                when=at_words(b["starts_at"], now),
                end=b["ends_at"].astimezone(LOCAL_ZONE).strftime("%H:%M"),
            ),
            "left": "",
            "urgent": False,
        }
        for b in bookings
        if b["status"] in ACTIVE and b["starts_at"] < until
    ]


def _answers(
    proposals: list[dict[str, Any]], objections: list[dict[str, Any]], cases: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    found = [
        {
            "title": p["title"],
            "words": _(ANSWER_KINDS.get(p["answer_kind"], "Answered")),
            "url": f"/proposals/{p['id']}",
            "at": p["answered_at"],
            "what": _("Your proposal"),
        }
        for p in proposals
    ]
    found += [
        {
            "title": o["title"],
            "words": _("Your objection was answered."),
            "url": f"/board/notices/{o['notice_id']}",
            "at": o["answered_at"],
            "what": _("Your objection"),
        }
        for o in objections
    ]
    found += [
        {
            "title": c["label"] or c["preview"],
            "words": _("Answered: please rate the answer."),
            "url": f"/cases/{c['id']}",
            "at": c.get("answered_at") or c["raised_at"],
            "what": _("Your request"),
        }
        for c in cases
        if c["state"] == "answered"
    ]
    return sorted(found, key=lambda a: a["at"], reverse=True)


async def resident_home(user: User, now: datetime, today: date) -> dict[str, Any]:
    """What needs the resident now, soonest first; answers to what they raised; the board's open notices (the soonest
    to end first), the community's news (pinned first, then the newest) and its newest proposals."""
    row = await residents.by_id(user.id) or {}
    household = row.get("household_id")
    since = now - ANSWERS_SINCE
    (
        sittings,
        places,
        bookings,
        open_notices,
        proposals,
        objections,
        cases,
        newest,
        news,
        important,
    ) = await asyncio.gather(
        home.sittings_for(user.community_id, user.id, household, now - SITTING_GRACE),
        volunteering.my_shifts(user.id, now),
        services.my_bookings(user.id, now),
        disclosure.board(user.community_id, state="open", today=today),
        home.answered_proposals(user.community_id, user.id, since),
        home.answered_objections(user.community_id, user.id, since),
        casework.my_cases(user.id, now, limit=20),
        deliberation.board(user.community_id, limit=SHOWN),
        news_views.listed(user.community_id, today, limit=SHOWN),
        news_views.listed(user.community_id, today, important=True),
    )
    read = await news_views.read_of(user.id, [*(n["notice_id"] for n in open_notices), *(n["id"] for n in important)])
    keys = {str(s["id"]): household if s["per_household"] and household else user.id for s in sittings}
    votes, titles = await asyncio.gather(
        deliberation.votes_by_id(vote_id(s["id"], keys[str(s["id"])]) for s in sittings if s["ballot"] == "open"),
        home.matter_titles(list({s["matter_id"] for s in sittings})),
    )
    items = [
        *_sitting_items(sittings, votes, keys, now, titles),
        *_shift_items(places, now, user.id),
        *_booking_items(bookings, now),
        *reading_items(open_notices, important, read, today),
    ]
    items.sort(key=lambda item: (item["when"] is None, item["when"] or now))  # no deadline: last
    return {
        "items": items,
        "answers": _answers(proposals, objections, cases),
        "notices": sorted(open_notices, key=lambda n: (n["until"], n["title"]))[:SHOWN],
        "read": read,
        "newest": newest,
        "news": [news_views.shown(n, today) for n in news],
    }


# -- staff ----------------------------------------------------------------------------------------------------------
async def staff_queue(user: User, now: datetime) -> list[dict[str, Any]]:
    """The desks' queues of what the user's roles may act on: registrations to verify, paper ballots to confirm,
    notices to review, cases to accept, proposals owed an answer; each a count and a link."""
    cid, queue = user.community_id, []
    if user.can("resident.verify", cid):
        queue.append(
            {"label": _("Registrations to verify"), "count": await home.pending_registrations(cid), "url": "/clerk"}
        )
    if user.can("meeting.run", cid):
        for m in await home.paper_to_confirm(cid):
            queue.append(
                {
                    "label": _("Paper ballots to confirm: %(motion)s", motion=m["motion"]),
                    "count": m["waiting"],
                    "url": f"/meetings/{m['id']}/paper",
                }
            )
    if user.can("disclosure.review", cid):
        to_review = len(await disclosure.in_review(cid)) + len(await deliberation.drafts_in_review(cid))  # ⑤/⑥ too
        queue.append({"label": _("Notices to review"), "count": to_review, "url": "/review"})
    if user.can("case.supervise", cid):
        queue.append(
            {"label": _("Cases to accept (clerks' queue)"), "count": await home.clerk_cases(cid), "url": "/cases/desk"}
        )
    if "grid_worker" in user.roles and user.can("case.handle", cid):
        waiting = [c for c in await casework.worker_queue(user.id, now) if c["state"] == "queued"]
        queue.append({"label": _("Cases to accept in your grids"), "count": len(waiting), "url": "/grid"})
    if user.can("matter.open", cid):
        queue.append(
            {
                "label": _("Proposals owed an answer"),
                "count": len(await deliberation.awaiting_answer(cid)),
                "url": "/proposals/answers",
            }
        )
    return queue


# -- a visitor ------------------------------------------------------------------------------------------------------
async def visitor_home(community: dict[str, Any], today: date) -> dict[str, Any]:
    notices, newest, news = await asyncio.gather(
        disclosure.board(community["id"]),
        deliberation.board(community["id"], limit=SHOWN),
        news_views.listed(community["id"], today, limit=SHOWN),
    )
    return {"notices": notices[:SHOWN], "newest": newest, "news": [news_views.shown(n, today) for n in news]}
