"""Telling this process at once that a resident's status or roles changed, so that every cache of their roles (the
commands' and the web's) forgets them. Caches register here; the residents' commands announce. Other processes
learn it from the projector's message on the residents' channel."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

_forgetters: list[Callable[[UUID], None]] = []


def on_resident_changed(forget: Callable[[UUID], None]) -> None:
    """`forget` is called with the resident's id whenever their status or roles change."""
    if forget not in _forgetters:
        _forgetters.append(forget)


def resident_changed(resident_id: UUID) -> None:
    for forget in _forgetters:
        forget(resident_id)
