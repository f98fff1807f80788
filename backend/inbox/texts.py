"""What a notification says: its title, its text and its link, in the current language. The inbox shows
notifications derived from other contexts' events (a seat from the waitlist is services'); each such context
says how its kinds of notification read, and the composition root (backend.contexts) registers that here, so the
inbox names no other context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

# A notification row (projections.inbox) → (title, text, link).
NotificationText = Callable[[dict[str, Any]], Awaitable[tuple[str, str, str]]]

_texts: dict[str, NotificationText] = {}


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
