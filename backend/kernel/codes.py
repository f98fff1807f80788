"""Rotating check-in codes: six digits on the organiser's screen (a meeting's clerk, a shift's leader), keyed by a
secret digest of the thing and the time window. They change every CODE_SECONDS, so nobody checks in from home."""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

CODE_SECONDS = 30


def checkin_code(digest: Callable[[str], str], target_id: UUID, at: datetime) -> str:
    window = int(at.timestamp()) // CODE_SECONDS
    return f"{int(digest(f'checkin|{target_id}|{window}')[:15], 16) % 1_000_000:06d}"


def checkin_code_valid(digest: Callable[[str], str], target_id: UUID, code: str, at: datetime) -> bool:
    """The code on the screen now, or the one just before it (someone typing while it changes). Full-width digits
    from a Chinese keyboard count as digits."""
    code = unicodedata.normalize("NFKC", code).strip()
    if not re.fullmatch(r"[0-9]{6}", code):
        return False
    earlier = at - timedelta(seconds=CODE_SECONDS)
    return any(hmac.compare_digest(code, checkin_code(digest, target_id, t)) for t in (at, earlier))
