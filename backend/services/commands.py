"""Commands of service bookings. A booking saves the slot (its seats) and the resident's diary (their other bookings)
in one transaction; a freed seat goes to the first on the waitlist whose diary still has room, in the same
transaction. Reminders are commands of the slot, so each is recorded once whichever process makes the round."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.community.reads import load_community
from backend.kernel.authz import may
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.creating import create
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import Action, CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.reads import acting_for, authorize, load_resident
from backend.services.domain.diary import Diary
from backend.services.domain.provider import Provider
from backend.services.domain.rules import BookingRules, Limits, diary_id_for
from backend.services.domain.schedule import Schedule
from backend.services.domain.service import Service
from backend.services.domain.slot import Slot

PROVIDER_NAMESPACE = UUID("5a7c9e1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b")
SERVICE_NAMESPACE = UUID("e1b3d5f7-a9c1-4e3b-8d5f-7a9c1e3b5d7f")

Steps = tuple[list[LinliAggregate], dict[str, str]]


def load_provider(app: LinliApp, ctx: Ctx, provider_id: UUID) -> Provider:
    return load_in_community(app, ctx, provider_id, Provider, "No such provider.")


def load_service(app: LinliApp, ctx: Ctx, service_id: UUID, read_only: bool = False) -> Service:
    return load_in_community(app, ctx, service_id, Service, "No such service.", read_only=read_only)


def load_slot(app: LinliApp, ctx: Ctx, slot_id: UUID) -> Slot:
    return load_in_community(app, ctx, slot_id, Slot, "No such slot.")


def load_diary(app: LinliApp, ctx: Ctx, resident_id: UUID) -> Diary:
    """The resident's diary, opened with their first booking."""
    try:
        return app.repository.get(diary_id_for(resident_id))
    except AggregateNotFoundError:
        return Diary.open(ctx, resident_id)


def limits_of(app: LinliApp, ctx: Ctx, slot: Slot) -> Limits:
    community = load_community(app, ctx.community_id)
    return Limits(
        load_service(app, ctx, slot.service_id, read_only=True).rules,
        community.rule("service_no_show_limit", ctx.today),
        community.rule("service_no_show_days", ctx.today),
    )


# -- the catalog (the clerk) ------------------------------------------------------------------------------------
async def create_provider(rt: Commands, ctx: Ctx, name: str, description: str) -> CommandResult:
    return await create(
        rt,
        "provider.create",
        ctx,
        PROVIDER_NAMESPACE,
        "provider_id",
        check=lambda app: authorize(app, ctx, "service.catalog"),
        make=lambda app, provider_id: [Provider.create(ctx, provider_id, name, description)],
    )


async def add_member(rt: Commands, ctx: Ctx, provider_id: UUID, resident_id: UUID) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "service.catalog")
        provider = load_provider(app, ctx, provider_id)
        resident = load_resident(app, ctx, resident_id)
        provider.add_member(ctx, resident_id, may(resident.actor(ctx.today), "service.provide", ctx.community_id))
        return [provider], {}

    return await rt.execute("provider.add_member", ctx, provider_id, action)


async def create_service(
    rt: Commands, ctx: Ctx, provider_id: UUID, name: str, category: str, description: str, rules: BookingRules
) -> CommandResult:
    def make(app: LinliApp, service_id: UUID) -> list[LinliAggregate]:
        provider = load_in_community(app, ctx, provider_id, Provider, "No such provider.", read_only=True)
        return [Service.create(ctx, service_id, provider, name, category, description, rules)]

    return await create(
        rt,
        "service.create",
        ctx,
        SERVICE_NAMESPACE,
        "service_id",
        check=lambda app: authorize(app, ctx, "service.catalog"),
        make=make,
    )


async def change_rules(rt: Commands, ctx: Ctx, service_id: UUID, rules: BookingRules) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "service.catalog")
        service = load_service(app, ctx, service_id)
        service.change_rules(ctx, rules)
        return [service], {}

    return await rt.execute("service.change_rules", ctx, service_id, action)


# -- the provider -----------------------------------------------------------------------------------------------
async def publish_schedule(rt: Commands, ctx: Ctx, service_id: UUID, schedule: Schedule) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "service.provide")
        service = load_service(app, ctx, service_id)
        provider = load_in_community(app, ctx, service.provider_id, Provider, "No such provider.", read_only=True)
        slots = service.publish(ctx, provider, schedule)
        return [service, *slots], {"slots": str(len(slots))}

    return await rt.execute("service.publish", ctx, service_id, action)


def _provided(app: LinliApp, ctx: Ctx, slot: Slot) -> None:
    authorize(app, ctx, "service.provide")
    provider = load_in_community(app, ctx, slot.provider_id, Provider, "No such provider.", read_only=True)
    if not provider.staffed_by(ctx.actor_id):
        raise DomainError("Only the slot's provider does this.", status=403)


def _fill(app: LinliApp, ctx: Ctx, slot: Slot, limits: Limits, diaries: dict[UUID, Diary]) -> None:
    """A freed seat to the first on the waitlist it still fits (the others leave the waitlist, told why)."""
    while (first := slot.next_waiting(ctx)) is not None:
        diary = diaries.get(first) or load_diary(app, ctx, first)
        diaries[first] = diary
        if slot.promote(ctx, diary, limits):
            return


