"""Commands of 居务公开: the clerk drafts, submits and publishes notices and answers objections; the supervisors
approve or return drafts; residents object; the clerk keeps the finance book and reports each month (the report is a
notice drafted in the same transaction as the book marks the month reported)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from backend.community.reads import load_community
from backend.disclosure.domain.finance import FINANCE_CATEGORIES, FinanceBook, Totals, book_id_for, report_notice_id
from backend.disclosure.domain.notice import Notice, Terms
from backend.i18n import gettext as _
from backend.i18n import speaking
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.money import yuan
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.reads import acting_for, authorize

NOTICE_NAMESPACE = UUID("6b8d0f2a-4c6e-4a8b-9d1f-3b5d7f9a1c3e")

Steps = tuple[list[LinliAggregate], dict[str, str]]


def load_notice(app: LinliApp, ctx: Ctx, notice_id: UUID) -> Notice:
    return load_in_community(app, ctx, notice_id, Notice, "No such notice.")


def load_book(app: LinliApp, ctx: Ctx) -> FinanceBook:
    try:
        return app.repository.get(book_id_for(ctx.community_id))
    except AggregateNotFoundError:
        return FinanceBook.open(ctx)


def terms_of(app: LinliApp, ctx: Ctx) -> Terms:
    community = load_community(app, ctx.community_id)
    return Terms(
        period_days=community.rule("notice_period_days", ctx.today),
        answer_days=community.rule("objection_answer_days", ctx.today),
        review_days=community.rule("disclosure_review_days", ctx.today),
        review_required=community.rule("disclosure_review_required", ctx.today) == 1,
    )


async def draft(
    rt: Commands,
    ctx: Ctx,
    category: str,
    title: str,
    text: str,
    photos: list[str] | None = None,
    kind: str = "notice",
    period: str = "",
) -> CommandResult:
    notice_id = uuid5(NOTICE_NAMESPACE, ctx.command_id)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "disclosure.write")
        notice = Notice.draft_new(ctx, notice_id, category, title, text, kind, photos, period=period)
        return [notice], {"notice_id": str(notice_id)}

    return await rt.execute("notice.draft", ctx, notice_id, action)


async def _on_notice(
    rt: Commands, name: str, ctx: Ctx, notice_id: UUID, right: str, change: Callable[[LinliApp, Notice], object]
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, right)
        notice = load_notice(app, ctx, notice_id)
        result = change(app, notice)
        return [notice], {"result": str(result) if result is not None else ""}

    return await rt.execute(name, ctx, notice_id, action)


async def revise(rt: Commands, ctx: Ctx, notice_id: UUID, title: str, text: str, reason: str = "") -> CommandResult:
    """The draft changed; once published, a correction (the next version) with its reason."""
    return await _on_notice(
        rt, "notice.revise", ctx, notice_id, "disclosure.write", lambda _, n: n.revise(ctx, title, text, reason)
    )


async def submit(rt: Commands, ctx: Ctx, notice_id: UUID) -> CommandResult:
    return await _on_notice(
        rt, "notice.submit", ctx, notice_id, "disclosure.write", lambda app, n: n.submit(ctx, terms_of(app, ctx))
    )


async def approve(rt: Commands, ctx: Ctx, notice_id: UUID) -> CommandResult:
    return await _on_notice(rt, "notice.approve", ctx, notice_id, "disclosure.review", lambda _, n: n.approve(ctx))


async def return_draft(rt: Commands, ctx: Ctx, notice_id: UUID, reason: str) -> CommandResult:
    return await _on_notice(
        rt, "notice.return", ctx, notice_id, "disclosure.review", lambda _, n: n.return_draft(ctx, reason)
    )


async def publish(rt: Commands, ctx: Ctx, notice_id: UUID) -> CommandResult:
    return await _on_notice(
        rt, "notice.publish", ctx, notice_id, "disclosure.write", lambda app, n: n.publish(ctx, terms_of(app, ctx))
    )


async def raise_objection(rt: Commands, ctx: Ctx, notice_id: UUID, reason: str) -> CommandResult:
    """质询 by a verified resident (or a clerk for one who is present)."""
    resident = acting_for(ctx)
    return await _on_notice(
        rt,
        "notice.object",
        ctx,
        notice_id,
        "disclosure.object",
        lambda _, n: n.raise_objection(ctx, resident, reason),
    )


async def answer(rt: Commands, ctx: Ctx, notice_id: UUID, number: int, text: str) -> CommandResult:
    return await _on_notice(
        rt, "notice.answer", ctx, notice_id, "disclosure.write", lambda _, n: n.answer(ctx, number, text)
    )


# -- finance ----------------------------------------------------------------------------------------------------------
async def _on_book(rt: Commands, name: str, ctx: Ctx, change: Callable[[FinanceBook], int]) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "disclosure.write")
        book = load_book(app, ctx)
        number = change(book)
        return [book], {"number": str(number)}

    return await rt.execute(name, ctx, book_id_for(ctx.community_id), action)


async def record_entry(
    rt: Commands,
    ctx: Ctx,
    kind: str,
    on: date,
    amount_fen: int,
    category: str,
    counterparty: str,
    person: bool,
    voucher: str = "",
) -> CommandResult:
    return await _on_book(
        rt,
        "finance.record",
        ctx,
        lambda book: book.record(ctx, kind, on, amount_fen, category, counterparty, person, voucher),
    )


async def correct_entry(rt: Commands, ctx: Ctx, number: int, right_amount_fen: int, reason: str) -> CommandResult:
    return await _on_book(rt, "finance.correct", ctx, lambda book: book.correct(ctx, number, right_amount_fen, reason))


async def report_month(rt: Commands, ctx: Ctx, month: str) -> CommandResult:
    """The month's finance report: the book marks the month reported and the report notice is drafted, together."""

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "disclosure.write")
        book = load_book(app, ctx)
        notice_id = report_notice_id(ctx.community_id, month)
        totals = book.report(ctx, month, notice_id)
        title, text = report_text(totals)
        notice = Notice.draft_new(ctx, notice_id, "finance", title, text, "finance_report", period=month)
        return [book, notice], {"notice_id": str(notice_id)}

    return await rt.execute("finance.report", ctx, book_id_for(ctx.community_id), action)


def report_text(totals: Totals) -> tuple[str, str]:
    """The report's title and text, in Chinese (the notice is posted as it is): totals by category, balances."""
    with speaking("zh"):
        year, month = totals.month.split("-")
        title = _("Finance report for %(year)s-%(month)s", year=year, month=month)
        lines = [_("Opening balance: ¥%(amount)s", amount=_signed(totals.opening))]
        for kind, side in (("income", totals.income), ("expense", totals.expense)):
            label = _("Income") if kind == "income" else _("Expenses")
            lines.append(f"{label}：¥{_signed(sum(side.values()))}")
            lines += [f"  {_(FINANCE_CATEGORIES[kind][c])}：¥{_signed(v)}" for c, v in sorted(side.items())]
        lines.append(_("Closing balance: ¥%(amount)s", amount=_signed(totals.closing)))
        lines.append(
            _(
                "%(n)s entries; corrections of earlier entries are included in the month they were made.",
                n=len(totals.entries),
            )
        )
        return title, "\n".join(lines)


def _signed(fen: int) -> str:
    return ("-" if fen < 0 else "") + yuan(abs(fen))
