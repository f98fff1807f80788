"""Errands done for residents (全程代办): the clerk takes a resident's application to the office that decides it — a
catalog item with its required documents — ticks each document received, hands the file to the office on a day,
records the office's answer (approved; refused with its reason; more documents needed, which sends the errand back
to collecting), hands the answer back, and the resident alone confirms receipt, once; a confirmed errand is closed.
The committee helps and never issues a certificate the negative list forbids: an item names the ones its office may
ask for, and the pages say where to get them instead. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid5

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.workload.domain.certificate_lists import NATIONAL_FIRST_BATCH, ListItem

ERRAND_NAMESPACE = UUID("9e2b4d6f-1a3c-4e5b-8d7f-3c5e7a9b1d2f")
REASON_MAX = 300

COLLECTING, WITH_OFFICE, DECIDED, HANDED_BACK, CONFIRMED = (
    "collecting",
    "with_office",
    "decided",
    "handed_back",
    "confirmed",
)
STATUSES = {
    COLLECTING: N_("Collecting documents"),
    WITH_OFFICE: N_("With the office"),
    DECIDED: N_("Answered by the office"),
    HANDED_BACK: N_("Ready: confirm receipt"),
    CONFIRMED: N_("Done"),
}
APPROVED, REFUSED, MORE_DOCUMENTS = "approved", "refused", "more_documents"
RESULTS = {
    APPROVED: N_("Approved by the office"),
    REFUSED: N_("Refused by the office"),
    MORE_DOCUMENTS: N_("More documents needed"),
}

# The timeline's line for each step (the projection's kinds).
STEPS = {
    "opened": N_("Opened by the committee"),
    "received": N_("Document received: %(detail)s"),
    "handed_over": N_("Handed to %(office)s on %(detail)s"),
    "decided": N_("The office answered: %(detail)s"),
    "handed_back": N_("Handed back: come and collect it"),
    "confirmed": N_("Receipt confirmed"),
}


@dataclass(frozen=True)
class ErrandItem:
    """One errand of the catalog: what it is, the office that decides it, the documents it needs, and the codes of
    negative-list certificates (不应出具) the office might ask for, which the committee never issues."""

    code: str
    name: str
    office: str
    documents: tuple[str, ...]
    not_ours: tuple[str, ...] = ()

    def forbidden(self) -> list[ListItem]:
        """The negative-list certificates this office may ask for, each with where to get it instead."""
        return [i for i in NATIONAL_FIRST_BATCH if i.code in self.not_ours]


CATALOG: dict[str, ErrandItem] = {
    i.code: i
    for i in (
        ErrandItem(
            "disability_card",
            "残疾证申领",
            "区残联",
            ("身份证", "户口簿", "近期免冠照片", "残疾评定表（指定医院）"),
            ("disability", "illness"),
        ),
        ErrandItem("medical_insurance", "医保参保登记", "医保局/社保所", ("身份证", "户口簿", "参保登记表")),
        ErrandItem("elder_allowance", "高龄津贴申请", "民政/街道", ("身份证", "户口簿", "银行卡"), ("alive",)),
        ErrandItem(
            "dibao",
            "低保申请",
            "街道民政",
            ("身份证", "户口簿", "家庭成员收入情况说明", "经济状况核对授权书"),
            ("property", "employment"),
        ),
        ErrandItem("residence_permit", "居住证办理", "派出所", ("身份证", "租房合同或房产证", "近期免冠照片")),
    )
}


def errand_id_for(command_id: str) -> UUID:
    return uuid5(ERRAND_NAMESPACE, command_id)


class Errand(LinliAggregate):
    class Opened(LinliAggregate.Created):
        resident_id: UUID
        item_code: str
        item_name: str
        office: str
        documents: list[str]
        opened_on: date  # the day in China, for the handover's earliest day

    class DocumentReceived(LinliAggregate.Event):
        document: str

        def apply(self, e: Errand) -> None:
            e.received.add(self.document)

    class HandedOver(LinliAggregate.Event):
        on: date
        office: str

        def apply(self, e: Errand) -> None:
            e.status = WITH_OFFICE
            e.handed_on = self.on

    class Decided(LinliAggregate.Event):
        result: str
        reason: str

        def apply(self, e: Errand) -> None:
            # More documents: back to collecting what the office asked for, then a new handover.
            e.status = COLLECTING if self.result == MORE_DOCUMENTS else DECIDED
            e.result = self.result

    class HandedBack(LinliAggregate.Event):
        def apply(self, e: Errand) -> None:
            e.status = HANDED_BACK

    class Confirmed(LinliAggregate.Event):
        def apply(self, e: Errand) -> None:
            e.status = CONFIRMED

    def __init__(
        self, resident_id: UUID, item_code: str, item_name: str, office: str, documents: list[str], opened_on: date
    ) -> None:
        self.opened_on = opened_on
        self.resident_id = resident_id
        self.item_code = item_code
        self.item_name = item_name
        self.office = office
        self.documents = list(documents)
        self.received: set[str] = set()
        self.status = COLLECTING
        self.handed_on: date | None = None
        self.result = ""

    @classmethod
    def open(cls, ctx: Ctx, errand_id: UUID, resident_id: UUID, item_code: str) -> Errand:
        item = CATALOG.get(item_code)
        if item is None:
            raise DomainError("Choose an errand from the catalog.", "item")
        return cls.start(
            cls.Opened,
            ctx,
            errand_id,
            resident_id=resident_id,
            item_code=item.code,
            item_name=item.name,
            office=item.office,
            documents=list(item.documents),
            opened_on=ctx.today,
        )

    @property
    def closed(self) -> bool:
        return self.status == CONFIRMED

    def _in(self, *statuses: str) -> None:
        if self.closed:
            raise DomainError("This errand is closed.", status=409)
        if self.status not in statuses:
            raise DomainError("Not this step now: the errand is at another one.", status=409)

    def receive(self, ctx: Ctx, document: str) -> None:
        self._in(COLLECTING)
        if document not in self.documents:
            raise DomainError("This errand does not need that document.", "document")
        if document in self.received:
            raise DomainError("That document was received already.", status=409)
        self.emit(self.DocumentReceived, ctx, document=document)

    def hand_over(self, ctx: Ctx, on: date) -> None:
        self._in(COLLECTING)
        if set(self.documents) - self.received:
            raise DomainError("Tick every required document before handing it over.", status=409)
        if on > ctx.today or on < self.opened_on:
            raise DomainError("The day it was handed over: from the day it was opened to today.", "on")
        self.emit(self.HandedOver, ctx, on=on, office=self.office)

    def decide(self, ctx: Ctx, result: str, reason: str = "") -> None:
        """The office's answer as the clerk records it."""
        self._in(WITH_OFFICE)
        if result not in RESULTS:
            raise DomainError("Choose the office's answer.", "result")
        required = result != APPROVED
        reason = check_text(
            reason, REASON_MAX, "reason", "Say why, or which documents (at most 300 characters).", required=required
        )
        self.emit(self.Decided, ctx, result=result, reason=reason)

    def hand_back(self, ctx: Ctx) -> None:
        self._in(DECIDED)
        self.emit(self.HandedBack, ctx)

    def confirm(self, ctx: Ctx) -> None:
        """Only the resident themselves, on their own phone (nobody at the counter for them), once."""
        if ctx.actor_id != self.resident_id or ctx.on_behalf_of is not None:
            raise DomainError("Only the resident confirms receipt.", status=403)
        if self.closed:
            raise DomainError("Receipt was confirmed already.", status=409)
        self._in(HANDED_BACK)
        self.emit(self.Confirmed, ctx)
