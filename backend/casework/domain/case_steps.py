"""The later steps of a case (吹哨 and the department's work, the extension, the answer, the rating, the deadlines'
notices): methods of backend.casework.domain.case.Case, kept in their own module for its size. They read and
change only the case; its events are Case's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from backend.casework.domain.deadlines import Deadlines, Handler, Terms, notices_due
from backend.casework.domain.rules import (
    AT,
    CHANNELS,
    DISSATISFIED,
    IMMEDIATE,
    LEVELS,
    REASON_MAX,
    TEXT_MAX,
    Due,
    State,
    check_photos,
)
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError, check_text


@dataclass
class Whistle:
    """The whistle in progress: to which department, by when it reports in, whether it has."""

    number: int
    department_id: UUID
    report_due: datetime
    reported: bool = False


def _reason(reason: str, required: bool = True) -> str:
    return check_text(reason, REASON_MAX, "reason", "Say why (at most 500 characters).", required=required)


class CaseSteps:
    """The steps after taking a case. Case (which holds the events these methods trigger) is the only class using
    it; the module does not import Case, so the two never import each other."""

    state: str
    handling: str
    answer_days: int
    raisers: list[UUID]
    owner_id: UUID | None
    queue: str
    grid_id: UUID | None
    whistle: Whistle | None
    whistles: int
    extension: str
    extension_days: int
    round: int
    ratings: dict[UUID, str]
    reopened: bool
    deadlines: Deadlines
    reminded: frozenset[tuple[str, str, str]]

    if TYPE_CHECKING:  # Case's own helpers

        def _owned(self, handler: Handler, clerk_too: bool = False, states: tuple[str, ...] = ()) -> None: ...
        def _without(self, *kinds: str) -> Deadlines: ...
        def _step(self, event: Any, ctx: Ctx, deadlines: Deadlines, **kwargs: object) -> None: ...

    # -- 吹哨 ----------------------------------------------------------------------------------------------------
    def whistle_to(self, ctx: Ctx, handler: Handler, department_id: UUID, reason: str, terms: Terms) -> None:
        """The owner whistles the case to `department_id` (the one the matter list names; the command finds it)."""
        self._owned(handler)
        if self.whistle is not None:
            raise DomainError("This case is with a department already.", status=409)
        reason = _reason(reason, required=self.handling == IMMEDIATE)
        deadlines = {**self.deadlines, Due.REPORT: terms.report(ctx.now), Due.DEPARTMENT: self._department(ctx, terms)}
        self._step(self.Whistled, ctx, deadlines, number=self.whistles + 1, department_id=department_id, reason=reason)

    def _department(self, ctx: Ctx, terms: Terms) -> list[datetime]:
        return terms.answer(ctx.now, self.answer_days)

    def reroute(self, ctx: Ctx, department_id: UUID, reason: str, terms: Terms) -> None:
        """The street sends the whistle to another department."""
        whistle = self._whistle_open()
        if whistle.department_id == department_id:
            raise DomainError("The case is with this department already.", "department_id", status=409)
        deadlines = {**self.deadlines, Due.REPORT: terms.report(ctx.now), Due.DEPARTMENT: self._department(ctx, terms)}
        self._step(self.Rerouted, ctx, deadlines, department_id=department_id, reason=_reason(reason))

    def report_in(self, ctx: Ctx, department_id: UUID) -> None:
        whistle = self._whistled_to(department_id)
        if whistle.reported:
            raise DomainError("Your department has reported in already.", status=409)
        self._step(self.ReportedIn, ctx, self._without(Due.REPORT), department_id=department_id)

    def return_whistle(self, ctx: Ctx, department_id: UUID, reason: str) -> None:
        """退单, within the department's time to report in."""
        whistle = self._whistled_to(department_id)
        if ctx.now > whistle.report_due:
            raise DomainError("The time to return this case has passed; answer it.", status=409)
        deadlines = self._without(Due.REPORT, Due.DEPARTMENT)
        self._step(self.WhistleReturned, ctx, deadlines, department_id=department_id, reason=_reason(reason))

    def department_answer(self, ctx: Ctx, department_id: UUID, text: str, photos: list[str]) -> None:
        whistle = self._whistled_to(department_id)
        if not whistle.reported:
            raise DomainError("Report in before answering.", status=409)
        text = check_text(text, TEXT_MAX, "text", "Write the answer (at most 2000 characters).")
        deadlines = self._without(Due.REPORT, Due.DEPARTMENT)
        self._step(
            self.DepartmentAnswered, ctx, deadlines, department_id=department_id, text=text, photos=check_photos(photos)
        )

    def _whistle_open(self) -> Whistle:
        if self.whistle is None or self.state != State.ACCEPTED:
            raise DomainError("This case is with no department.", status=409)
        return self.whistle

    def _whistled_to(self, department_id: UUID) -> Whistle:
        whistle = self._whistle_open()
        if whistle.department_id != department_id:
            raise DomainError("This case was not whistled to your department.", status=403)
        return whistle

    # -- the extension -----------------------------------------------------------------------------------------------
    def request_extension(self, ctx: Ctx, handler: Handler, days: int, reason: str, terms: Terms) -> None:
        self._owned(handler)
        if self.extension == "approved":
            raise DomainError("A case is extended once only.", status=409)
        if self.extension == "requested":
            raise DomainError("An extension waits for the clerk already.", status=409)
        if not 1 <= days <= terms.extension_days:
            raise DomainError("An extension is 1 to %(days)s days.", "days", days=terms.extension_days)
        self._step(self.ExtensionRequested, ctx, self.deadlines, days=days, reason=_reason(reason))

    def approve_extension(self, ctx: Ctx, terms: Terms) -> None:
        """The clerk approves: the answer deadline moves by the days asked (calendar days)."""
        self._extension_waiting()
        moved = terms.extended(ctx.now, self.deadlines[Due.ANSWER][1], self.extension_days)
        deadlines = {**self.deadlines, Due.ANSWER: moved}
        self._step(self.ExtensionApproved, ctx, deadlines, days=self.extension_days)

    def decline_extension(self, ctx: Ctx, reason: str) -> None:
        self._extension_waiting()
        self._step(self.ExtensionDeclined, ctx, self.deadlines, reason=_reason(reason))

    def _extension_waiting(self) -> None:
        if self.extension != "requested" or self.state != State.ACCEPTED:
            raise DomainError("No extension waits for a decision.", status=409)

    # -- the answer and its rating ----------------------------------------------------------------------------------
    def answer(self, ctx: Ctx, handler: Handler, text: str, photos: list[str], terms: Terms) -> None:
        self._owned(handler)
        if self.whistle is not None:
            raise DomainError("The department has not answered yet.", status=409)
        text = check_text(text, TEXT_MAX, "text", "Write the answer (at most 2000 characters).")
        deadlines = {Due.RATING: terms.rating(ctx.now)}
        self._step(self.Answered, ctx, deadlines, round=self.round + 1, text=text, photos=check_photos(photos))

    def rate(
        self,
        ctx: Ctx,
        resident_id: UUID,
        level: str,
        solved: bool,
        comment: str,
        channel: str,
        terms: Terms,
    ) -> str:
        """A raiser's rating of the answer, once, within the window. Returns what followed: "rated" (others may
        still rate), "closed" (everyone has) or "reopened" (the first 不满意)."""
        if self.state != State.ANSWERED:
            raise DomainError("Only an answered case can be rated.", status=409)
        if resident_id not in self.raisers:
            raise DomainError("Only those who raised the case rate it.", status=403)
        if resident_id in self.ratings:
            raise DomainError("This answer has been rated already.", status=409)
        if ctx.now > self.deadlines[Due.RATING][1]:
            raise DomainError("The time to rate this answer has passed.", status=409)
        if level not in LEVELS:
            raise DomainError("Choose 满意, 基本满意 or 不满意.", "level")
        if channel not in CHANNELS:
            raise DomainError("Unknown channel.", "channel")
        comment = check_text(comment, REASON_MAX, "comment", "The comment has at most 500 characters.", required=False)
        self._step(
            self.Rated,
            ctx,
            self.deadlines,
            resident_id=resident_id,
            round=self.round,
            level=level,
            solved=solved,
            comment=comment,
            channel=channel,
        )
        if level == DISSATISFIED and not self.reopened:
            again = {
                Due.ACCEPT: terms.accept(ctx.now, urgent=False),
                Due.ANSWER: terms.answer(ctx.now, self.answer_days),
            }
            self._step(self.Reopened, ctx, again)
            return "reopened"
        if all(r in self.ratings for r in self.raisers):
            self._step(self.Closed, ctx, {}, outcome="rated", unrated=[])
            return "closed"
        return "rated"

    # -- the rounds --------------------------------------------------------------------------------------------------
    def keep_deadlines(self, ctx: Ctx) -> int:
        """The system sends the notices due (each once) and closes the case when its rating window has ended.
        Returns how many steps it took."""
        due = notices_due(self.deadlines, self.reminded, ctx.now) if self.state in State.OPEN else []
        if not due:
            raise DomainError("Nothing is due.", status=409)
        for kind, stage, _at in due:
            if kind == Due.RATING and stage == AT:
                unrated = [r for r in self.raisers if r not in self.ratings]
                self._step(self.Closed, ctx, {}, outcome="rated" if self.ratings else "unrated", unrated=unrated)
                return 1
        for kind, stage, at in due:
            department = self.whistle.department_id if self.whistle and kind in (Due.REPORT, Due.DEPARTMENT) else None
            self._step(
                self.Reminded,
                ctx,
                self.deadlines,
                kind=kind,
                stage=stage,
                due=at,
                owner_id=self.owner_id,
                queue=self.queue,
                grid_id=self.grid_id,
                department_id=department,
            )
        return len(due)
