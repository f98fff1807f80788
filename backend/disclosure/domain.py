"""居务公开 (disclosure): notices for the public board, reviewed by the supervisory committee (居务监督委员会) before
they are published, corrected only by new versions, open to objections (质询) during their 公示 period; the finance
book whose entries are corrected by new entries and reported month by month; and the disclosure schedule that says
what is overdue. Pure: no I/O, no clock (the time comes with the command)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID, uuid5

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.masking import mask_name

TITLE_MAX = 80
TEXT_MAX = 10_000
REASON_MAX = 500
COUNTERPARTY_MAX = 60
AMOUNT_MAX = 100_000_000_00  # one hundred million yuan, in fen: anything above is a typing mistake
PHOTOS_MAX = 4
EARLIEST = date(2000, 1, 1)
CATEGORIES = {"party": N_("Party affairs"), "affairs": N_("Residents' affairs"), "finance": N_("Finance")}
KINDS = ("notice", "finance_report", "honours", "service_rates", "resolution", "result")
FINANCE_CATEGORIES = {
    "income": {
        "allocation": N_("Government allocation"),
        "collective": N_("Collective income"),
        "donation": N_("Donations"),
        "other_income": N_("Other income"),
    },
    "expense": {
        "office": N_("Office costs"),
        "activities": N_("Community activities"),
        "maintenance": N_("Repairs and maintenance"),
        "subsidies": N_("Subsidies and relief"),
        "other_expense": N_("Other expenses"),
    },
}
BOOK_NAMESPACE = UUID("1c3e5a7b-9d2f-4a6c-8e0b-3d5f7a9c1e2b")
REPORT_NAMESPACE = UUID("4e6a8c0b-2d4f-4b6a-9c1e-5f7a9b3d5e7f")


def book_id_for(community_id: UUID) -> UUID:
    return uuid5(BOOK_NAMESPACE, str(community_id))


def report_notice_id(community_id: UUID, month: str) -> UUID:
    """The finance report of a month is one notice: a second report of the same month collides in the store."""
    return uuid5(REPORT_NAMESPACE, f"{community_id}|{month}")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


@dataclass(frozen=True)
class Terms:
    """The rulebook of the day for a notice: its 公示 period, the objection answer time, the supervisor's review."""

    period_days: int = 10
    answer_days: int = 15
    review_days: int = 5
    review_required: bool = True


@dataclass
class Objection:
    resident_id: UUID
    answer_due: date
    answered: bool = False


@dataclass
class Version:
    number: int
    title: str
    text: str
    published_on: date
    until: date