async def confirm(rt: Commands, ctx: Ctx, slot_id: UUID, resident_id: UUID) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        slot = load_slot(app, ctx, slot_id)
        _provided(app, ctx, slot)
        slot.confirm(ctx, resident_id)
        return [slot], {}

    return await rt.execute("slot.confirm", ctx, slot_id, action)


async def decline(rt: Commands, ctx: Ctx, slot_id: UUID, resident_id: UUID, reason: str) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        slot = load_slot(app, ctx, slot_id)
        _provided(app, ctx, slot)
        diaries = {resident_id: load_diary(app, ctx, resident_id)}
        slot.decline(ctx, resident_id, reason, diaries[resident_id])
        _fill(app, ctx, slot, limits_of(app, ctx, slot), diaries)
        return [slot, *diaries.values()], {}

    return await rt.execute("slot.decline", ctx, slot_id, action)


async def complete(rt: Commands, ctx: Ctx, slot_id: UUID, resident_id: UUID, no_show: bool) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        slot = load_slot(app, ctx, slot_id)
        _provided(app, ctx, slot)
        diary = load_diary(app, ctx, resident_id)
        slot.complete(ctx, resident_id, no_show, diary)
        return [slot, diary], {}

    return await rt.execute("slot.complete", ctx, slot_id, action)


# -- the resident -----------------------------------------------------------------------------------------------
def _address(app: LinliApp, ctx: Ctx, slot: Slot, resident_id: UUID) -> str:
    """A home visit goes to the resident's household."""
    return load_resident(app, ctx, resident_id).household if slot.home_visit else ""


def book_action(ctx: Ctx, slot_id: UUID, note: str, waitlist: bool) -> Action:
    resident = acting_for(ctx)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "service.book")
        slot = load_slot(app, ctx, slot_id)
        diary = load_diary(app, ctx, resident)
        status = slot.book(
            ctx, resident, diary, limits_of(app, ctx, slot), note, _address(app, ctx, slot, resident), waitlist
        )
        return [slot, diary], {"status": status}

    return action


async def book(rt: Commands, ctx: Ctx, slot_id: UUID, note: str = "", waitlist: bool = False) -> CommandResult:
    return await rt.execute("slot.book", ctx, slot_id, book_action(ctx, slot_id, note, waitlist))


def _cancel(app: LinliApp, ctx: Ctx, slot: Slot, resident: UUID, diaries: dict[UUID, Diary]) -> None:
    limits = limits_of(app, ctx, slot)
    diaries.setdefault(resident, load_diary(app, ctx, resident))
    if slot.cancel(ctx, resident, diaries[resident], limits.rules):
        _fill(app, ctx, slot, limits, diaries)


async def cancel(rt: Commands, ctx: Ctx, slot_id: UUID) -> CommandResult:
    resident = acting_for(ctx)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "service.book")
        slot = load_slot(app, ctx, slot_id)
        diaries: dict[UUID, Diary] = {}
        _cancel(app, ctx, slot, resident, diaries)
        return [slot, *diaries.values()], {}

    return await rt.execute("slot.cancel", ctx, slot_id, action)


async def reschedule(rt: Commands, ctx: Ctx, slot_id: UUID, to_slot_id: UUID, note: str = "") -> CommandResult:
    """Move a booking to another slot of the same service: the new seat is taken and the old one freed (and
    offered to its waitlist) together, or neither."""
    resident = acting_for(ctx)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "service.book")
        if to_slot_id == slot_id:
            raise DomainError("Choose a different slot.", "to_slot_id")
        slot, target = load_slot(app, ctx, slot_id), load_slot(app, ctx, to_slot_id)
        if target.service_id != slot.service_id:
            raise DomainError("A booking moves only to another slot of the same service.", "to_slot_id")
        if slot.status_of(resident) not in ("pending", "confirmed"):
            raise DomainError("You have no booking on this slot.", status=409)
        diaries: dict[UUID, Diary] = {}
        _cancel(app, ctx, slot, resident, diaries)
        note_kept = note or slot.bookings[resident].note
        status = target.book(
            ctx,
            resident,
            diaries[resident],
            limits_of(app, ctx, target),
            note_kept,
            _address(app, ctx, target, resident),
            waitlist=False,
        )
        return [slot, target, *diaries.values()], {"status": status}

    return await rt.execute("slot.reschedule", ctx, slot_id, action)


async def rate(rt: Commands, ctx: Ctx, slot_id: UUID, stars: int, comment: str) -> CommandResult:
    resident = acting_for(ctx)
    action = _on_slot(ctx, slot_id, lambda s: s.rate(ctx, resident, stars, comment), "service.book")
    return await rt.execute("slot.rate", ctx, slot_id, action)


def _on_slot(ctx: Ctx, slot_id: UUID, change: Callable[[Slot], object], right: str | None) -> Action:
    def action(app: LinliApp) -> Steps:
        if right:
            authorize(app, ctx, right)
        slot = load_slot(app, ctx, slot_id)
        change(slot)
        return [slot], {}

    return action


async def remind(rt: Commands, ctx: Ctx, slot_id: UUID) -> CommandResult:
    """The system records the reminders due on a slot (none twice)."""
    return await rt.execute("slot.remind", ctx, slot_id, _on_slot(ctx, slot_id, lambda s: s.remind(ctx), None))
