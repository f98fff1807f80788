"""Commands of the admission list (准入清单): the street operator adds, changes and removes items (each edit naming
its basis and effective day), and decides a department's application (申请准入): approved, the item is listed from
its effective day (saved with the decision); rejected, with a reason. A department (its staff, or a street operator
acting for it) applies. Street-level aggregates carry the acting person's own community on their events; the
street they belong to is what is checked. The departments are casework's (read through its reads module)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from backend.casework.domain.department import Department
from backend.casework.reads import load_department
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, NotFound
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp
from backend.residents.domain.resident import Resident
from backend.residents.reads import authorize
from backend.workload.domain.admission import AdmissionList, Item, admission_list_id_for, street_key
from backend.workload.domain.tasks import Application, Proposal

ITEM_NAMESPACE = UUID("a4e1d2c3-6b7f-4a8e-9d10-2f3e4a5b6c7d")
APPLICATION_NAMESPACE = UUID("5d9f0e1a-2b3c-4d5e-8f60-718293a4b5c6")

Steps = tuple[list[LinliAggregate], dict[str, str]]


def item_code_for(command_id: str) -> str:
    """A new item's code: made from the command, so a repeated form makes the same one."""
    return uuid5(ITEM_NAMESPACE, command_id).hex[:12]


def application_id_for(command_id: str) -> UUID:
    return uuid5(APPLICATION_NAMESPACE, command_id)


def _read(app: LinliApp, aggregate_id: UUID, kind: type, copy: bool = True) -> object | None:
    try:
        found = app.repository.get(aggregate_id, deepcopy_from_cache=copy)
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, kind) else None


def load_list(app: LinliApp, ctx: Ctx, street: str) -> AdmissionList:
    """The street's list (an empty one before its first edit)."""
    found = _read(app, admission_list_id_for(street), AdmissionList)
    return found if isinstance(found, AdmissionList) else AdmissionList.open(ctx, street)


def read_list(app: LinliApp, street: str) -> AdmissionList | None:
    """The street's list as a task's command reads it (never changed, never saved)."""
    found = _read(app, admission_list_id_for(street), AdmissionList, copy=False)
    return found if isinstance(found, AdmissionList) else None


def _actor(app: LinliApp, ctx: Ctx) -> tuple[frozenset[str], frozenset[str]]:
    """The streets the acting person operates and the departments they act for, today."""
    found = _read(app, ctx.actor_id, Resident, copy=False) if ctx.actor_id is not None else None
    if not isinstance(found, Resident):
        raise DomainError("You are not allowed to do this.", status=403)
    actor = found.actor(ctx.today)
    return actor.streets, actor.departments


def street_operator(app: LinliApp, ctx: Ctx, street: str) -> str:
    """The street, when the acting person operates it (the system may act for any)."""
    authorize(app, ctx, "admission.keep")
    street = street_key(street)
    if not street:
        raise DomainError("The admission list belongs to a street; set the community's street first.", "street")
    if ctx.actor_id is not None and street not in _actor(app, ctx)[0]:
        raise DomainError("You are not allowed to do this.", status=403)
    return street


def acting_department(app: LinliApp, ctx: Ctx, department_id: UUID) -> Department:
    """The department, when the acting person is its staff or operates its street (the system may act for any)."""
    authorize(app, ctx, "task.assign")
    department = load_department(app, department_id)
    if ctx.actor_id is not None:
        streets, departments = _actor(app, ctx)
        if str(department.id) not in departments and department.street not in streets:
            raise DomainError("You do not act for this department.", status=403)
    return department


def _department_of_street(app: LinliApp, department_id: UUID, street: str) -> None:
    if load_department(app, department_id).street != street:
        raise DomainError("Choose a department of the street.", "department_id")


# -- the list ----------------------------------------------------------------------------------------------------
async def add_item(
    rt: Commands, ctx: Ctx, street: str, item: Item, edit_basis: str, effective_from: date
) -> CommandResult:
    code = item_code_for(ctx.command_id)

    def action(app: LinliApp) -> Steps:
        street_name = street_operator(app, ctx, street)
        _department_of_street(app, item.department_id, street_name)
        admission = load_list(app, ctx, street_name)
        admission.add(
            ctx,
            Item(code, item.kind, item.title, item.basis, item.department_id, item.funding),
            edit_basis,
            effective_from,
        )
        return [admission], {"code": code}

    return await rt.execute("admission.add", ctx, admission_list_id_for(street), action)


async def change_item(
    rt: Commands, ctx: Ctx, street: str, item: Item, edit_basis: str, effective_from: date
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        street_name = street_operator(app, ctx, street)
        _department_of_street(app, item.department_id, street_name)
        admission = load_list(app, ctx, street_name)
        admission.change(ctx, item, edit_basis, effective_from)
        return [admission], {"code": item.code}

    return await rt.execute("admission.change", ctx, admission_list_id_for(street), action)


async def remove_item(
    rt: Commands, ctx: Ctx, street: str, code: str, edit_basis: str, effective_from: date
) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        admission = load_list(app, ctx, street_operator(app, ctx, street))
        admission.remove(ctx, code, edit_basis, effective_from)
        return [admission], {"code": code}

    return await rt.execute("admission.remove", ctx, admission_list_id_for(street), action)


# -- applications (申请准入) --------------------------------------------------------------------------------------
async def apply(
    rt: Commands, ctx: Ctx, department_id: UUID, proposal: Proposal, attempt_id: UUID | None = None
) -> CommandResult:
    """The department asks the street to list an item (after a refusal: `attempt_id` names it)."""
    application_id = application_id_for(ctx.command_id)

    def action(app: LinliApp) -> Steps:
        department = acting_department(app, ctx, department_id)
        application = Application.apply_for(ctx, application_id, department.street, department.id, proposal, attempt_id)
        return [application], {"application_id": str(application_id)}

    return await rt.execute("admission.apply", ctx, application_id, action)


def load_application(app: LinliApp, application_id: UUID) -> Application:
    found = _read(app, application_id, Application)
    if not isinstance(found, Application):
        raise NotFound("No such application.")
    return found


async def approve(rt: Commands, ctx: Ctx, application_id: UUID, edit_basis: str, effective_from: date) -> CommandResult:
    """Approved: the item is on the street's list from `effective_from` (the list and the decision saved together)."""

    def action(app: LinliApp) -> Steps:
        application = load_application(app, application_id)
        street_name = street_operator(app, ctx, application.street)
        admission = load_list(app, ctx, street_name)
        code = item_code_for(f"application|{application_id}")
        item = application.approve(ctx, code, edit_basis, effective_from)
        admission.add(ctx, item, edit_basis, effective_from)
        return [application, admission], {"code": code}

    return await rt.execute("admission.approve", ctx, application_id, action)


async def reject(rt: Commands, ctx: Ctx, application_id: UUID, reason: str) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        application = load_application(app, application_id)
        street_operator(app, ctx, application.street)
        application.reject(ctx, reason)
        return [application], {}

    return await rt.execute("admission.reject", ctx, application_id, action)
