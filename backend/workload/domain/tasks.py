"""Tasks a department assigns to a community (准入事项), the attempts refused (未准入) and the applications for
admission (申请准入). A task is assigned only from an item of the street's admission list in force on the day it is
assigned, naming the assigning department, with a deadline not in the past; anything else is refused, and the
refusal is recorded (RefusedAttempt), so that the street sees what departments tried to push down. The committee
accepts a task and reports it done with a note; past its deadline and not done it is overdue. An application names
the item's text, basis and funding; the street approves it (it becomes a listed item from its effective day) or
rejects it with a reason. Pure: no I/O, no clock (the day comes with the Ctx)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from uuid import UUID

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.workload.domain.admission import TITLE_MAX, Item, check_edit

DETAILS_MAX = 500
NOTE_MAX = 500
REASON_MAX = 500

ASSIGNED, ACCEPTED, DONE = "assigned", "accepted", "done"
STATES = {ASSIGNED: N_("Assigned"), ACCEPTED: N_("Accepted"), DONE: N_("Done")}

UNLISTED, NOT_IN_FORCE, OTHER_DEPARTMENT = "unlisted", "not_in_force", "other_department"
REFUSALS = {
    UNLISTED: N_("Not on the admission list (未准入)."),
    NOT_IN_FORCE: N_("The item is not in force today (未准入)."),
    OTHER_DEPARTMENT: N_("The item is listed for another department (未准入)."),
}


def refusal(admitted: dict[str, Item], code: str, department_id: UUID, known: bool) -> str:
    """Why a task may not be assigned from `code` by `department_id` on a day whose list is `admitted` ("" = it may).
    `known`: the code was ever on the list (then it is not in force that day)."""
    item = admitted.get(code) if code else None
    if item is None:
        return NOT_IN_FORCE if code and known else UNLISTED
    if item.department_id != department_id:
        return OTHER_DEPARTMENT
    return ""


def overdue(state: str, deadline: date, today: date) -> bool:
    return state != DONE and today > deadline


class Task(LinliAggregate):
    """A task of one community (its events carry that community), assigned from a listed item."""

    class Assigned(LinliAggregate.Created):
        street: str
        department_id: UUID
        code: str
        kind: str
        title: str
        basis: str
        funding: str
        deadline: date
        details: str

    class Accepted(LinliAggregate.Event):
        def apply(self, task: Task) -> None:
            task.state = ACCEPTED

    class Completed(LinliAggregate.Event):
        note: str

        def apply(self, task: Task) -> None:
            task.state = DONE
            task.note = self.note

    def __init__(
        self,
        street: str,
        department_id: UUID,
        code: str,
        kind: str,
        title: str,
        basis: str,
        funding: str,
        deadline: date,
        details: str,
    ) -> None:
        self.street = street
        self.department_id = department_id
        self.item = Item(code, kind, title, basis, department_id, funding)
        self.deadline = deadline
        self.details = details
        self.state = ASSIGNED
        self.note = ""

    @classmethod
    def assign(
        cls,
        ctx: Ctx,
        task_id: UUID,
        street: str,
        admitted: dict[str, Item],
        code: str,
        department_id: UUID,
        deadline: date,
        details: str = "",
    ) -> Task:
        """Only from an item in force today (`admitted`) listed for this department; the caller records a refusal
        (RefusedAttempt) for anything else."""
        if refusal(admitted, code, department_id, known=False):
            raise DomainError("Not on the admission list (未准入).", "code", status=409)
        if deadline < ctx.today:
            raise DomainError("The deadline cannot be in the past.", "deadline")
        details = " ".join(str(details).split())
        if len(details) > DETAILS_MAX:
            raise DomainError("Details: at most 500 characters.", "details")
        item = admitted[code]
        fields = {k: v for k, v in asdict(item).items() if k not in ("department_id",)}
        return cls.start(
            cls.Assigned,
            ctx,
            task_id,
            street=street,
            department_id=department_id,
            **fields,
            deadline=deadline,
            details=details,
        )

    def accept(self, ctx: Ctx) -> None:
        if self.state != ASSIGNED:
            raise DomainError("This task was accepted already.", status=409)
        self.emit(self.Accepted, ctx)

    def complete(self, ctx: Ctx, note: str) -> None:
        if self.state == ASSIGNED:
            raise DomainError("Accept the task first.", status=409)
        if self.state == DONE:
            raise DomainError("This task is done already.", status=409)
        note = check_text(note, NOTE_MAX, "note", "Say what was done (at most 500 characters).")
        self.emit(self.Completed, ctx, note=note)

    def overdue(self, today: date) -> bool:
        return overdue(self.state, self.deadline, today)


class RefusedAttempt(LinliAggregate):
    """未准入: a department tried to assign a task the list does not admit (its events carry the community aimed at)."""

    class Recorded(LinliAggregate.Created):
        street: str
        department_id: UUID
        code: str  # the item picked ("" = none: work typed in)
        title: str
        reason: str
        deadline: date | None

    def __init__(
        self, street: str, department_id: UUID, code: str, title: str, reason: str, deadline: date | None
    ) -> None:
        self.street = street
        self.department_id = department_id
        self.code = code
        self.title = title
        self.reason = reason
        self.deadline = deadline

    @classmethod
    def record(
        cls,
        ctx: Ctx,
        attempt_id: UUID,
        street: str,
        department_id: UUID,
        code: str,
        title: str,
        reason: str,
        deadline: date | None,
    ) -> RefusedAttempt:
        if reason not in REFUSALS:
            raise ValueError(reason)
        title = check_text(title, TITLE_MAX, "title", "Name the work in at most 60 characters.")
        return cls.start(
            cls.Recorded,
            ctx,
            attempt_id,
            street=street,
            department_id=department_id,
            code=code,
            title=title,
            reason=reason,
            deadline=deadline,
        )


@dataclass(frozen=True)
class Proposal:
    """What a department asks to have listed (the item's text, basis and funding) and from which day."""

    kind: str
    title: str
    basis: str
    funding: str
    effective_from: date


PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
DECISIONS = {PENDING: N_("Waiting for the street"), APPROVED: N_("Approved"), REJECTED: N_("Rejected")}


class Application(LinliAggregate):
    """申请准入: a department asks the street to list an item; the street approves (the item is listed from the
    effective day it names) or rejects it with a reason."""

    class Applied(LinliAggregate.Created):
        street: str
        department_id: UUID
        kind: str
        title: str
        basis: str
        funding: str
        effective_from: date
        attempt_id: UUID | None

    class Approved(LinliAggregate.Event):
        code: str
        effective_from: date
        edit_basis: str

        def apply(self, application: Application) -> None:
            application.state = APPROVED
            application.code = self.code
            application.proposal = Proposal(
                application.proposal.kind,
                application.proposal.title,
                application.proposal.basis,
                application.proposal.funding,
                self.effective_from,
            )

    class Rejected(LinliAggregate.Event):
        reason: str

        def apply(self, application: Application) -> None:
            application.state = REJECTED
            application.reason = self.reason

    def __init__(
        self,
        street: str,
        department_id: UUID,
        kind: str,
        title: str,
        basis: str,
        funding: str,
        effective_from: date,
        attempt_id: UUID | None,
    ) -> None:
        self.street = street
        self.department_id = department_id
        self.proposal = Proposal(kind, title, basis, funding, effective_from)
        self.attempt_id = attempt_id
        self.state = PENDING
        self.code = ""
        self.reason = ""

    @classmethod
    def apply_for(
        cls,
        ctx: Ctx,
        application_id: UUID,
        street: str,
        department_id: UUID,
        proposal: Proposal,
        attempt_id: UUID | None = None,
    ) -> Application:
        item = Item("", proposal.kind, proposal.title, proposal.basis, department_id, proposal.funding).checked()
        if proposal.effective_from < ctx.today:
            raise DomainError("An edit takes effect today or later.", "effective_from")
        return cls.start(
            cls.Applied,
            ctx,
            application_id,
            street=street,
            department_id=department_id,
            kind=item.kind,
            title=item.title,
            basis=item.basis,
            funding=item.funding,
            effective_from=proposal.effective_from,
            attempt_id=attempt_id,
        )

    def item(self, code: str) -> Item:
        p = self.proposal
        return Item(code, p.kind, p.title, p.basis, self.department_id, p.funding)

    def approve(self, ctx: Ctx, code: str, edit_basis: str, effective_from: date) -> Item:
        """The item to list from `effective_from` (the caller adds it to the street's list, saved together)."""
        self._pending()
        edit_basis = check_edit(ctx, edit_basis, effective_from)
        self.emit(self.Approved, ctx, code=code, effective_from=effective_from, edit_basis=edit_basis)
        return self.item(code)

    def reject(self, ctx: Ctx, reason: str) -> None:
        self._pending()
        reason = check_text(reason, REASON_MAX, "reason", "Say why (at most 500 characters).")
        self.emit(self.Rejected, ctx, reason=reason)

    def _pending(self) -> None:
        if self.state != PENDING:
            raise DomainError("The street has decided this application already.", status=409)
