"""What other contexts' commands read of residents: the acting resident's rights (`authorize`, which every command
runs), whom a command is for, a resident in the community, and a resident's age. Read-only: nothing here saves."""

from __future__ import annotations

import time
from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.kernel.authz import Actor, may
from backend.kernel.changes import on_resident_changed
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.personal import PersonalData, unseal
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.domain.checks import age_on, birth_date
from backend.residents.domain.resident import Resident


def load_resident(app: LinliApp, ctx: Ctx, resident_id: UUID) -> Resident:
    return load_in_community(app, ctx, resident_id, Resident, "No such resident.")


ACTOR_TTL = 10.0  # seconds an acting resident's roles are reused; the web layer reuses them as long
_actors: dict[UUID, tuple[Actor | None, float, date]] = {}


def _acting(app: LinliApp, ctx: Ctx, resident_id: UUID) -> Actor | None:
    """The acting resident's roles today. Reading the aggregate costs a store query inside the command's lock (a
    fifth of a co-sign's time), so they are reused for ACTOR_TTL; changes in this process take effect at once
    (`resident_changed`), changes made by another process within ACTOR_TTL."""
    cached = _actors.get(resident_id)
    clock = time.monotonic()
    if cached is not None and clock - cached[1] < ACTOR_TTL and cached[2] == ctx.today:
        return cached[0]
    try:
        resident = app.repository.get(resident_id, deepcopy_from_cache=False)  # only read
    except AggregateNotFoundError:
        resident = None
    actor = resident.actor(ctx.today) if isinstance(resident, Resident) else None
    if len(_actors) > 10_000:
        _actors.clear()
    _actors[resident_id] = (actor, clock, ctx.today)
    return actor


on_resident_changed(lambda resident_id: _actors.pop(resident_id, None))


def acting_for(ctx: Ctx) -> UUID:
    """Whom a resident's command is for: the signed-in resident, or the one a clerk acts for at the counter."""
    resident = ctx.on_behalf_of or ctx.actor_id
    if resident is None:
        raise DomainError("Please sign in first.", status=403)
    return resident


def authorize(app: LinliApp, ctx: Ctx, action: str) -> None:
    """Refuse unless the acting resident may take `action` in ctx's community. Acting for someone else needs
    "resident.assist", and the person acted for must be allowed the action themselves. No actor = the system."""
    if ctx.actor_id is None:
        return
    actor = _acting(app, ctx, ctx.actor_id)
    if ctx.on_behalf_of is None:
        if actor is None or not may(actor, action, ctx.community_id):
            raise DomainError("You are not allowed to do this.", status=403)
        return
    if actor is None or not may(actor, "resident.assist", ctx.community_id):
        raise DomainError("You are not allowed to do this.", status=403)
    helped = load_resident(app, ctx, ctx.on_behalf_of)
    if not may(helped.actor(ctx.today), action, ctx.community_id):
        raise DomainError("This resident is not verified yet.", status=403)


def age_of(app: LinliApp, personal: PersonalData, resident_id: UUID, on: date) -> int | None:
    """A resident's age on a day, from the birth date in their ID number; None when no ID number is on record (or
    it was erased)."""
    resident: Resident = app.repository.get(resident_id)
    if not resident.id_number_sealed:
        return None
    id_number = unseal(personal.keys([resident_id]).get(resident_id), resident.id_number_sealed)
    born = birth_date(id_number) if id_number else None
    return age_on(born, on) if born else None
