"""The checks a resident's particulars pass (DESIGN 4.7, 4.10): a mainland mobile number, a name, an 18-character
ID number (and the birth date it carries, for ages), and the reason a clerk gives. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from datetime import date

from backend.kernel.errors import DomainError

PHONE = re.compile(r"^1[3-9]\d{9}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
REASON_MAX = 200


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"[\s-]", "", phone.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    if not PHONE.match(digits):
        raise DomainError("Please enter an 11-digit mainland mobile number.", "phone")
    return digits


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 30:
        raise DomainError("Please enter a name of at most 30 characters.", "name")
    return name


def birth_date(id_number: str) -> date | None:
    """The birth date an 18-character ID number carries (checked when it was registered), or None without one."""
    if len(id_number) != 18:
        return None
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def check_id_number(value: str) -> str:
    """An 18-character resident ID (GB 11643): a real birth date and the ISO 7064 check character."""
    value = value.strip().upper()
    if not value:
        return ""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise DomainError("An ID number has 18 characters: 17 digits and a digit or X.", "id_number")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise DomainError("This ID number does not contain a valid birth date.", "id_number") from None
    if ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11] != value[17]:
        raise DomainError("This ID number is not valid (its last character does not match).", "id_number")
    return value


def check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise DomainError("Please give a reason of at most 200 characters.", "reason")
    return reason
