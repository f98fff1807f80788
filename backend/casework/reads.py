"""What other contexts' commands read of casework: a case of the community (e.g. the proposal answered by turning
it into a case names it). Read-only: nothing here saves."""

from __future__ import annotations

from uuid import UUID

from backend.casework.domain.case import Case
from backend.kernel.context import Ctx
from backend.kernel.store import LinliApp, load_in_community


def load_case(app: LinliApp, ctx: Ctx, case_id: UUID) -> Case:
    """The case with this id in ctx's community (NotFound otherwise); the caller must not change it."""
    return load_in_community(app, ctx, case_id, Case, "No such case.")
