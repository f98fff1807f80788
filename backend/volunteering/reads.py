"""What other contexts' commands read of volunteering: a volunteer's place on a shift (casework's visits assigned to
a volunteer name the shift they are made in, so that the shift's check-in and check-out, confirmed by the team's
leader, are the visit's volunteer hours — the hours ledger stays volunteering's own). Read-only: nothing here saves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.store import LinliApp, load_in_community
from backend.kernel.zone import LOCAL_ZONE
from backend.volunteering.domain.activity import Activity
from backend.volunteering.domain.shift import Shift


@dataclass(frozen=True)
class Seat:
    """A volunteer's seat on a shift: the shift's day (China) and its activity's title."""

    shift_id: UUID
    day: date
    activity: str


def seat_of(app: LinliApp, ctx: Ctx, shift_id: UUID, volunteer_id: UUID) -> Seat:
    """The volunteer's seat on the shift of ctx's community; refused when they hold none (a waitlist place is
    none)."""
    shift: Shift = load_in_community(app, ctx, shift_id, Shift, "No such shift.", read_only=True)
    if volunteer_id not in shift.seated:
        raise DomainError("The volunteer holds no seat on this shift.", "shift_id", status=409)
    activity: Activity = load_in_community(app, ctx, shift.activity_id, Activity, "No such activity.", read_only=True)
    return Seat(shift.id, shift.starts_at.astimezone(LOCAL_ZONE).date(), activity.title)
