"""关爱对象 and 走访: the households the clerk flags for care (独居、空巢、高龄、残疾、困难) and the grid worker's visit
diary (民情日志). The care categories are sensitive personal data: they reach the log sealed (the command seals them
with the resident's key, or the household's when the person has no account), and only the visit interval they
imply is in the clear, so that the next visit's due day can be kept in the events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

from backend.casework.domain.rules import CARE_CATEGORIES, TEXT_MAX, TOPICS_MODULE, care_id_for
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics

TASK_MAX = 200


def care_interval(categories: list[str] | tuple[str, ...], days_of: Callable[[str], int]) -> int:
    """The visit interval of a household with these categories: the shortest of theirs (`days_of`: the rulebook's
    care_visit_days_<category> in force)."""
    found = set(categories)
    if not found or not found <= set(CARE_CATEGORIES):
        raise DomainError("Choose at least one care category.", "categories")
    return min(days_of(c) for c in found)


class CareRecipient(LinliAggregate):
    """A household flagged for care, one per household: its sealed categories, its visit interval and the day the
    next visit is due (from the flag, then from each visit)."""

    class Flagged(LinliAggregate.Created):
        household_id: UUID
        household: str  # the address label, as the register has it
        building: str
        resident_id: UUID | None  # the person cared for, when they have an account
        sealed_with: UUID  # whose key sealed the categories: the resident's, else the household's
        categories_sealed: str  # JSON list of CARE_CATEGORIES, sealed
        interval_days: int
        next_visit_due: date

    class Changed(LinliAggregate.Event):
        """New categories (and interval), or flagged again after being unflagged."""

        sealed_with: UUID
        categories_sealed: str
        interval_days: int
        next_visit_due: date

        def apply(self, care: CareRecipient) -> None:
            care.sealed_with, care.categories_sealed = self.sealed_with, self.categories_sealed
            care.interval_days, care.next_visit_due, care.active = self.interval_days, self.next_visit_due, True

    class Visited(LinliAggregate.Event):
        visit_id: UUID
        visited_on: date
        next_visit_due: date

        def apply(self, care: CareRecipient) -> None:
            care.last_visit, care.next_visit_due = self.visited_on, self.next_visit_due

    class Unflagged(LinliAggregate.Event):
        reason: str

        def apply(self, care: CareRecipient) -> None:
            care.active = False

    def __init__(
        self,
        household_id: UUID,
        household: str,
        building: str,
        resident_id: UUID | None,
        sealed_with: UUID,
        categories_sealed: str,
        interval_days: int,
        next_visit_due: date,
    ) -> None:
        self.household_id, self.household, self.building = household_id, household, building
        self.resident_id, self.sealed_with, self.categories_sealed = resident_id, sealed_with, categories_sealed
        self.interval_days, self.next_visit_due = interval_days, next_visit_due
        self.last_visit: date | None = None
        self.active = True

    @classmethod
    def flag(
        cls,
        ctx: Ctx,
        household_id: UUID,
        household: str,
        building: str,
        resident_id: UUID | None,
        categories_sealed: str,
        interval_days: int,
    ) -> CareRecipient:
        return cls.start(
            cls.Flagged,
            ctx,
            care_id_for(household_id),
            household_id=household_id,
            household=household,
            building=building,
            resident_id=resident_id,
            sealed_with=resident_id or household_id,
            categories_sealed=categories_sealed,
            interval_days=interval_days,
            next_visit_due=ctx.today + timedelta(days=interval_days),
        )

    def change(self, ctx: Ctx, categories_sealed: str, interval_days: int) -> None:
        """New categories, or flagged again: the next visit is due within the new interval of the last visit (of
        today, when never visited), never later than it was due."""
        since = self.last_visit or ctx.today
        due = since + timedelta(days=interval_days)
        if self.active:
            due = min(due, self.next_visit_due)
        self.emit(
            self.Changed,
            ctx,
            sealed_with=self.resident_id or self.household_id,
            categories_sealed=categories_sealed,
            interval_days=interval_days,
            next_visit_due=max(due, ctx.today),
        )

    def visited(self, ctx: Ctx, visit_id: UUID, on: date) -> None:
        if not self.active:
            return
        last = max(on, self.last_visit) if self.last_visit else on
        due = last + timedelta(days=self.interval_days)
        self.emit(self.Visited, ctx, visit_id=visit_id, visited_on=on, next_visit_due=due)

    def unflag(self, ctx: Ctx, reason: str) -> None:
        if not self.active:
            raise DomainError("This household is not flagged for care.", status=409)
        reason = check_text(reason, 500, "reason", "Say why (at most 500 characters).")
        self.emit(self.Unflagged, ctx, reason=reason)


class Visit(LinliAggregate):
    """走访: a visit to a household — planned (a task for a volunteer or a grid worker, with a due day) and then
    recorded, or recorded at once in the grid worker's diary (民情日志), optionally with the case raised from it."""

    class Opened(LinliAggregate.Created):
        household_id: UUID
        household: str
        building: str
        visitor_id: UUID  # who visits: the grid worker, or a volunteer assigned the task
        task: str  # what to do (never the care categories: a volunteer sees the task only)
        due_on: date | None
        # the volunteering shift a volunteer makes it in: its check-in/out, confirmed by the team's leader, are the
        # visit's volunteer hours (volunteering keeps the ledger); None for a grid worker's own visits
        shift_id: UUID | None = None

    class Logged(LinliAggregate.Event):
        visited_on: date
        found: str  # 民情: what was found
        case_id: UUID | None  # the case raised from it in the same step

        def apply(self, visit: Visit) -> None:
            visit.visited_on, visit.case_id = self.visited_on, self.case_id

    def __init__(
        self,
        household_id: UUID,
        household: str,
        building: str,
        visitor_id: UUID,
        task: str,
        due_on: date | None,
        shift_id: UUID | None = None,
    ) -> None:
        self.household_id, self.household, self.building = household_id, household, building
        self.visitor_id, self.task, self.due_on, self.shift_id = visitor_id, task, due_on, shift_id
        self.visited_on: date | None = None
        self.case_id: UUID | None = None

    @classmethod
    def plan(
        cls,
        ctx: Ctx,
        visit_id: UUID,
        household_id: UUID,
        household: str,
        building: str,
        visitor_id: UUID,
        task: str,
        due_on: date | None,
        shift_id: UUID | None = None,
    ) -> Visit:
        task = check_text(task, TASK_MAX, "task", "Say what the visit is for (at most 200 characters).", required=False)
        if due_on is not None and due_on < ctx.today:
            raise DomainError("The visit cannot be due in the past.", "due_on")
        return cls.start(
            cls.Opened,
            ctx,
            visit_id,
            household_id=household_id,
            household=household,
            building=building,
            visitor_id=visitor_id,
            task=task,
            due_on=due_on,
            shift_id=shift_id,
        )

    def log(self, ctx: Ctx, visitor_id: UUID, on: date, found: str, case_id: UUID | None) -> None:
        if self.visited_on is not None:
            raise DomainError("This visit has been recorded already.", status=409)
        if visitor_id != self.visitor_id:
            raise DomainError("This visit is someone else's.", status=403)
        if on > ctx.today:
            raise DomainError("A visit is recorded on or after the day it took place.", "visited_on")
        if on < ctx.today - timedelta(days=31):
            raise DomainError("Record a visit within a month of it.", "visited_on")
        found = check_text(found, TEXT_MAX, "found", "Write what you found (at most 2000 characters).")
        self.emit(self.Logged, ctx, visited_on=on, found=found, case_id=case_id)


keep_topics(TOPICS_MODULE, CareRecipient, Visit)
