"""A resident's choices about notices: which kinds are not pushed to their phones, which opt-in kinds they want in
the inbox at all, and their quiet hours (in the community's zone), with when a push is due under them. Pure: the
time is always given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.kernel.errors import DomainError

MINUTES_A_DAY = 24 * 60
QUIET_START = 22 * 60  # 22:00
QUIET_END = 7 * 60  # 07:00
NAME = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


@dataclass(frozen=True)
class Preferences:
    """`quiet_start` == `quiet_end`: no quiet hours. The window may run over midnight (22:00–07:00)."""

    push_off: frozenset[str] = frozenset()
    opted_in: frozenset[str] = frozenset()
    quiet_start: int = QUIET_START  # minutes after midnight
    quiet_end: int = QUIET_END

    def pushes(self, kind: str) -> bool:
        return kind not in self.push_off

    def quiet_at(self, minute: int) -> bool:
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= minute < self.quiet_end
        return minute >= self.quiet_start or minute < self.quiet_end

    def due_at(self, created_at: datetime, zone: ZoneInfo, emergency: bool = False) -> datetime:
        """When a push of a notification made at `created_at` is due: at once, unless it falls in quiet hours and
        is no emergency; then when they end (the inbox entry itself is never held)."""
        local = created_at.astimezone(zone)
        if emergency or not self.quiet_at(local.hour * 60 + local.minute):
            return created_at
        end = datetime.combine(local.date(), time(self.quiet_end // 60, self.quiet_end % 60), tzinfo=zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), end.timetz())
        return end.astimezone(created_at.tzinfo)


DEFAULT = Preferences()


def checked(prefs: Preferences, known: frozenset[str], opt_in: frozenset[str]) -> Preferences:
    """Preferences that name only known kinds (opted into only opt-in ones) and whole minutes of a day."""
    for name in prefs.push_off | prefs.opted_in:
        if not NAME.match(name) or name not in known:
            raise DomainError("Unknown kind of notice.", "kinds")
    if not prefs.opted_in <= opt_in:
        raise DomainError("This kind of notice is always in the inbox.", "kinds")
    for value, field in ((prefs.quiet_start, "quiet_start"), (prefs.quiet_end, "quiet_end")):
        if not 0 <= value < MINUTES_A_DAY:
            raise DomainError("Please give a time of day (00:00 to 23:59).", field)
    return prefs


def minutes(text: str, field: str) -> int:
    """ "22:00" → 1320; anything else is refused in the field's words."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise DomainError("Please give a time of day (00:00 to 23:59).", field)
    return int(match.group(1)) * 60 + int(match.group(2))


def clock(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"
