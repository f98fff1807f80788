"""Commands of 社区动态: the clerk posts, edits and withdraws news items; a resident marks an important one read, or
is recorded as having opened a notice of the board."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from backend.deliberation.domain.matter import Matter
from backend.disclosure.domain.notice import Notice
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import NotFound
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.news.domain.item import Draft, NewsItem
from backend.news.domain.reading import Reading, reading_id
from backend.residents.reads import acting_for, authorize

NEWS_NAMESPACE = UUID("8e1a3c5f-7b9d-4f2a-b6c8-0d2e4f6a8b1c")

Steps = tuple[list[LinliAggregate], dict[str, str]]


def news_id_for(command_id: str) -> UUID:
    return uuid5(NEWS_NAMESPACE, command_id)


def load_item(app: LinliApp, ctx: Ctx, news_id: UUID, read_only: bool = False) -> NewsItem:
    return load_in_community(app, ctx, news_id, NewsItem, "No such news item.", read_only)


def _has(app: LinliApp, aggregate_id: UUID) -> bool:
    try:
        app.repository.get(aggregate_id, deepcopy_from_cache=False)
    except AggregateNotFoundError:
        return False
    return True


async def post(rt: Commands, ctx: Ctx, draft: Draft) -> CommandResult:
    news_id = news_id_for(ctx.command_id)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "news.write")
        return [NewsItem.post(ctx, news_id, draft)], {"news_id": str(news_id)}

    return await rt.execute("news.post", ctx, news_id, action)


async def _on_item(
    rt: Commands, name: str, ctx: Ctx, news_id: UUID, change: Callable[[NewsItem], None]
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "news.write")
        item = load_item(app, ctx, news_id)
        change(item)
        return [item], {"news_id": str(news_id)}

    return await rt.execute(name, ctx, news_id, action)


async def edit(rt: Commands, ctx: Ctx, news_id: UUID, draft: Draft) -> CommandResult:
    return await _on_item(rt, "news.edit", ctx, news_id, lambda item: item.edit(ctx, draft))


async def withdraw(rt: Commands, ctx: Ctx, news_id: UUID, reason: str) -> CommandResult:
    return await _on_item(rt, "news.withdraw", ctx, news_id, lambda item: item.withdraw(ctx, reason))


async def _reading(
    rt: Commands, ctx: Ctx, subject: str, subject_id: UUID, check: Callable[[LinliApp], None]
) -> CommandResult:
    resident = acting_for(ctx)
    key = reading_id(subject_id, resident)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "news.read")
        check(app)
        return [Reading.record(ctx, subject, subject_id, resident, already=_has(app, key))], {}

    return await rt.execute(f"{subject}.read", ctx, key, action)


async def read(rt: Commands, ctx: Ctx, news_id: UUID) -> CommandResult:
    """我已阅读 on an important news item: recorded once per resident."""
    return await _reading(
        rt, ctx, "news", news_id, lambda app: load_item(app, ctx, news_id, read_only=True).check_readable()
    )


async def read_notice(rt: Commands, ctx: Ctx, notice_id: UUID, matter_id: UUID | None = None) -> CommandResult:
    """The resident opened a published notice of the board (公示): recorded once, so that the home stops asking. A
    matter's ⑤/⑥ notice is on the board under an id of its own (not an aggregate's): its matter must have one."""

    def check(app: LinliApp) -> None:
        if matter_id is not None:
            matter = load_in_community(app, ctx, matter_id, Matter, "No such notice.", read_only=True)
            if not matter.notices:
                raise NotFound("No such notice.")
            return
        notice = load_in_community(app, ctx, notice_id, Notice, "No such notice.", read_only=True)
        if notice.current is None:
            raise NotFound("No such notice.")  # a draft: nothing to read yet

    return await _reading(rt, ctx, "notice", notice_id, check)