class Notice(LinliAggregate):
    """公示: a draft reviewed by the supervisors, then published for its 公示 period; never edited once published (a
    correction is the next version, reviewed and published in its turn); objections during the period."""

    class Drafted(LinliAggregate.Created):
        category: str
        kind: str
        title: str
        text: str
        photos: list[str]  # sha256 of each stored photo
        sources: list[int]  # positions in the log of the events this notice is derived from
        period: str  # what it covers, e.g. "2026-10" for a month's finance report

    class Revised(LinliAggregate.Event):
        title: str
        text: str
        reason: str  # for a correction of a published notice: why

        def apply(self, notice: Notice) -> None:
            notice.draft = (self.title, self.text)
            notice.correction_reason = self.reason
            notice.state = "draft"

    class Submitted(LinliAggregate.Event):
        review_due: date

        def apply(self, notice: Notice) -> None:
            notice.state = "in_review"
            notice.review_due = self.review_due

    class Approved(LinliAggregate.Event):
        def apply(self, notice: Notice) -> None:
            notice.state = "approved"

    class Returned(LinliAggregate.Event):
        """The supervisors object to the draft (with a reason): back to the clerk."""

        reason: str

        def apply(self, notice: Notice) -> None:
            notice.state = "draft"

    class Published(LinliAggregate.Event):
        version: int
        title: str
        text: str
        published_on: date  # the day in China
        until: date  # last day of the 公示 period
        answer_days: int
        reviewed: bool

        def apply(self, notice: Notice) -> None:
            notice.versions.append(Version(self.version, self.title, self.text, self.published_on, self.until))
            notice.state = "published"
            notice.draft = None
            notice.correction_reason = ""
            notice.answer_days = self.answer_days

    class ObjectionRaised(LinliAggregate.Event):
        number: int
        resident_id: UUID
        reason: str
        answer_due: date

        def apply(self, notice: Notice) -> None:
            notice.objections[self.number] = Objection(self.resident_id, self.answer_due)

    class ObjectionAnswered(LinliAggregate.Event):
        number: int
        answer: str

        def apply(self, notice: Notice) -> None:
            notice.objections[self.number].answered = True

    def __init__(
        self, category: str, kind: str, title: str, text: str, photos: list[str], sources: list[int], period: str
    ) -> None:
        self.category = category
        self.kind = kind
        self.photos = list(photos)
        self.sources = list(sources)
        self.period = period
        self.state = "draft"  # draft | in_review | approved | published (a correction: draft again, v1 stays up)
        self.draft: tuple[str, str] | None = (title, text)
        self.correction_reason = ""
        self.review_due: date | None = None
        self.versions: list[Version] = []
        self.objections: dict[int, Objection] = {}
        self.answer_days = 15

    @classmethod
    def draft_new(
        cls,
        ctx: Ctx,
        notice_id: UUID,
        category: str,
        title: str,
        text: str,
        kind: str = "notice",
        photos: list[str] | None = None,
        sources: list[int] | None = None,
        period: str = "",
    ) -> Notice:
        if category not in CATEGORIES:
            raise DomainError("Choose a category: party affairs, residents' affairs or finance.", "category")
        if kind not in KINDS:
            raise DomainError("Unknown kind of notice.", "kind")
        if len(photos or []) > PHOTOS_MAX:
            raise DomainError("At most 4 photos.", "photos")
        title, text = _checked(title, text)
        return cls.start(
            cls.Drafted,
            ctx,
            notice_id,
            category=category,
            kind=kind,
            title=title,
            text=text,
            photos=list(photos or []),
            sources=list(sources or []),
            period=period,
        )

    @property
    def current(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    def revise(self, ctx: Ctx, title: str, text: str, reason: str = "") -> None:
        """Change the draft; once published, this drafts a correction (the next version), which needs a reason."""
        if self.state in ("in_review", "approved"):
            raise DomainError("The draft is with the supervisors: wait for their review.", status=409)
        title, text = _checked(title, text)
        reason = check_text(
            reason, REASON_MAX, "reason", "Say what the correction corrects.", required=bool(self.versions)
        )
        if self.draft == (title, text) and not self.versions:
            raise DomainError("Nothing changed.", status=409)
        self.emit(self.Revised, ctx, title=title, text=text, reason=reason)

    def submit(self, ctx: Ctx, terms: Terms) -> None:
        if self.state != "draft" or self.draft is None:
            raise DomainError("Only a draft goes to the supervisors.", status=409)
        self.emit(self.Submitted, ctx, review_due=ctx.today + timedelta(days=terms.review_days))

    def approve(self, ctx: Ctx) -> None:
        if self.state != "in_review":
            raise DomainError("Only a notice in review is approved.", status=409)
        self.emit(self.Approved, ctx)

    def return_draft(self, ctx: Ctx, reason: str) -> None:
        if self.state != "in_review":
            raise DomainError("Only a notice in review is returned.", status=409)
        reason = check_text(
            reason, REASON_MAX, "reason", "Say what the supervisors object to (at most 500 characters)."
        )
        self.emit(self.Returned, ctx, reason=reason)

    def publish(self, ctx: Ctx, terms: Terms) -> None:
        """On the board for the 公示 period; with the supervisors' approval where the rulebook requires it."""
        if self.draft is None or self.state == "published":
            raise DomainError("There is nothing new to publish.", status=409)
        if terms.review_required and self.state != "approved":
            raise DomainError("The rulebook requires the supervisors' approval before publishing.", status=409)
        if self.state == "in_review":
            raise DomainError("The draft is with the supervisors: wait for their review.", status=409)
        title, text = self.draft
        self.emit(
            self.Published,
            ctx,
            version=len(self.versions) + 1,
            title=title,
            text=text,
            published_on=ctx.today,
            until=ctx.today + timedelta(days=terms.period_days),
            answer_days=terms.answer_days,
            reviewed=self.state == "approved",
        )

    def raise_objection(self, ctx: Ctx, resident_id: UUID, reason: str) -> int:
        current = self.current
        if current is None:
            raise DomainError("This notice has not been published.", status=404)
        if ctx.today > current.until:
            raise DomainError("The 公示 period of this notice is over; objections are closed.", status=409)
        if any(o.resident_id == resident_id and not o.answered for o in self.objections.values()):
            raise DomainError("Your earlier objection to this notice waits for its answer.", status=409)
        reason = check_text(
            reason, REASON_MAX, "reason", "Give the reason for your objection (at most 500 characters)."
        )
        number = len(self.objections) + 1
        self.emit(
            self.ObjectionRaised,
            ctx,
            number=number,
            resident_id=resident_id,
            reason=reason,
            answer_due=ctx.today + timedelta(days=self.answer_days),
        )
        return number

    def answer(self, ctx: Ctx, number: int, answer: str) -> None:
        objection = self.objections.get(number)
        if objection is None:
            raise DomainError("No such objection.", status=404)
        if objection.answered:
            raise DomainError("This objection is answered already.", status=409)
        answer = check_text(answer, TEXT_MAX, "answer", "Write the answer.")
        self.emit(self.ObjectionAnswered, ctx, number=number, answer=answer)


def _checked(title: str, text: str) -> tuple[str, str]:
    return (
        check_text(title, TITLE_MAX, "title", "A notice needs a title of at most 80 characters."),
        check_text(text, TEXT_MAX, "text", "Write the notice (at most 10,000 characters)."),
    )


@dataclass
class Entry:
    number: int
    kind: str
    on: date
    amount_fen: int  # signed: a correction may take away
    category: str
    corrects: int


@dataclass(frozen=True)
class Totals:
    """A month's figures: income and expense by category (fen), the balances before and after."""

    month: str
    income: dict[str, int]
    expense: dict[str, int]
    opening: int
    closing: int
    entries: list[int] = field(default_factory=list)  # the numbers of the entries in the month

    @property
    def total_income(self) -> int:
        return sum(self.income.values())

    @property
    def total_expense(self) -> int:
        return sum(self.expense.values())


class FinanceBook(LinliAggregate):
    """The community's finance book (财务): numbered entries of income and expense, never edited — a correction is a
    new entry referring to the one it corrects, dated the day it is made — and the months reported."""

    class Opened(LinliAggregate.Created):
        pass

    class Recorded(LinliAggregate.Event):
        number: int
        kind: str  # income | expense
        on: date
        amount_fen: int
        category: str
        counterparty: str  # an organisation's name, or a person's name masked (张*明)
        voucher: str  # sha256 of the voucher photo, or ""
        corrects: int  # 0, or the number of the entry this one corrects
        reason: str

        def apply(self, book: FinanceBook) -> None:
            book.entries.append(Entry(self.number, self.kind, self.on, self.amount_fen, self.category, self.corrects))

    class MonthReported(LinliAggregate.Event):
        month: str
        notice_id: UUID

        def apply(self, book: FinanceBook) -> None:
            book.reported[self.month] = self.notice_id

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.reported: dict[str, UUID] = {}

    @classmethod
    def open(cls, ctx: Ctx) -> FinanceBook:
        return cls.start(cls.Opened, ctx, book_id_for(ctx.community_id))

    def record(
        self,
        ctx: Ctx,
        kind: str,
        on: date,
        amount_fen: int,
        category: str,
        counterparty: str,
        person: bool,
        voucher: str = "",
    ) -> int:
        if kind not in FINANCE_CATEGORIES:
            raise DomainError("Income or expense?", "kind")
        if category not in FINANCE_CATEGORIES[kind]:
            raise DomainError("Choose a category for this kind of entry.", "category")
        _check_amount(amount_fen)
        if on > ctx.today:
            raise DomainError("The date cannot be in the future.", "on")
        if on < EARLIEST:
            raise DomainError("The date is too far in the past.", "on")
        if self.reported and on <= month_bounds(max(self.reported))[1]:
            raise DomainError(
                "The books are closed up to the last month reported: record a correction instead (it goes into the "
                "next report).",
                "on",
            )
        counterparty = check_text(
            counterparty, COUNTERPARTY_MAX, "counterparty", "Name the counterparty (at most 60 characters)."
        )
        return self._emit(
            ctx, kind, on, amount_fen, category, mask_name(counterparty) if person else counterparty, voucher, 0, ""
        )

    def correct(self, ctx: Ctx, number: int, right_amount_fen: int, reason: str) -> int:
        """The entry's right amount: a new entry, dated today, for the difference."""
        original = next((e for e in self.entries if e.number == number and not e.corrects), None)
        if original is None:
            raise DomainError("No such entry.", status=404)
        _check_amount(right_amount_fen, zero=True)
        delta = right_amount_fen - self.amount_of(number)
        if delta == 0:
            raise DomainError("That is the amount already recorded.", "amount")
        reason = check_text(reason, REASON_MAX, "reason", "Say what the correction corrects (at most 500 characters).")
        return self._emit(ctx, original.kind, ctx.today, delta, original.category, "", "", number, reason)

    def _emit(
        self,
        ctx: Ctx,
        kind: str,
        on: date,
        amount: int,
        category: str,
        counterparty: str,
        voucher: str,
        corrects: int,
        reason: str,
    ) -> int:
        number = len(self.entries) + 1
        self.emit(
            self.Recorded,
            ctx,
            number=number,
            kind=kind,
            on=on,
            amount_fen=amount,
            category=category,
            counterparty=counterparty,
            voucher=voucher,
            corrects=corrects,
            reason=reason,
        )
        return number

    def amount_of(self, number: int) -> int:
        """An entry's amount after its corrections."""
        return sum(e.amount_fen for e in self.entries if e.number == number or e.corrects == number)

    def balance(self, before: date | None = None) -> int:
        """Income minus expense (of the entries dated before `before`, or all)."""
        return sum(
            e.amount_fen if e.kind == "income" else -e.amount_fen
            for e in self.entries
            if before is None or e.on < before
        )

    def totals(self, month: str) -> Totals:
        first, last = month_bounds(month)
        income: dict[str, int] = {}
        expense: dict[str, int] = {}
        numbers = []
        for e in self.entries:
            if first <= e.on <= last:
                side = income if e.kind == "income" else expense
                side[e.category] = side.get(e.category, 0) + e.amount_fen
                numbers.append(e.number)
        opening = self.balance(first)
        closing = opening + sum(income.values()) - sum(expense.values())
        return Totals(month, income, expense, opening, closing, numbers)

    def report(self, ctx: Ctx, month: str, notice_id: UUID) -> Totals:
        """The month's report (once, once the month is over): its figures for the finance notice."""
        try:
            _, last = month_bounds(month)
        except ValueError:
            raise DomainError("Give the month as YYYY-MM.", "month") from None
        if last >= ctx.today:
            raise DomainError("A month is reported once it is over.", "month")
        if month in self.reported:
            raise DomainError("This month is reported already.", status=409)
        totals = self.totals(month)
        self.emit(self.MonthReported, ctx, month=month, notice_id=notice_id)
        return totals


def _check_amount(amount_fen: int, zero: bool = False) -> None:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise DomainError("Amounts are whole fen.", "amount")
    if amount_fen < 0 or (amount_fen == 0 and not zero):
        raise DomainError("The amount must be more than zero.", "amount")
    if amount_fen > AMOUNT_MAX:
        raise DomainError("That amount is too large: check the figure.", "amount")


# -- the disclosure schedule ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    """Something that must be on the board by `due`: a month's finance report, a period's general disclosure, or a
    major matter's resolution notice."""

    kind: str  # finance | general | major
    subject: str  # the month ("2026-10"), the period ("2026-Q3"), or the matter's title
    due: date
    done_on: date | None = None  # the day it was published, if it was

    def overdue(self, today: date) -> bool:
        """Not published by its day: overdue from the day after (on time if published on the day)."""
        return self.done_on is None and today > self.due

    @property
    def late(self) -> bool:
        return self.done_on is not None and self.done_on > self.due


def finance_due(month: str, report_day: int) -> date:
    """A month's finance report is due on the `report_day` of the next month (the 15th by default)."""
    _, last = month_bounds(month)
    following = last + timedelta(days=1)
    return following.replace(day=min(report_day, calendar.monthrange(following.year, following.month)[1]))


def period_of(day: date, months: int) -> tuple[str, date, date]:
    """The general-disclosure period (of `months` months, counted from January) a day falls in: its name and
    bounds. Quarterly by default: 2026-Q4 = October to December."""
    index = (day.month - 1) // months
    first = date(day.year, index * months + 1, 1)
    end_month = index * months + months
    last = date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    name = f"{day.year}-Q{index + 1}" if months == 3 else f"{day.year}-{index + 1}/{12 // months}"
    return name, first, last


def schedule(
    today: date,
    since: date,
    report_day: int,
    general_months: int,
    major_days: int,
    finance_published: dict[str, date],
    general_published: list[date],
    resolutions: list[tuple[str, date, date | None]],
) -> list[Due]:
    """What was due from `since` (the board's first day) to today, and whether it was done in time:
    - each month's finance report by the `report_day` of the next month;
    - in each general period (quarterly) at least one notice of residents' or party affairs, by its last day;
    - each major matter's resolution notice within `major_days` of the resolution (title, resolved on, notice on).
    Only what has fallen due, or has been done, is listed."""
    found: list[Due] = []
    month = date(since.year, since.month, 1)
    while month <= today:
        name = month_of(month)
        due = finance_due(name, report_day)
        if due < today or name in finance_published:
            found.append(Due("finance", name, due, finance_published.get(name)))
        month = (month + timedelta(days=32)).replace(day=1)
    day = since
    while day <= today:
        name, first, last = period_of(day, general_months)
        done = sorted(d for d in general_published if first <= d <= last)
        if last < today or done:
            found.append(Due("general", name, last, done[0] if done else None))
        day = last + timedelta(days=1)
    for title, resolved_on, notice_on in resolutions:
        due = resolved_on + timedelta(days=major_days)
        if due < today or notice_on is not None:
            found.append(Due("major", title, due, notice_on))
    return found
