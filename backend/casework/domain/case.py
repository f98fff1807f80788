"""诉求 (工单): a resident's request, from raising to rating. One aggregate per case, its id made from the raising
command's id.

Invariants (tested over command sequences in tests/test_domain_casework_case.py):
- at most one owner at a time, and exactly one while the case is accepted (首问负责: the first accept wins);
- every open case has a next deadline (`deadlines` is never empty while open, empty once over);
- a rating comes only from a raiser, once per answer, after the answer and within the rating window;
- 不满意 reopens a case once, to the clerk's queue; a case unrated at the end of the window closes as 未评价.

Every event carries `deadlines` (the case's open deadlines after it, kind -> [warn_at, due_at]) and `notice_at`
(when the rounds next have something to do for it: a notice, or closing an unrated case; None: nothing), so the
views and the rounds read them from the last event and never compute time themselves."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.casework.domain.case_steps import CaseSteps, Whistle
from backend.casework.domain.deadlines import Deadlines, Handler, Terms, next_notice_at
from backend.casework.domain.rules import (
    AUTHORITIES,
    CLERK_QUEUE,
    GRID_QUEUE,
    TEXT_MAX,
    TOPICS_MODULE,
    Due,
    MatterItem,
    State,
    check_photos,
)
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics


class Case(CaseSteps, LinliAggregate):
    class Step(LinliAggregate.Event):
        """What every event of a case carries: its deadlines after the event, and when the rounds next act."""

        deadlines: Deadlines
        notice_at: datetime | None

        def apply(self, case: Case) -> None:
            case.deadlines = {k: list(v) for k, v in self.deadlines.items()}
            self.change(case)

        def change(self, case: Case) -> None:
            pass

    class Raised(LinliAggregate.Created):
        raiser_id: UUID
        authority: str  # "" (the raiser themselves), or who raised it for them: clerk | grid_worker | building_head
        category: str
        label: str
        handling: str  # immediate (即办) | whistle (吹哨), from the matter list on the day
        answer_days: int
        department_id: UUID | None  # the department the matter list names for a whistle
        text: str
        building: str  # the raiser's building, or "" when a place is named
        place: str
        photos: list[str]
        urgent: bool
        public: bool
        grid_id: UUID | None
        queue: str  # grid | clerk (no grid covers the building or place)
        deadlines: Deadlines
        notice_at: datetime | None

    class Accepted(Step):
        owner_id: UUID

        def change(self, case: Case) -> None:
            case.state, case.owner_id, case.queue = State.ACCEPTED, self.owner_id, ""
            case.accepted_at = case.accepted_at or self.timestamp

    class UrgencyDowngraded(Step):
        reason: str  # the raiser sees it

        def change(self, case: Case) -> None:
            case.urgent = False

    class NoteAdded(Step):
        text: str
        photos: list[str]

    class HandedOver(Step):
        from_id: UUID | None
        to_id: UUID
        reason: str

        def change(self, case: Case) -> None:
            case.state, case.owner_id, case.queue = State.ACCEPTED, self.to_id, ""

    class Requeued(Step):
        """The owner no longer handles cases (their grid worker term ended, the role was revoked): the case waits
        in the clerk's queue for one of them to accept it."""

        from_id: UUID
        reason: str

        def change(self, case: Case) -> None:
            case.state, case.owner_id, case.queue = State.QUEUED, None, CLERK_QUEUE

    class Joined(Step):
        """我也遇到: a neighbour shares a public case instead of raising a duplicate; they hear every later step."""

        resident_id: UUID

        def change(self, case: Case) -> None:
            case.raisers.append(self.resident_id)

    class Absorbed(Step):
        """A duplicate was merged into this case: its raisers are this case's raisers from now on."""

        case_id: UUID
        raisers: list[UUID]

        def change(self, case: Case) -> None:
            case.raisers.extend(r for r in self.raisers if r not in case.raisers)

    class Merged(Step):
        """This case was a duplicate of `into_id`, which goes on for its raisers."""

        into_id: UUID

        def change(self, case: Case) -> None:
            case.state, case.owner_id, case.queue, case.merged_into = State.MERGED, None, "", self.into_id

    class Whistled(Step):
        """吹哨: sent through the street to a department, which reports in and answers."""

        number: int  # the case's first whistle is 1
        department_id: UUID
        reason: str

        def change(self, case: Case) -> None:
            case.whistle = Whistle(self.number, self.department_id, self.deadlines[Due.REPORT][1])
            case.whistles = self.number

    class Rerouted(Step):
        """The street sends the whistle to another department (its time to report in starts again)."""

        department_id: UUID
        reason: str

        def change(self, case: Case) -> None:
            assert case.whistle is not None
            case.whistle = Whistle(case.whistle.number, self.department_id, self.deadlines[Due.REPORT][1])

    class ReportedIn(Step):
        """报到: the department takes the whistle up."""

        department_id: UUID

        def change(self, case: Case) -> None:
            assert case.whistle is not None
            case.whistle.reported = True

    class WhistleReturned(Step):
        """退单: the department says the case is not its own, within its time to report in; back to the owner."""

        department_id: UUID
        reason: str

        def change(self, case: Case) -> None:
            case.whistle = None

    class DepartmentAnswered(Step):
        department_id: UUID
        text: str
        photos: list[str]

        def change(self, case: Case) -> None:
            case.whistle = None

    class ExtensionRequested(Step):
        days: int
        reason: str

        def change(self, case: Case) -> None:
            case.extension, case.extension_days = "requested", self.days

    class ExtensionApproved(Step):
        days: int

        def change(self, case: Case) -> None:
            case.extension = "approved"

    class ExtensionDeclined(Step):
        reason: str

        def change(self, case: Case) -> None:
            case.extension = "declined"

    class Answered(Step):
        """办结: the owner's answer to the raisers (what was done, or why it cannot be and who can)."""

        round: int  # 1 for the first answer, 2 after a reopening
        text: str
        photos: list[str]

        def change(self, case: Case) -> None:
            case.state, case.round, case.ratings = State.ANSWERED, self.round, {}

    class Rated(Step):
        resident_id: UUID
        round: int
        level: str  # satisfied | basically_satisfied | dissatisfied
        solved: bool  # 问题是否解决
        comment: str
        channel: str  # self | phone | visit (a clerk recorded it: on_behalf_of names the raiser)

        def change(self, case: Case) -> None:
            case.ratings[self.resident_id] = self.level

    class Reopened(Step):
        """不满意 (the first time): the case goes back to the clerk's queue, with new deadlines."""

        def change(self, case: Case) -> None:
            case.state, case.owner_id, case.queue, case.reopened = State.QUEUED, None, CLERK_QUEUE, True

    class Closed(Step):
        """Every raiser rated (outcome "rated"), or the window ended first ("unrated": those who did not)."""

        outcome: str  # rated | unrated
        unrated: list[UUID]

        def change(self, case: Case) -> None:
            case.state, case.owner_id, case.queue = State.CLOSED, None, ""

    class Reminded(Step):
        """A deadline's notice, sent once: to the owner, or to whoever serves the queue (the grid's worker and the
        clerks), to the department for its deadlines, to the raisers for the rating window."""

        kind: str
        stage: str  # before | at
        due: datetime
        owner_id: UUID | None
        queue: str
        grid_id: UUID | None
        department_id: UUID | None

        def change(self, case: Case) -> None:
            case.reminded = case.reminded | {(self.kind, self.stage, self.due.isoformat())}

    def __init__(
        self,
        raiser_id: UUID,
        authority: str,
        category: str,
        label: str,
        handling: str,
        answer_days: int,
        department_id: UUID | None,
        text: str,
        building: str,
        place: str,
        photos: list[str],
        urgent: bool,
        public: bool,
        grid_id: UUID | None,
        queue: str,
        deadlines: Deadlines,
    ) -> None:
        self.raisers = [raiser_id]
        self.category, self.label, self.handling = category, label, handling
        self.answer_days, self.department_id = answer_days, department_id
        self.text, self.building, self.place, self.photos = text, building, place, list(photos)
        self.urgent, self.public = urgent, public
        self.grid_id, self.queue = grid_id, queue
        self.deadlines = {k: list(v) for k, v in deadlines.items()}
        self.state = State.QUEUED
        self.owner_id: UUID | None = None
        self.accepted_at: datetime | None = None
        self.whistle: Whistle | None = None
        self.whistles = 0
        self.extension = ""  # requested | approved | declined
        self.extension_days = 0
        self.round = 0
        self.ratings: dict[UUID, str] = {}
        self.reopened = False
        self.merged_into: UUID | None = None
        self.reminded: frozenset[tuple[str, str, str]] = frozenset()

    @classmethod
    def raise_case(
        cls,
        ctx: Ctx,
        case_id: UUID,
        raiser_id: UUID,
        authority: str,
        item: MatterItem,
        text: str,
        building: str,
        place: str,
        photos: list[str],
        urgent: bool,
        public: bool,
        grid_id: UUID | None,
        terms: Terms,
    ) -> Case:
        """`item`: the category's line of the community's matter list in force today; `grid_id`: the grid covering
        the place (else the building), None for the clerk's queue."""
        text = check_text(text, TEXT_MAX, "text", "Say what is wrong (at most 2000 characters).")
        if authority and authority not in AUTHORITIES:
            raise DomainError("Unknown authority.", "authority")
        if not building and not place:
            raise DomainError("Say where: your building, or a place of the community.", "place")
        deadlines = {Due.ACCEPT: terms.accept(ctx.now, urgent), Due.ANSWER: terms.answer(ctx.now, item.answer_days)}
        return cls.start(
            cls.Raised,
            ctx,
            case_id,
            raiser_id=raiser_id,
            authority=authority,
            category=item.code,
            label=item.label,
            handling=item.handling,
            answer_days=item.answer_days,
            department_id=item.department_id,
            text=text,
            building=building if not place else "",
            place=place,
            photos=check_photos(photos),
            urgent=urgent,
            public=public,
            grid_id=grid_id,
            queue=GRID_QUEUE if grid_id else CLERK_QUEUE,
            deadlines=deadlines,
            notice_at=next_notice_at(deadlines, frozenset()),
        )

    # -- reading ----------------------------------------------------------------------------------------------------
    @property
    def open(self) -> bool:
        return self.state in State.OPEN

    def may_take(self, handler: Handler) -> bool:
        """May `handler` accept this case from its queue? The clerks always; a grid worker from their grid's."""
        if handler.clerk:
            return True
        return self.queue == GRID_QUEUE and self.grid_id in handler.grids

    def may_see(self, handler: Handler) -> bool:
        return handler.clerk or self.owner_id == handler.id or self.grid_id in handler.grids

    # -- taking it ---------------------------------------------------------------------------------------------------
    def accept(self, ctx: Ctx, handler: Handler) -> None:
        if self.state == State.ACCEPTED:
            raise DomainError("Someone accepted this case first.", status=409)
        if self.state != State.QUEUED:
            raise DomainError("This case is not waiting to be accepted.", status=409)
        if not self.may_take(handler):
            raise DomainError("This case is not in your queue.", status=403)
        self._step(self.Accepted, ctx, self._without(Due.ACCEPT), owner_id=handler.id)

    def hand_over(self, ctx: Ctx, handler: Handler, to: Handler, reason: str) -> None:
        """The owner (or a clerk) hands the case to a colleague, who owns it at once."""
        self._owned(handler, clerk_too=True, states=(State.QUEUED, State.ACCEPTED))
        reason = check_text(reason, 500, "reason", "Say why (at most 500 characters).")
        if to.id == self.owner_id:
            raise DomainError("The case is theirs already.", "to_id", status=409)
        if not (to.clerk or to.grids):
            raise DomainError("Hand it to a grid worker or a clerk.", "to_id", status=409)
        deadlines = self._without(Due.ACCEPT) if self.state == State.QUEUED else self.deadlines
        self._step(self.HandedOver, ctx, deadlines, from_id=self.owner_id, to_id=to.id, reason=reason)

    def requeue(self, ctx: Ctx, still_handles: bool, reason: str) -> None:
        """The system moves the case of an owner who no longer handles cases to the clerk's queue."""
        if self.state != State.ACCEPTED or self.owner_id is None:
            raise DomainError("Only an accepted case goes back to a queue.", status=409)
        if still_handles:
            raise DomainError("The owner still handles cases.", status=409)
        self._step(self.Requeued, ctx, self.deadlines, from_id=self.owner_id, reason=reason)

    def downgrade(self, ctx: Ctx, handler: Handler, reason: str, terms: Terms) -> None:
        """Not urgent after all (the raiser sees why): an acceptance not yet made is due in working hours."""
        if not self.urgent:
            raise DomainError("This case is not marked urgent.", status=409)
        if not (self.owner_id == handler.id or (self.state == State.QUEUED and self.may_take(handler))):
            raise DomainError("Only the case's owner does this.", status=403)
        reason = check_text(reason, 500, "reason", "Say why (at most 500 characters).")
        deadlines = {k: list(v) for k, v in self.deadlines.items()}
        if Due.ACCEPT in deadlines:
            deadlines[Due.ACCEPT] = terms.accept(self.created_on, urgent=False)
        self._step(self.UrgencyDowngraded, ctx, deadlines, reason=reason)

    def add_note(self, ctx: Ctx, handler: Handler, text: str, photos: list[str]) -> None:
        self._owned(handler)
        text = check_text(text, TEXT_MAX, "text", "Write the note (at most 2000 characters).")
        self._step(self.NoteAdded, ctx, self.deadlines, text=text, photos=check_photos(photos))

    # -- raisers -----------------------------------------------------------------------------------------------------
    def join(self, ctx: Ctx, resident_id: UUID) -> None:
        if not self.public:
            raise DomainError("Only a public case can be shared.", status=403)
        if self.state not in (State.QUEUED, State.ACCEPTED):
            raise DomainError("This case has been answered; raise a new one if it happens again.", status=409)
        if resident_id in self.raisers:
            raise DomainError("You are following this case already.", status=409)
        self._step(self.Joined, ctx, self.deadlines, resident_id=resident_id)

    def merge(self, ctx: Ctx, handler: Handler, duplicate: Case) -> None:
        """The owner merges a duplicate into this case: its raisers follow this one, and it is over."""
        self._owned(handler)
        if duplicate.id == self.id:
            raise DomainError("A case cannot be merged into itself.", "case_id", status=409)
        if duplicate.state not in (State.QUEUED, State.ACCEPTED):
            raise DomainError("Only a case not yet answered can be merged.", "case_id", status=409)
        if duplicate.owner_id not in (None, handler.id) or not (
            duplicate.may_see(handler) or duplicate.may_take(handler)
        ):
            raise DomainError("That case is not yours to merge.", "case_id", status=403)
        added = [r for r in duplicate.raisers if r not in self.raisers]
        duplicate._step(duplicate.Merged, ctx, {}, into_id=self.id)
        self._step(self.Absorbed, ctx, self.deadlines, case_id=duplicate.id, raisers=added)

    # -- shared helpers ----------------------------------------------------------------------------------------------
    def _owned(self, handler: Handler, clerk_too: bool = False, states: tuple[str, ...] = (State.ACCEPTED,)) -> None:
        if self.state not in states:
            raise DomainError("This case is not in hand.", status=409)
        if self.owner_id != handler.id and not (clerk_too and handler.clerk):
            raise DomainError("Only the case's owner does this.", status=403)

    def _without(self, *kinds: str) -> Deadlines:
        return {k: list(v) for k, v in self.deadlines.items() if k not in kinds}

    def _step(self, event: type[Step], ctx: Ctx, deadlines: Deadlines, **kwargs: object) -> None:
        reminded = self.reminded
        if event is self.Reminded:  # the notice being sent is no longer pending
            due = kwargs["due"]
            assert isinstance(due, datetime)
            reminded = reminded | {(str(kwargs["kind"]), str(kwargs["stage"]), due.isoformat())}
        self.emit(event, ctx, deadlines=deadlines, notice_at=next_notice_at(deadlines, reminded), **kwargs)


keep_topics(TOPICS_MODULE, Case)
