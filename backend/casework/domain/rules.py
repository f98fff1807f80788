"""What the casework aggregates share: limits, the states and the kinds of deadline, the rating levels, the ids made
from what they name, the default matter list (事项清单) and the national holidays the calendars start from. Pure
values: no I/O, no clock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid5

from backend.kernel.errors import DomainError

# The module the log knows the aggregates by, whichever file of the domain holds them (see kernel.topics).
TOPICS_MODULE = "backend.casework.domain"

NAME_MAX = 30  # a grid's, a place's, a department's name
BUILDING_MAX = 20  # as the household register's address parts
TEXT_MAX = 2000  # what is wrong, a note, an answer
REASON_MAX = 500
LABEL_MAX = 20
CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
PHOTOS_MAX = 4
PHOTO_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")  # a stored upload (backend.web.uploads names them so)
CATEGORIES_PER_DEPARTMENT_MAX = 30

# Handling classes of the matter list: solved in the community (即办), or whistled to a department (吹哨).
IMMEDIATE, WHISTLE = "immediate", "whistle"
HANDLING = (IMMEDIATE, WHISTLE)
ANSWER_DAYS = (1, 5, 15)  # the answer-day classes: 即办 1 working day, 一般 5, 复杂 15 (DESIGN 10)


class State:
    """A case's states. Open: QUEUED (waiting in a queue for someone to accept it), ACCEPTED (one owner holds it),
    ANSWERED (waiting for the raisers' ratings). Over: CLOSED, MERGED (into another case)."""

    QUEUED = "queued"
    ACCEPTED = "accepted"
    ANSWERED = "answered"
    CLOSED = "closed"
    MERGED = "merged"
    OPEN = frozenset({QUEUED, ACCEPTED, ANSWERED})


# The queue a case waits in before (or again without) an owner: its grid's, or the committee clerks'.
GRID_QUEUE, CLERK_QUEUE = "grid", "clerk"


class Due:
    """The kinds of deadline a case holds while open (its `deadlines`, kind -> [warn_at, due_at]):
    ACCEPT (响应: working hours, or the clock for an urgent case), ANSWER (办结: working days from raising, moved by
    an approved extension), REPORT (the department reports in: clock hours), DEPARTMENT (the department answers:
    working days from the whistle), RATING (the raisers' window, calendar days: at its end the case closes)."""

    ACCEPT = "accept"
    ANSWER = "answer"
    REPORT = "report"
    DEPARTMENT = "department"
    RATING = "rating"
    ALL = (ACCEPT, ANSWER, REPORT, DEPARTMENT, RATING)


BEFORE, AT = "before", "at"  # the two notices of a deadline: ahead of it (at WARN_SHARE of its span) and at it
WARN_SHARE = 0.75  # the "before" notice comes when three quarters of the time from start to deadline have passed

# The rating (回访): level, and whether the problem was solved (问题是否解决), as 12345 asks.
SATISFIED, BASICALLY, DISSATISFIED = "satisfied", "basically_satisfied", "dissatisfied"
LEVELS = (SATISFIED, BASICALLY, DISSATISFIED)
CHANNELS = ("self", "phone", "visit")  # the raiser rated; a clerk recorded it from a phone call or a visit
AUTHORITIES = ("clerk", "grid_worker", "building_head")  # who raised a case for a resident, in what capacity

# 关爱对象 categories; each has its visit interval in the rulebook (care_visit_days_<category>).
CARE_CATEGORIES = ("alone", "empty_nest", "elderly", "disabled", "hardship")  # 独居 空巢 高龄 残疾 困难

GRID_PLAN_NAMESPACE = UUID("4d6f8a1c-2e3b-4c5d-9e7f-1a2b3c4d5e01")
GRID_NAMESPACE = UUID("4d6f8a1c-2e3b-4c5d-9e7f-1a2b3c4d5e02")
DEPARTMENT_NAMESPACE = UUID("4d6f8a1c-2e3b-4c5d-9e7f-1a2b3c4d5e03")
MATTER_LIST_NAMESPACE = UUID("4d6f8a1c-2e3b-4c5d-9e7f-1a2b3c4d5e04")
COMMUNITY_MATTERS_NAMESPACE = UUID("4d6f8a1c-2e3b-4c5d-9e7f-1a2b3c4d5e05")
CALENDAR_NAMESPACE = UUID("4d6f8a1c-2e3b-4c5d-9e7f-1a2b3c4d5e06")
CASE_NAMESPACE = UUID("4d6f8a1c-2e3b-4c5d-9e7f-1a2b3c4d5e07")
VISIT_NAMESPACE = UUID("4d6f8a1c-2e3b-4c5d-9e7f-1a2b3c4d5e08")
CARE_NAMESPACE = UUID("4d6f8a1c-2e3b-4c5d-9e7f-1a2b3c4d5e09")


def street_key(street: str) -> str:
    """A street's name as ids are made from it ("" = a community of no street: the defaults only)."""
    return " ".join(street.split())


def grid_plan_id_for(community_id: UUID) -> UUID:
    return uuid5(GRID_PLAN_NAMESPACE, str(community_id))


def grid_id_for(community_id: UUID, name: str) -> UUID:
    """A grid is named once in its community; its id stays when it is renamed."""
    return uuid5(GRID_NAMESPACE, f"{community_id}|{name}")


def department_id_for(street: str, name: str) -> UUID:
    return uuid5(DEPARTMENT_NAMESPACE, f"{street_key(street)}|{name}")


def matter_list_id_for(street: str) -> UUID:
    return uuid5(MATTER_LIST_NAMESPACE, street_key(street))


def community_matters_id_for(community_id: UUID) -> UUID:
    return uuid5(COMMUNITY_MATTERS_NAMESPACE, str(community_id))


def calendar_id_for(street: str) -> UUID:
    return uuid5(CALENDAR_NAMESPACE, street_key(street))


def care_id_for(household_id: UUID) -> UUID:
    """One care record per household: the household is what a grid worker visits."""
    return uuid5(CARE_NAMESPACE, str(household_id))


def check_name(value: str, field: str, message: str, maximum: int = NAME_MAX) -> str:
    value = " ".join(value.split())
    if not value or len(value) > maximum:
        raise DomainError(message, field)
    return value


def check_photos(photos: list[str] | tuple[str, ...]) -> list[str]:
    if len(photos) > PHOTOS_MAX:
        raise DomainError("At most 4 photos.", "photos")
    if any(not PHOTO_NAME.match(p) for p in photos):
        raise DomainError("Photos must be JPEG, PNG or WebP images.", "photos")
    return list(photos)


@dataclass(frozen=True)
class MatterItem:
    """One line of a matter list: a category of matters, how it is handled, how many working days its answer takes
    and the department a whistle goes to (None: the street names none yet)."""

    code: str
    label: str
    handling: str
    answer_days: int
    department_id: UUID | None = None

    def checked(self) -> MatterItem:
        if not CODE.match(self.code):
            raise DomainError("A category code has 2 to 30 lower-case letters, digits or underscores.", "code")
        label = " ".join(self.label.split())
        if not label or len(label) > LABEL_MAX:
            raise DomainError("A category needs a label of at most 20 characters.", "label")
        if self.handling not in HANDLING:
            raise DomainError("Choose 即办 (in the community) or 吹哨 (a department).", "handling")
        if self.answer_days not in ANSWER_DAYS:
            raise DomainError("The answer takes 1, 5 or 15 working days.", "answer_days")
        return MatterItem(self.code, label, self.handling, self.answer_days, self.department_id)


# The default 事项清单 every street starts from (a street's own items replace these, code by code). Whistled items
# name no department until the street registers the one that takes them.
DEFAULT_MATTERS: tuple[MatterItem, ...] = (
    MatterItem("environment", "环境卫生", IMMEDIATE, 5),  # 垃圾清运、楼道杂物、绿化
    MatterItem("facilities", "公共设施", IMMEDIATE, 5),  # 楼道灯、路灯、健身器材、门禁
    MatterItem("property", "物业服务", WHISTLE, 5),  # 电梯、漏水、保洁: the property company
    MatterItem("neighbours", "邻里纠纷", IMMEDIATE, 15),  # 噪音、漏水到楼下、宠物: mediation
    MatterItem("safety", "治安隐患", WHISTLE, 5),  # 派出所
    MatterItem("elderly", "养老助残", IMMEDIATE, 5),  # 助餐、助浴、探访
    MatterItem("policy", "政策咨询", IMMEDIATE, 1),  # 社保、医保、证明: answered at the counter
    MatterItem("city", "市容城管", WHISTLE, 15),  # 占道经营、违章搭建: 城管
    MatterItem("power", "供电用电", WHISTLE, 5),  # 停电、线路: 供电所
    MatterItem("market", "市场监管", WHISTLE, 15),  # 食品安全、价格: 市场监管所
    MatterItem("other", "其他", IMMEDIATE, 5),
)

# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04): the days off (放假调休) and the weekend days worked
# (上班) instead. Later years are added by the street operator (WorkCalendar.DaySet) when the State Council publishes
# them (usually in November); nothing later than 2026 is seeded.
HOLIDAYS_2026: tuple[tuple[date, date], ...] = (
    (date(2026, 1, 1), date(2026, 1, 3)),  # 元旦
    (date(2026, 2, 15), date(2026, 2, 23)),  # 春节
    (date(2026, 4, 4), date(2026, 4, 6)),  # 清明节
    (date(2026, 5, 1), date(2026, 5, 5)),  # 劳动节
    (date(2026, 6, 19), date(2026, 6, 21)),  # 端午节
    (date(2026, 9, 25), date(2026, 9, 27)),  # 中秋节
    (date(2026, 10, 1), date(2026, 10, 7)),  # 国庆节
)
WORKDAYS_2026: tuple[date, ...] = (
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
)
CALENDAR_SOURCE = "国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)"


def national_days() -> dict[date, bool]:
    """The seeded days: a holiday False, a weekend day worked (调休) True."""
    days: dict[date, bool] = {}
    for first, last in HOLIDAYS_2026:
        day = first
        while day <= last:
            days[day] = False
            day = date.fromordinal(day.toordinal() + 1)
    days.update(dict.fromkeys(WORKDAYS_2026, True))
    return days
