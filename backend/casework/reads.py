"""What other contexts' commands read of casework: a case of the community (e.g. the proposal answered by turning
it into a case names it). Read-only: nothing here saves."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from backend.casework.domain.case import Case
from backend.casework.domain.department import Department
from backend.kernel.context import Ctx
from backend.kernel.errors import NotFound
from backend.kernel.store import LinliApp, load_in_community


def load_case(app: LinliApp, ctx: Ctx, case_id: UUID) -> Case:
    """The case with this id in ctx's community (NotFound otherwise); the caller must not change it."""
    return load_in_community(app, ctx, case_id, Case, "No such case.")


def load_department(app: LinliApp, department_id: UUID) -> Department:
    """A department of a street (NotFound otherwise), e.g. the one workload's tasks are assigned by; only read."""
    try:
        found = app.repository.get(department_id, deepcopy_from_cache=False)
    except AggregateNotFoundError:
        raise NotFound("No such department.") from None
    if not isinstance(found, Department):
        raise NotFound("No such department.")
    return found
