"""Check codes of printed certificates (the QR carries one): unguessable, derived from the thing's id with the
deployment's secret digest, so nothing can be looked up by a number alone. And rotating check-in codes: six digits on
the organiser's screen (a meeting's clerk, a shift's leader), keyed by a secret digest of the thing and the time
window. They change every CODE_SECONDS, so nobody checks in from home."""

from __future__ import annotations

import base64
import hashlib
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


CHECK_CODE_BYTES = 10  # 80 bits: 16 base32 characters, too many to guess


def check_code(digest: Callable[[str], str], kind: str, target_id: UUID) -> str:
    """The check code of a printed thing (`kind`: what it is, so two kinds never share one)."""
    raw = bytes.fromhex(digest(f"check|{kind}|{target_id}"))[:CHECK_CODE_BYTES]
    return base64.b32encode(raw).decode()


def normal_code(code: str) -> str:
    """A check code as typed or scanned: full-width letters, lower case, spaces and dashes count as the code."""
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", code)).upper()


def check_lookup(code: str) -> str:
    """What a view keeps to find a check code: its plain SHA-256 (the code cannot be made from it)."""
    return hashlib.sha256(f"check|{normal_code(code)}".encode()).hexdigest()


def check_code_valid(digest: Callable[[str], str], kind: str, target_id: UUID, code: str) -> bool:
    """Compared as bytes: compare_digest refuses a str with a character beyond ASCII (typed, or an attacker's)."""
    return hmac.compare_digest(normal_code(code).encode(), check_code(digest, kind, target_id).encode())
