"""Commands of the certificates (证明事项): the street operator edits its two lists; a resident (or the clerk at the
counter for them) asks for a certificate; the clerk refuses it, issues it from the register's facts with the next
number of the community's book (saved in the same command), or cancels it (作废). Never reads a projection."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.community.reads import load_community
from backend.kernel.codes import check_code, check_lookup
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, NotFound
from backend.kernel.personal import PersonalData
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.domain.resident import Resident
from backend.residents.reads import acting_for, authorize
from backend.workload.domain.certificate_lists import CertificateLists, ListItem, items_in_force, lists_id_for
from backend.workload.domain.certificates import (
    Certificate,
    CertificateBook,
    RegisterFacts,
    book_id_for,
    certificate_id_for,
)

Steps = tuple[list[LinliAggregate], dict[str, str]]
CHECK_KIND = "workload-certificate"  # what the check code of a committee's certificate is derived for


def certificate_check_code(personal: PersonalData, certificate_id: UUID) -> str:
    """The check code the print view's QR carries (only its digest is in the log and the views)."""
    return check_code(personal.digest, CHECK_KIND, certificate_id)


def _optional(app: LinliApp, aggregate_id: UUID, kind: type, read_only: bool = False) -> object | None:
    try:
        found = app.repository.get(aggregate_id, deepcopy_from_cache=not read_only)
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, kind) else None


def items_for(app: LinliApp, community_id: UUID, day: date) -> dict[str, ListItem]:
    """The lists in force on `day` for the community: its street's, or the defaults where it has none."""
    street = load_community(app, community_id).street
    lists = _optional(app, lists_id_for(street), CertificateLists, read_only=True) if street else None
    return lists.items_on(day) if isinstance(lists, CertificateLists) else items_in_force([], day)


def _street_operator(app: LinliApp, ctx: Ctx, street: str) -> str:
    """The street, when the acting person operates it (the system may act for any)."""
    authorize(app, ctx, "certificate.lists")
    street = " ".join(street.split())
    if not street:
        raise DomainError("The lists belong to a street; set the community's street first.", "street")
    if ctx.actor_id is not None:
        me = _optional(app, ctx.actor_id, Resident, read_only=True)
        if not isinstance(me, Resident) or street not in me.actor(ctx.today).streets:
            raise DomainError("You are not allowed to do this.", status=403)
    return street


def _lists(app: LinliApp, ctx: Ctx, street: str) -> CertificateLists:
    found = _optional(app, lists_id_for(street), CertificateLists)
    return found if isinstance(found, CertificateLists) else CertificateLists.open(ctx, street)


async def set_list_item(
    rt: Commands, ctx: Ctx, street: str, item: ListItem, effective_from: date, rule: str
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        lists = _lists(app, ctx, _street_operator(app, ctx, street))
        lists.set_item(ctx, item, effective_from, rule)
        return [lists], {"code": item.code.strip()}

    return await rt.execute("certificate.set_item", ctx, lists_id_for(street), action)


async def drop_list_item(
    rt: Commands, ctx: Ctx, street: str, code: str, effective_from: date, rule: str
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        lists = _lists(app, ctx, _street_operator(app, ctx, street))
        lists.drop_item(ctx, code, effective_from, rule)
        return [lists], {"code": code}

    return await rt.execute("certificate.drop_item", ctx, lists_id_for(street), action)


async def request(rt: Commands, ctx: Ctx, code: str, asked: str, purpose: str) -> CommandResult:
    """A resident asks (or the clerk for them at the counter): `code` of a listed certificate, or "" and `asked`
    naming one on neither list."""
    resident_id = acting_for(ctx)
    certificate_id = certificate_id_for(ctx.command_id)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "certificate.request")
        item = None
        if code:
            item = items_for(app, ctx.community_id, ctx.today).get(code)
            if item is None:
                raise DomainError("No such certificate on the lists.", "code")
        made = Certificate.request(ctx, certificate_id, resident_id, item, asked, purpose)
        return [made], {"certificate_id": str(certificate_id)}

    return await rt.execute("certificate.request", ctx, certificate_id, action)


def _load(app: LinliApp, ctx: Ctx, certificate_id: UUID) -> Certificate:
    authorize(app, ctx, "certificate.issue")
    return load_in_community(app, ctx, certificate_id, Certificate, "No such certificate.")


async def refuse(rt: Commands, ctx: Ctx, certificate_id: UUID, kind: str, note: str = "") -> CommandResult:
    def action(app: LinliApp) -> Steps:
        certificate = _load(app, ctx, certificate_id)
        item = items_for(app, ctx.community_id, ctx.today).get(certificate.item_code) if certificate.item_code else None
        certificate.refuse(ctx, item, kind, note)
        return [certificate], {"certificate_id": str(certificate_id)}

    return await rt.execute("certificate.refuse", ctx, certificate_id, action)


def register_facts(app: LinliApp, ctx: Ctx, resident_id: UUID) -> RegisterFacts:
    """What the register says of the resident now: their sealed name and household (never what they typed)."""
    try:
        resident = load_in_community(app, ctx, resident_id, Resident, "No such resident.", read_only=True)
    except NotFound:
        return RegisterFacts(resident_id, "", "", False)
    verified = resident.status == "verified" and not resident.erased
    return RegisterFacts(resident_id, resident.name_sealed, resident.household, verified)


async def issue(rt: Commands, ctx: Ctx, certificate_id: UUID, valid_until: date) -> CommandResult:
    """Issue with the next number of this year's book; the book is saved with the certificate."""
    lookup = check_lookup(certificate_check_code(rt.personal, certificate_id))
    book_id = book_id_for(ctx.community_id, ctx.today.year)

    def action(app: LinliApp) -> Steps:
        certificate = _load(app, ctx, certificate_id)
        found = _optional(app, book_id, CertificateBook)
        book = found if isinstance(found, CertificateBook) else CertificateBook.open(ctx, ctx.today.year)
        item = items_for(app, ctx.community_id, ctx.today).get(certificate.item_code)
        facts = register_facts(app, ctx, certificate.resident_id)
        number = certificate.issue(ctx, book, item, facts, valid_until, lookup)
        return [certificate, book], {"certificate_id": str(certificate_id), "number": str(number)}

    return await rt.execute("certificate.issue", ctx, book_id, action)


async def cancel(rt: Commands, ctx: Ctx, certificate_id: UUID, reason: str) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        certificate = _load(app, ctx, certificate_id)
        certificate.cancel(ctx, reason)
        return [certificate], {"certificate_id": str(certificate_id)}

    return await rt.execute("certificate.cancel", ctx, certificate_id, action)
