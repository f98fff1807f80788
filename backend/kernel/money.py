"""Money as integer fen (分): typed by people in yuan, shown in yuan. Never floats."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from backend.kernel.errors import DomainError

YUAN_MAX = Decimal(10**12)  # no amount of a community comes near a trillion yuan: past it, a typing mistake


def parse_yuan(text: str, field: str = "amount") -> int:
    """ "1,234.5" or "１２３４．５０" → 123450 fen. Refuses negatives, more than two decimals and non-numbers."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("¥", "").replace("元", "")
    try:
        value = Decimal(cleaned or "0")
    except InvalidOperation:
        raise DomainError("Please give an amount in yuan, like 1234.50.", field) from None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise DomainError("Please give an amount in yuan, like 1234.50.", field)
    if value > YUAN_MAX:  # before it becomes fen: "1e999990" would take the process half a minute to multiply out
        raise DomainError("That amount is too large: check the figure.", field)
    return int(value * 100)


def yuan(fen: int) -> str:
    """123450 → "1,234.50"."""
    return f"{fen // 100:,}.{fen % 100:02d}"
