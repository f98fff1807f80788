"""The community's finance book (财务): numbered entries of income and expense, never edited (a correction is a new
entry), and the months reported; a month's report is one notice."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid5

from backend.disclosure.domain.notice import REASON_MAX, TOPICS_MODULE
from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.masking import mask_name
from backend.kernel.topics import keep_topics

COUNTERPARTY_MAX = 60
AMOUNT_MAX = 100_000_000_00  # one hundred million yuan, in fen: anything above is a typing mistake
EARLIEST = date(2000, 1, 1)
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


keep_topics(TOPICS_MODULE, FinanceBook)
