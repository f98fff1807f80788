"""The board's cards, rendered once and shared between renderings of the board (time travel above all).

A notice's card shows its version, the day's 公示 state and how many objections it had and how many were answered:
the same card appears on every board that shows that version on that day with those objections, whichever moment
was asked for and whoever asks. So a card is rendered once per (version, day, objections, language, whether it links
to a past moment) and kept in CARDS; a past moment's link (`?at=…`, the moment as the reader typed it) is put into
the kept card for each request, in place of MARKER."""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from datetime import date
from typing import Any

from jinja2.filters import do_urlencode
from markupsafe import Markup, escape

from backend.disclosure.domain.notice import CATEGORIES
from backend.disclosure.web.views import KINDS
from backend.i18n import current_locale

CARDS_MAX = 20_000  # per process: a few days of a large board in each language; the oldest go first
# Where a kept card takes the moment asked for; no notice's text holds it (it is new in each process).
MARKER = f"\x00{secrets.token_hex(8)}\x00"
CARDS: OrderedDict[tuple[Any, ...], str] = OrderedDict()


def cards(
    engine: Any, rows: list[dict[str, Any]], objections: dict[str, list[dict[str, Any]]], day: date, past: bool
) -> tuple[str, ...]:
    """The cards of these board rows (newest first) on `day`, from CARDS or rendered; with MARKER where a card links
    to the moment asked for (`past`: the board as of a past moment)."""
    locale = current_locale()
    found = []
    for row in rows:
        mine = objections.get(str(row["notice_id"]), [])
        answered = sum(1 for o in mine if o["answered_at"])
        key = (
            row["notice_id"],
            row["version"],
            row["title"],
            row["category"],
            row["kind"],
            row["published_on"],
            row["until"] >= day,  # in its 公示 period, or archived
            row["until"],
            _digest(row["text"]),
            len(mine),
            answered,
            locale,
            past,
        )
        card = CARDS.get(key)
        if card is None:
            card = engine.get_template("disclosure/_board_card.html").render(
                n=row,
                mine=mine,
                answered=answered,
                day=day,
                at=MARKER if past else "",
                categories=CATEGORIES,
                kinds=KINDS,
            )
            CARDS[key] = card
            if len(CARDS) > CARDS_MAX:
                CARDS.popitem(last=False)
        else:
            CARDS.move_to_end(key)
        found.append(card)
    return tuple(found)


def shown(kept: tuple[str, ...], at: str) -> list[Markup]:
    """Kept cards as a page shows them: links to the moment `at` as the reader gave it."""
    link = f"?at={escape(do_urlencode(at))}"
    return [Markup(card.replace(MARKER, link)) for card in kept]


def _digest(text: str) -> bytes:
    """What tells one text from another in a card's key, without keeping up to 10,000 characters in it."""
    return hashlib.blake2b(text.encode(), digest_size=16).digest()
