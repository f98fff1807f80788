"""A certificate (证明) the committee is asked for, from the request to its issue or refusal, and its cancellation
(作废). The lists in force decide: an item on 不应出具 gets the standard refusal with its basis and where to go instead;
an item on neither list is refused with "ask the street" or a written undertaking (告知承诺) where the asking office
accepts one; only an item on 可以出具 is issued, with the facts of the register (never what the resident typed), a
number from the community's book for the year (without gaps: the book is saved with the certificate, so the store
rejects a race) and a last day it is valid. A cancelled certificate keeps its number and says why. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID, uuid5

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.workload.domain.certificate_lists import NEGATIVE, POSITIVE, ListItem

CERTIFICATE_NAMESPACE = UUID("5d1f3b7a-9c2e-4e6a-8b4d-2f6a8c0e1b3d")
BOOK_NAMESPACE = UUID("7a3c5e1b-2d4f-4b6a-9e8c-0d2f4a6c8e1a")
ASKED_MAX, PURPOSE_MAX, NOTE_MAX = 40, 200, 500

REQUESTED, REFUSED, ISSUED, CANCELLED = "requested", "refused", "issued", "cancelled"
STATUSES = {
    REQUESTED: N_("Waiting for the clerk"),
    REFUSED: N_("Refused"),
    ISSUED: N_("Certificate issued"),
    CANCELLED: N_("Cancelled (作废)"),
}
# Why a request is refused: a negative-list item; an item on neither list (ask the street, or 告知承诺); the register
# does not bear out what the certificate would say.
BY_LIST, ASK_STREET, UNDERTAKING, NOT_IN_REGISTER = "negative", "ask_street", "undertaking", "not_in_register"
REFUSALS = {
    BY_LIST: N_("Not issued by a community (不应出具)"),
    ASK_STREET: N_("On neither list: ask the street"),
    UNDERTAKING: N_("On neither list: a written undertaking (告知承诺) instead"),
    NOT_IN_REGISTER: N_("The register does not bear it out"),
}
ASK_STREET_TEXT = "不在本街道公布的证明事项清单内：请向要求证明的单位或街道（乡镇）咨询，社区不予出具"
UNDERTAKING_TEXT = "不在证明事项清单内：要求证明的单位接受告知承诺的，由本人书面承诺代替证明"
CHANNELS = ("phone", "counter")


def certificate_id_for(command_id: str) -> UUID:
    return uuid5(CERTIFICATE_NAMESPACE, command_id)


def book_id_for(community_id: UUID, year: int) -> UUID:
    return uuid5(BOOK_NAMESPACE, f"{community_id}|{year}")


def number_text(year: int, number: int) -> str:
    return f"{year}-{number:04d}"


@dataclass(frozen=True)
class RegisterFacts:
    """What the register says of the resident (the residents context's reads give it): their sealed name, their
    household's address, and whether they are a verified resident there now."""

    resident_id: UUID
    name_sealed: str
    household: str
    verified: bool


class CertificateBook(LinliAggregate):
    """The community's numbers for one year: each issued certificate takes the next, 1, 2, 3 … without gaps. Saved
    with the certificate it numbers, so two clerks issuing at once cannot both take the same number: the store
    refuses the second save (a version conflict) and the command runs again."""

    class Opened(LinliAggregate.Created):
        year: int

    class Allocated(LinliAggregate.Event):
        number: int
        certificate_id: UUID

        def apply(self, book: CertificateBook) -> None:
            book.numbers.append(self.certificate_id)

    def __init__(self, year: int) -> None:
        self.year = year
        self.numbers: list[UUID] = []

    @classmethod
    def open(cls, ctx: Ctx, year: int) -> CertificateBook:
        return cls.start(cls.Opened, ctx, book_id_for(ctx.community_id, year), year=year)

    def allocate(self, ctx: Ctx, certificate_id: UUID) -> int:
        if ctx.today.year != self.year or ctx.community_id != self.community_id:
            raise DomainError("This is not this year's book.", status=409)
        if certificate_id in self.numbers:
            raise DomainError("This certificate has its number already.", status=409)
        number = len(self.numbers) + 1
        self.emit(self.Allocated, ctx, number=number, certificate_id=certificate_id)
        return number


class Certificate(LinliAggregate):
    class Requested(LinliAggregate.Created):
        resident_id: UUID
        item_code: str  # "" for an item on neither list
        item_name: str  # as the list names it, or as the resident asked
        purpose: str  # what the resident needs it for (shown to the clerk, never printed as a fact)
        channel: str

    class Refused(LinliAggregate.Event):
        kind: str
        basis: str
        instead: str
        note: str

        def apply(self, c: Certificate) -> None:
            c.status = REFUSED
            c.refusal = self.kind

    class Issued(LinliAggregate.Event):
        number: int
        year: int
        item_code: str
        item_name: str
        basis: str
        text: str  # the sample with the register's facts filled in
        name_sealed: str  # the register's name, sealed under the resident's key (erasure erases it here too)
        household: str
        valid_until: date
        check_lookup: str  # sha256 of the check code the QR carries: enough to find it, not to make the code

        def apply(self, c: Certificate) -> None:
            c.status = ISSUED
            c.number = self.number

    class Cancelled(LinliAggregate.Event):
        reason: str

        def apply(self, c: Certificate) -> None:
            c.status = CANCELLED
            c.reason = self.reason

    def __init__(self, resident_id: UUID, item_code: str, item_name: str, purpose: str, channel: str) -> None:
        self.resident_id = resident_id
        self.item_code = item_code
        self.item_name = item_name
        self.purpose = purpose
        self.channel = channel
        self.status = REQUESTED
        self.refusal = ""
        self.number = 0
        self.reason = ""

    @classmethod
    def request(
        cls, ctx: Ctx, certificate_id: UUID, resident_id: UUID, item: ListItem | None, asked: str, purpose: str
    ) -> Certificate:
        """`item`: the listed certificate asked for (either list: a negative one is refused by the clerk in one
        click, with its basis), or None with `asked` naming one on neither list."""
        if item is None:
            asked = check_text(asked, ASKED_MAX, "asked", "Name the certificate you need (at most 40 characters).")
        purpose = check_text(purpose, PURPOSE_MAX, "purpose", "Say what it is for (at most 200 characters).")
        return cls.start(
            cls.Requested,
            ctx,
            certificate_id,
            resident_id=resident_id,
            item_code=item.code if item else "",
            item_name=item.name if item else asked,
            purpose=purpose,
            channel="counter" if ctx.on_behalf_of else "phone",
        )

    def _waiting(self) -> None:
        if self.status != REQUESTED:
            raise DomainError("This request was answered already.", status=409)

    def refuse(self, ctx: Ctx, item: ListItem | None, kind: str, note: str = "") -> None:
        """`item`: the asked item as the lists in force read today (None: on neither list)."""
        self._waiting()
        note = check_text(note, NOTE_MAX, "note", "At most 500 characters, please.", required=False)
        if item is not None and item.side == NEGATIVE:
            if kind != BY_LIST:
                raise DomainError("This certificate is on the negative list: refuse it as such.", "kind")
            self.emit(self.Refused, ctx, kind=kind, basis=item.basis, instead=item.instead, note=note)
        elif item is None:
            if kind not in (ASK_STREET, UNDERTAKING):
                raise DomainError("Refuse it with 'ask the street' or a written undertaking.", "kind")
            text = ASK_STREET_TEXT if kind == ASK_STREET else UNDERTAKING_TEXT
            self.emit(self.Refused, ctx, kind=kind, basis=text, instead="", note=note)
        else:
            if kind != NOT_IN_REGISTER:
                raise DomainError(
                    "This certificate may be issued: refuse it only if the register does not bear it out.", "kind"
                )
            note = check_text(note, NOTE_MAX, "note", "Say what the register shows (at most 500 characters).")
            self.emit(self.Refused, ctx, kind=kind, basis=item.basis, instead="", note=note)

    def issue(
        self,
        ctx: Ctx,
        book: CertificateBook,
        item: ListItem | None,
        facts: RegisterFacts,
        valid_until: date,
        check_lookup: str,
    ) -> int:
        """Issue it with the next number of `book`. `item`: the asked item as the lists in force read today; only
        one on 可以出具 is ever issued."""
        self._waiting()
        if item is None or item.side != POSITIVE or item.code != self.item_code or not self.item_code:
            raise DomainError("Only a certificate on the positive list (可以出具) is issued.", status=409)
        if facts.resident_id != self.resident_id or not facts.verified or not facts.household:
            raise DomainError("The register does not list this resident: verify them first.", status=409)
        if valid_until < ctx.today or valid_until > ctx.today + timedelta(days=item.valid_days):
            raise DomainError("Valid until a day from today to %(days)s days on.", "valid_until", days=item.valid_days)
        if len(check_lookup) != 64:
            raise DomainError("No check code.", status=409)
        number = book.allocate(ctx, self.id)
        text = item.sample.replace("{address}", facts.household)  # the name goes in when it is printed (unsealed)
        self.emit(
            self.Issued,
            ctx,
            number=number,
            year=book.year,
            item_code=item.code,
            item_name=item.name,
            basis=item.basis,
            text=text,
            name_sealed=facts.name_sealed,
            household=facts.household,
            valid_until=valid_until,
            check_lookup=check_lookup,
        )
        return number

    def cancel(self, ctx: Ctx, reason: str) -> None:
        """作废: an issued certificate found wrong keeps its number and its page says so, with the reason."""
        if self.status == CANCELLED:
            raise DomainError("This certificate was cancelled already.", status=409)
        if self.status != ISSUED:
            raise DomainError("Only an issued certificate is cancelled.", status=409)
        reason = check_text(reason, NOTE_MAX, "reason", "Say why it is cancelled (at most 500 characters).")
        self.emit(self.Cancelled, ctx, reason=reason)
