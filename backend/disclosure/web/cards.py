"""The board's cards, rendered once and shared between renderings of the board (time travel above all).

A notice's card shows its version, the day's 公示 state and how many objections it had and how many were answered:
the same card appears on every board that shows that version on that day with those objections, whichever moment
was asked for and whoever asks. So a card is rendered once per (version, day, objections, language, whether it links
to a past moment) and kept in CARDS; a past moment's link (`?at=…`, the moment as the reader typed it) is put into
the kept card for each request, in place of MARKER.

Around its cards the board's body (disclosure/_board_body.html) is kept the same way (backend/disclosure/web/board.py),
with CARD_LIST where the cards go and AT, AT_QUERY and WHEN where the moment asked for goes (the form's field, the
pager's links, the banner's time): `fill` puts a request's moment into a body, cards' links included, in one pass, so
nothing a reader typed is ever read as a place to fill."""

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
# Where kept text takes what one request puts in (no notice's text holds it: it is new in each process): a kept card
# the link to the moment asked for (MARKER); a kept body the moment as typed, escaped (AT), the same in a link's query
# (AT_QUERY) and that moment as a time (WHEN), and its cards (CARD_LIST); a kept page's frame its body (BODY).
PLACE = f"\x00{secrets.token_hex(8)}"
MARKER, AT, AT_QUERY, WHEN = (PLACE + kind for kind in "maqw")
CARD_LIST, BODY = Markup(PLACE + "c"), Markup(PLACE + "b")
CARDS: OrderedDict[tuple[Any, ...], str] = OrderedDict()


def cards(
    engine: Any, rows: list[dict[str, Any]], objections: list[tuple[int, int]], day: date, past: bool
) -> tuple[str, ...]:
    """The cards of these board rows (newest first) on `day`, from CARDS or rendered; with MARKER where a card links
    to the moment asked for (`past`: the board as of a past moment)."""
    locale = current_locale()
    found = []
    for row, (raised, answered) in zip(rows, objections, strict=True):
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
            raised,
            answered,
            locale,
            past,
        )
        card = CARDS.get(key)
        if card is None:
            card = engine.get_template("disclosure/_board_card.html").render(
                n=row,
                raised=raised,
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


def fill(body: str, at: str, when: str) -> str:
    """A kept body as a page shows it: `at`, the moment as the reader gave it, in the form and the links (cards: to
    the notice as of that moment; the pager's), and `when`, that moment as a time, in the banner."""
    query = str(escape(do_urlencode(at)))  # text, not Markup: Markup + text would escape the text after it
    found = {"m": f"?at={query}", "a": str(escape(at)), "q": query, "w": str(escape(when))}
    first, *rest = body.split(PLACE)
    return first + "".join(found[part[0]] + part[1:] for part in rest)


def _digest(text: str) -> bytes:
    """What tells one text from another in a card's key, without keeping up to 10,000 characters in it."""
    return hashlib.blake2b(text.encode(), digest_size=16).digest()
