"""The inbox's notices of volunteering: a freed seat on a shift offered to the first on its waitlist, held until a
time (accepting it is on the activity's page), or given to them at once (an activity without offers; accepting an
offer is the volunteer's own step, which tells nobody). The activity's title is read from the volunteering views,
which the registry applies before the inbox."""

from __future__ import annotations

from typing import ClassVar

from backend.volunteering.domain.shift import Shift
from projections.inbox.sources import Row, Stateless, notices
from projections.types import Item
from projections.volunteering.tables import ActivityView, ShiftView


class VolunteeringNotices(Stateless):
    events: ClassVar[tuple[type, ...]] = (Shift.Offered, Shift.Seated)

    async def rows(self, item: Item) -> list[Row]:
        e = item.event
        if isinstance(e, Shift.Seated) and e.actor_id == e.volunteer_id:
            return []  # they accepted the offer themselves
        shift = (
            await ShiftView.select(ShiftView.activity_id, ShiftView.starts_at)
            .where(ShiftView.id == e.originator_id)
            .first()
        )
        if shift is None:
            return []
        activity = await ActivityView.select(ActivityView.title).where(ActivityView.id == shift["activity_id"]).first()
        params = {
            "title": activity["title"] if activity else "",
            "activity": str(shift["activity_id"]),
            "starts": shift["starts_at"].isoformat(),
            "at": e.until.isoformat() if isinstance(e, Shift.Offered) else "",
        }
        kind = "shift_offer" if isinstance(e, Shift.Offered) else "shift_seated"
        return notices(item, [e.volunteer_id], kind, e.originator_id, params)
