"""The zone a community's days are counted in: terms, deadlines and 公示 periods are China Standard Time days
(times are stored in UTC)."""

from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
