"""The street's admission list (社区工作事项准入清单): the work a department may ask a community of the street to do.
Each item is a 依法履职事项 (the committee's own duty by law) or a 依法协助政府事项 (help the committee gives the
government), with its legal basis, the department that may assign it, and its funding (费随事转: a 协助 item that
comes without funding is flagged `unfunded`, shown, never hidden). Every edit (add, change, remove) names the basis
it rests on and the day it takes effect (today or later: nothing is changed backwards); the list in force on a day
is computed from the edits (`in_force`). A department's application (申请准入, tasks.Application) that the street
approves becomes an item from its effective day. Pure: no I/O, no clock (the day comes with the Ctx)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from uuid import UUID, uuid5

from backend.casework.domain.rules import street_key  # ids from a street's name, as casework makes them
from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text

ADMISSION_NAMESPACE = UUID("3c0b6a57-1f7e-4d2a-9a43-6b1e8d2f0c71")

DUTY = "duty"  # 依法履职事项
ASSIST = "assist"  # 依法协助政府事项
KINDS: dict[str, str] = {
    DUTY: N_("Duty by law (依法履职事项)"),
    ASSIST: N_("Assisting the government (依法协助政府事项)"),
}
TITLE_MAX = 60
BASIS_MAX = 200  # a legal basis, a decision's reference
FUNDING_MAX = 200
ITEMS_MAX = 200


def admission_list_id_for(street: str) -> UUID:
    return uuid5(ADMISSION_NAMESPACE, street_key(street))


@dataclass(frozen=True)
class Item:
    """One listed item. `code` names it across its edits."""

    code: str
    kind: str
    title: str
    basis: str  # the legal basis (法律法规依据)
    department_id: UUID
    funding: str = ""  # 费随事转: where the money comes from ("" = none)

    @property
    def unfunded(self) -> bool:
        """A 协助 item without funding: flagged wherever it is shown."""
        return self.kind == ASSIST and not self.funding

    def checked(self) -> Item:
        if self.kind not in KINDS:
            raise DomainError("Choose the kind of item.", "kind")
        return Item(
            self.code,
            self.kind,
            check_text(self.title, TITLE_MAX, "title", "Name the work in at most 60 characters."),
            check_text(self.basis, BASIS_MAX, "basis", "Give its legal basis (at most 200 characters)."),
            self.department_id,
            _optional(self.funding, FUNDING_MAX, "funding", "Funding: at most 200 characters."),
        )


@dataclass(frozen=True)
class Edit:
    """One edit of the list: from `effective_from` on, `code` reads as `item` (None: removed)."""

    effective_from: date
    code: str
    item: Item | None
    edit_basis: str


def in_force(edits: list[Edit], day: date) -> dict[str, Item]:
    """The list in force on `day`: per code the edit with the latest effective day on or before it (of two on the
    same day, the later made), unless that edit removed it."""
    found: dict[str, Edit] = {}
    for edit in edits:  # in the order they were made
        if edit.effective_from <= day and (
            edit.code not in found or edit.effective_from >= found[edit.code].effective_from
        ):
            found[edit.code] = edit
    return {code: edit.item for code, edit in found.items() if edit.item is not None}


def _optional(value: str, most: int, field: str, message: str) -> str:
    value = " ".join(str(value).split())
    if len(value) > most:
        raise DomainError(message, field)
    return value


def check_edit(ctx: Ctx, edit_basis: str, effective_from: date) -> str:
    if effective_from < ctx.today:
        raise DomainError("An edit takes effect today or later.", "effective_from")
    return check_text(edit_basis, BASIS_MAX, "edit_basis", "Name the basis of this edit (at most 200 characters).")


class AdmissionList(LinliAggregate):
    """A street's admission list: its edits in the order they were made. Its events carry the operator's own
    community (every event carries one); `street` is what it belongs to."""

    class Opened(LinliAggregate.Created):
        street: str

    class ItemSet(LinliAggregate.Event):
        """Added (`added`) or changed: from `effective_from` on, the item reads so."""

        street: str
        code: str
        kind: str
        title: str
        basis: str
        department_id: UUID
        funding: str
        added: bool
        edit_basis: str
        effective_from: date

        def apply(self, admission: AdmissionList) -> None:
            item = Item(self.code, self.kind, self.title, self.basis, self.department_id, self.funding)
            admission.edits.append(Edit(self.effective_from, self.code, item, self.edit_basis))

    class ItemRemoved(LinliAggregate.Event):
        street: str
        code: str
        edit_basis: str
        effective_from: date

        def apply(self, admission: AdmissionList) -> None:
            admission.edits.append(Edit(self.effective_from, self.code, None, self.edit_basis))

    def __init__(self, street: str) -> None:
        self.street = street
        self.edits: list[Edit] = []

    @classmethod
    def open(cls, ctx: Ctx, street: str) -> AdmissionList:
        street = street_key(street)
        if not street:
            raise DomainError("The admission list belongs to a street; set the community's street first.", "street")
        return cls.start(cls.Opened, ctx, admission_list_id_for(street), street=street)

    def items_on(self, day: date) -> dict[str, Item]:
        return in_force(self.edits, day)

    def known(self, code: str) -> bool:
        return any(edit.code == code for edit in self.edits)

    def add(self, ctx: Ctx, item: Item, edit_basis: str, effective_from: date) -> None:
        """A new item (a code never used before) from `effective_from` on."""
        edit_basis = check_edit(ctx, edit_basis, effective_from)
        item = item.checked()
        if self.known(item.code):
            raise DomainError("This item is on the list already.", status=409)
        if len(self.items_on(effective_from)) >= ITEMS_MAX:
            raise DomainError("An admission list has at most 200 items.", status=409)
        self.emit(
            self.ItemSet,
            ctx,
            street=self.street,
            **asdict(item),
            added=True,
            edit_basis=edit_basis,
            effective_from=effective_from,
        )

    def change(self, ctx: Ctx, item: Item, edit_basis: str, effective_from: date) -> None:
        """The item, listed on `effective_from`, reads so from then on."""
        edit_basis = check_edit(ctx, edit_basis, effective_from)
        item = item.checked()
        current = self.items_on(effective_from).get(item.code)
        if current is None:
            raise DomainError("No such item on the list on that day.", status=404)
        if current == item:
            raise DomainError("Nothing changed.", status=409)
        self.emit(
            self.ItemSet,
            ctx,
            street=self.street,
            **asdict(item),
            added=False,
            edit_basis=edit_basis,
            effective_from=effective_from,
        )

    def remove(self, ctx: Ctx, code: str, edit_basis: str, effective_from: date) -> None:
        """The item admits no task from `effective_from` on (tasks assigned before stay)."""
        edit_basis = check_edit(ctx, edit_basis, effective_from)
        if code not in self.items_on(effective_from):
            raise DomainError("No such item on the list on that day.", status=404)
        self.emit(
            self.ItemRemoved, ctx, street=self.street, code=code, edit_basis=edit_basis, effective_from=effective_from
        )
