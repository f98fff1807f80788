"""The matter list (事项清单): per street the categories of matters residents raise, each with its handling class
(即办 in the community / 吹哨 to a department), its answer days and the department a whistle goes to — starting from
the defaults (rules.DEFAULT_MATTERS); per community a narrowing of it (drop a category, fewer answer days, 吹哨 made
即办), never a widening (DESIGN 10); and per grid the community's further narrowing of its own list for that grid
(a grid is never wider than its community, so never wider than its street). Every line carries the day it takes
effect; a case takes the line in force (in its grid) on the day it is raised."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from backend.casework.domain.rules import (
    ANSWER_DAYS,
    DEFAULT_MATTERS,
    IMMEDIATE,
    TOPICS_MODULE,
    MatterItem,
    community_matters_id_for,
    matter_list_id_for,
    street_key,
)
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics

ITEMS_MAX = 100


class MatterList(LinliAggregate):
    """A street's matter list: its own lines over the defaults, each from a day on."""

    class Opened(LinliAggregate.Created):
        street: str

    class ItemSet(LinliAggregate.Event):
        """From `effective_from` on, the category reads so (a new one, or a change of a default's)."""

        code: str
        label: str
        handling: str
        answer_days: int
        department_id: UUID | None
        effective_from: date

        def apply(self, matters: MatterList) -> None:
            item = MatterItem(self.code, self.label, self.handling, self.answer_days, self.department_id)
            matters.lines.append((self.effective_from, self.code, item))

    class ItemDropped(LinliAggregate.Event):
        code: str
        effective_from: date

        def apply(self, matters: MatterList) -> None:
            matters.lines.append((self.effective_from, self.code, None))

    def __init__(self, street: str) -> None:
        self.street = street
        self.lines: list[tuple[date, str, MatterItem | None]] = []

    @classmethod
    def open(cls, ctx: Ctx, street: str) -> MatterList:
        street = street_key(street)
        if not street:
            raise DomainError("Departments belong to a street; set the community's street first.", "street")
        return cls.start(cls.Opened, ctx, matter_list_id_for(street), street=street)

    def items_on(self, day: date) -> dict[str, MatterItem]:
        return street_items(self, day)

    def set_item(self, ctx: Ctx, item: MatterItem, effective_from: date) -> None:
        item = item.checked()
        if effective_from < ctx.today:
            raise DomainError("A change takes effect today or later.", "effective_from")
        if item.code not in self.items_on(effective_from) and len(self.items_on(effective_from)) >= ITEMS_MAX:
            raise DomainError("A matter list has at most 100 categories.", "code", status=409)
        self.emit(
            self.ItemSet,
            ctx,
            code=item.code,
            label=item.label,
            handling=item.handling,
            answer_days=item.answer_days,
            department_id=item.department_id,
            effective_from=effective_from,
        )

    def drop_item(self, ctx: Ctx, code: str, effective_from: date) -> None:
        if effective_from < ctx.today:
            raise DomainError("A change takes effect today or later.", "effective_from")
        if code not in self.items_on(effective_from):
            raise DomainError("No such category in the matter list.", "code", status=404)
        self.emit(self.ItemDropped, ctx, code=code, effective_from=effective_from)


def _latest(lines: list[tuple[date, str, object]], day: date) -> dict[str, object]:
    """Per code, the line in force on `day`: the latest effective date on or before it, of two the later set."""
    found: dict[str, tuple[date, object]] = {}
    for since, code, value in lines:  # in the order they were set
        if since <= day and (code not in found or since >= found[code][0]):
            found[code] = (since, value)
    return {code: value for code, (_, value) in found.items()}


def street_items(matters: MatterList | None, day: date) -> dict[str, MatterItem]:
    """A street's list in force on `day` (the defaults where the street set nothing)."""
    items = {item.code: item for item in DEFAULT_MATTERS}
    for code, item in _latest(matters.lines if matters else [], day).items():
        if item is None:
            items.pop(code, None)
        else:
            items[code] = item  # type: ignore[assignment]
    return items


@dataclass(frozen=True)
class Narrowing:
    """A community's narrowing of one category: dropped, or fewer answer days (0: as the street), or 即办 instead of
    吹哨 (handling "" = as the street)."""

    dropped: bool = False
    answer_days: int = 0
    handling: str = ""


Lines = list[tuple[date, str, Narrowing | None]]


