"""Times on the home page in a resident's words, in China time: 今晚 20:00, 明天 09:00; 还剩 2 小时."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from backend.i18n import gettext as _
from backend.kernel.zone import LOCAL_ZONE


def at_words(moment: datetime, now: datetime) -> str:
    """A moment as a resident says it: 今天 14:00, 今晚 20:00, 明天 09:00, else 12-09 09:00 (China time)."""
    local, today = moment.astimezone(LOCAL_ZONE), now.astimezone(LOCAL_ZONE).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return _("tonight %(time)s", time=clock) if local.hour >= 18 else _("today %(time)s", time=clock)
    if local.date() == today + timedelta(days=1):
        return _("tomorrow %(time)s", time=clock)
    if local.date() == today - timedelta(days=1):
        return _("yesterday %(time)s", time=clock)
    return local.strftime("%m-%d %H:%M") if local.year == today.year else local.strftime("%Y-%m-%d %H:%M")


def left_words(moment: datetime, now: datetime) -> str:
    """How long is left until a deadline: 还剩 2 小时, 还剩 35 分钟, 还剩 3 天; 已截止 once passed."""
    left = moment - now
    if left <= timedelta(0):
        return _("closed")
    if left < timedelta(hours=1):
        return _("%(n)s min left", n=max(1, int(left / timedelta(minutes=1))))
    if left < timedelta(days=2):
        return _("%(n)s h left", n=max(1, round(left / timedelta(hours=1))))
    return _("%(n)s days left", n=int(left / timedelta(days=1)))


def end_of_tomorrow(now: datetime) -> datetime:
    day = now.astimezone(LOCAL_ZONE).date() + timedelta(days=2)
    return datetime.combine(day, time.min, LOCAL_ZONE)
