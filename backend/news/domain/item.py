"""A news item (社区动态 / 通知公告): posted by the clerk with a category, a title, a text, an optional
photo, an optional pin (pinned first) and an optional expiry (the last day it is listed); an important one (重要)
asks residents to mark it read. Never edited in place: an edit is the next version and the earlier ones stay in
the history; a withdrawn item (撤回) says why and changes no more. Pure: no I/O, no clock (the day comes in with
the Ctx)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text

TITLE_MAX = 60  # the project's limits (a proposal's): the form counts them as one types (_counter.html)
TEXT_MAX = 2000
REASON_MAX = 500
PHOTO_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")  # as backend.web.uploads stores it (by its digest)


class Category(StrEnum):
    POLICY = "policy"  # 惠民政策
    OUTAGE = "outage"  # 停水停电
    ACTIVITY = "activity"  # 活动
    NOTICE = "notice"  # 通知


CATEGORIES: dict[str, str] = {
    Category.POLICY: N_("Policies for residents"),
    Category.OUTAGE: N_("Water and power cuts"),
    Category.ACTIVITY: N_("Community activities"),
    Category.NOTICE: N_("Announcements"),
}


@dataclass(frozen=True)
class Draft:
    """What the clerk writes, the same when posting and when editing."""

    category: str
    title: str
    text: str
    photo: str = ""  # the stored photo's name ("" for none)
    pinned: bool = False
    important: bool = False
    until: date | None = None  # the last day it is listed (None: until withdrawn)


def expired(until: date | None, today: date) -> bool:
    """Past its last day: off the home and the list, still at its address (marked 已过期)."""
    return until is not None and today > until


class NewsItem(LinliAggregate):
    class Posted(LinliAggregate.Created):
        category: str
        title: str
        text: str
        photo: str
        pinned: bool
        important: bool
        until: date | None

    class Edited(LinliAggregate.Event):
        """The next version: every field as it now stands."""

        version: int
        category: str
        title: str
        text: str
        photo: str
        pinned: bool
        important: bool
        until: date | None

        def apply(self, item: NewsItem) -> None:
            item.edition = self.version
            item.draft = Draft(
                self.category, self.title, self.text, self.photo, self.pinned, self.important, self.until
            )

    class Withdrawn(LinliAggregate.Event):
        reason: str

        def apply(self, item: NewsItem) -> None:
            item.withdrawn = True
            item.reason = self.reason

    def __init__(
        self,
        category: str,
        title: str,
        text: str,
        photo: str,
        pinned: bool,
        important: bool,
        until: date | None,
    ) -> None:
        self.edition = 1  # the item's version number (`version` is the aggregate's own count of events)
        self.draft = Draft(category, title, text, photo, pinned, important, until)
        self.withdrawn = False
        self.reason = ""

    @classmethod
    def post(cls, ctx: Ctx, news_id: UUID, draft: Draft) -> NewsItem:
        checked = _checked(draft)
        if checked.until is not None and checked.until < ctx.today:
            raise DomainError("The last day shown cannot be in the past.", "until")
        return cls.start(cls.Posted, ctx, news_id, **asdict(checked))

    def edit(self, ctx: Ctx, draft: Draft) -> None:
        """The next version. A changed last day cannot be in the past; an unchanged one may be (an expired item
        corrected stays expired)."""
        if self.withdrawn:
            raise DomainError("This item was withdrawn; it changes no more.", status=409)
        checked = _checked(draft)
        if checked == self.draft:
            raise DomainError("Nothing changed.", status=409)
        if checked.until != self.draft.until and checked.until is not None and checked.until < ctx.today:
            raise DomainError("The last day shown cannot be in the past.", "until")
        self.emit(self.Edited, ctx, version=self.edition + 1, **asdict(checked))

    def withdraw(self, ctx: Ctx, reason: str) -> None:
        if self.withdrawn:
            raise DomainError("This item was withdrawn already.", status=409)
        reason = check_text(reason, REASON_MAX, "reason", "Say why it is withdrawn (at most 500 characters).")
        self.emit(self.Withdrawn, ctx, reason=reason)

    def listed(self, today: date) -> bool:
        """On the home and the list: neither withdrawn nor past its last day."""
        return not self.withdrawn and not expired(self.draft.until, today)

    def check_readable(self) -> None:
        """Only an important item that stands asks to be marked read."""
        if self.withdrawn:
            raise DomainError("This item was withdrawn.", status=409)
        if not self.draft.important:
            raise DomainError("Only important notices are marked read.", status=409)


def _checked(draft: Draft) -> Draft:
    if draft.category not in CATEGORIES:
        raise DomainError("Choose a category.", "category")
    if draft.photo and not PHOTO_NAME.match(draft.photo):
        raise DomainError("Photos must be JPEG, PNG or WebP images.", "photo")
    return Draft(
        draft.category,
        check_text(draft.title, TITLE_MAX, "title", "A title of at most 60 characters, please."),
        check_text(draft.text, TEXT_MAX, "text", "Write the text (at most 2000 characters)."),
        draft.photo,
        bool(draft.pinned),
        bool(draft.important),
        draft.until,
    )