class CommunityMatters(LinliAggregate):
    """A community's narrowing of its street's matter list, and its further narrowing for one grid or another."""

    class Opened(LinliAggregate.Created):
        pass

    class Narrowed(LinliAggregate.Event):
        code: str
        dropped: bool
        answer_days: int
        handling: str
        effective_from: date
        grid_id: UUID | None = None  # a grid's narrowing over the community's; None (and before grids had any): all

        def apply(self, matters: CommunityMatters) -> None:
            narrowing = Narrowing(self.dropped, self.answer_days, self.handling)
            matters.lines_of(self.grid_id).append((self.effective_from, self.code, narrowing))

    class NarrowingLifted(LinliAggregate.Event):
        """The category reads as the street's again (for a grid: as the community's)."""

        code: str
        effective_from: date
        grid_id: UUID | None = None

        def apply(self, matters: CommunityMatters) -> None:
            matters.lines_of(self.grid_id).append((self.effective_from, self.code, None))

    def __init__(self) -> None:
        self.lines: Lines = []  # the whole community's
        self.grid_lines: dict[UUID, Lines] = {}  # a grid's, over the community's

    def lines_of(self, grid_id: UUID | None) -> Lines:
        if grid_id is None:
            return self.lines
        return self.grid_lines.setdefault(grid_id, [])

    @classmethod
    def open(cls, ctx: Ctx) -> CommunityMatters:
        return cls.start(cls.Opened, ctx, community_matters_id_for(ctx.community_id))

    def narrow(
        self,
        ctx: Ctx,
        street: dict[str, MatterItem],
        code: str,
        narrowing: Narrowing,
        since: date,
        grid_id: UUID | None = None,
    ) -> None:
        """`street`: the street's list in force on `since`. Refused when it would widen what the street set (for a
        grid: what the community's narrowing of it leaves on `since`)."""
        if since < ctx.today:
            raise DomainError("A change takes effect today or later.", "effective_from")
        if code not in street:
            raise DomainError("No such category in the matter list.", "code", status=404)
        item = street[code] if grid_id is None else _narrowed(street, self.lines, since).get(code)
        if item is None:
            raise DomainError("The community does not handle this category: no grid of it can.", "code", status=409)
        if narrowing.answer_days and narrowing.answer_days not in ANSWER_DAYS:
            raise DomainError("The answer takes 1, 5 or 15 working days.", "answer_days")
        if narrowing.answer_days > item.answer_days and grid_id is not None:
            raise DomainError("A grid may shorten the community's answer days, never lengthen them.", "answer_days")
        if narrowing.answer_days > item.answer_days:
            raise DomainError("A community may shorten the street's answer days, never lengthen them.", "answer_days")
        if narrowing.handling not in ("", IMMEDIATE):
            raise DomainError("A community may make a 吹哨 category 即办, never the other way.", "handling")
        if narrowing == Narrowing():
            raise DomainError("Drop the category, shorten its days or make it 即办.", "code")
        self.emit(
            self.Narrowed,
            ctx,
            code=code,
            dropped=narrowing.dropped,
            answer_days=narrowing.answer_days,
            handling=narrowing.handling,
            effective_from=since,
            grid_id=grid_id,
        )

    def lift(self, ctx: Ctx, code: str, since: date, grid_id: UUID | None = None) -> None:
        if since < ctx.today:
            raise DomainError("A change takes effect today or later.", "effective_from")
        if code not in narrowings_on(self, since, grid_id):
            if grid_id is not None:
                raise DomainError("The community has not narrowed this category for this grid.", "code", status=409)
            raise DomainError("The community has not narrowed this category.", "code", status=409)
        self.emit(self.NarrowingLifted, ctx, code=code, effective_from=since, grid_id=grid_id)


def _narrowed(items: dict[str, MatterItem], lines: Lines, day: date) -> dict[str, MatterItem]:
    """`items` as the narrowings in force on `day` leave them (a copy): never wider."""
    items = dict(items)
    for code, narrowing in _latest(lines, day).items():  # type: ignore[arg-type]
        item = items.get(code)
        if item is None or narrowing is None:
            continue
        assert isinstance(narrowing, Narrowing)
        if narrowing.dropped:
            del items[code]
            continue
        days = min(item.answer_days, narrowing.answer_days or item.answer_days)
        handling = IMMEDIATE if narrowing.handling == IMMEDIATE else item.handling
        items[code] = replace(item, answer_days=days, handling=handling)
    return items


def community_items(
    street: MatterList | None, community: CommunityMatters | None, day: date, grid_id: UUID | None = None
) -> dict[str, MatterItem]:
    """The categories a community's residents raise on `day` (a grid's residents, given `grid_id`): the street's,
    as the community narrowed them, then as it narrowed them for the grid. Each narrowing is applied over the line
    in force above it, so a later change of the street's (or of the community's) can never make the community's
    wider than the street's, nor a grid's wider than its community's."""
    items = _narrowed(street_items(street, day), community.lines if community else [], day)
    if grid_id is not None and community is not None:
        items = _narrowed(items, community.grid_lines.get(grid_id, []), day)
    return items


def narrowings_on(community: CommunityMatters | None, day: date, grid_id: UUID | None = None) -> dict[str, Narrowing]:
    """The community's own narrowings in force on `day` (given `grid_id`, that grid's), by code: what it may lift."""
    if community is None:
        return {}
    lines = community.grid_lines.get(grid_id, []) if grid_id is not None else community.lines
    return {code: n for code, n in _latest(lines, day).items() if isinstance(n, Narrowing)}  # type: ignore[arg-type]


keep_topics(TOPICS_MODULE, MatterList, CommunityMatters)
