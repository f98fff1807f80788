"""A resident's diary: their bookings across services, what keeps them from overlapping and within the weekly limit,
and the no-shows that pause booking for a while."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID

from backend.i18n import N_
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.topics import keep_topics
from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain.rules import TOPICS_MODULE, BookingRules, diary_id_for, week_of


class SlotTime(Protocol):
    """What a diary knows of a slot (a Slot is one): which it is, of which service, and when."""

    @property
    def id(self) -> UUID: ...

    @property
    def service_id(self) -> UUID: ...

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


class Diary(LinliAggregate):
    """A resident's bookings across services (and their no-shows): what makes one resident's bookings never
    overlap and keeps the weekly limit, whichever slots they book at once."""

    class Opened(LinliAggregate.Created):
        resident_id: UUID

    class Held(LinliAggregate.Event):
        slot_id: UUID
        service_id: UUID
        starts_at: datetime
        ends_at: datetime

        def apply(self, diary: Diary) -> None:
            diary.held[self.slot_id] = (self.service_id, self.starts_at, self.ends_at)

    class Released(LinliAggregate.Event):
        slot_id: UUID

        def apply(self, diary: Diary) -> None:
            diary.held.pop(self.slot_id, None)
            diary.kept.pop(self.slot_id, None)

    class Kept(LinliAggregate.Event):
        """The booking took place (done) or the resident did not come (no-show): it stays in the weekly count but
        no longer blocks its time."""

        slot_id: UUID
        no_show: bool

        def apply(self, diary: Diary) -> None:
            diary.kept[self.slot_id] = self.no_show
            if self.no_show:
                diary.no_shows.append(self.timestamp)

    def __init__(self, resident_id: UUID) -> None:
        self.resident_id = resident_id
        self.held: dict[UUID, tuple[UUID, datetime, datetime]] = {}
        self.kept: dict[UUID, bool] = {}
        self.no_shows: list[datetime] = []

    @classmethod
    def open(cls, ctx: Ctx, resident_id: UUID) -> Diary:
        return cls.start(cls.Opened, ctx, diary_id_for(resident_id), resident_id=resident_id)

    def refusal(self, ctx: Ctx, slot: SlotTime, rules: BookingRules, no_show_limit: int, no_show_days: int) -> str:
        """Why this resident may not hold a seat on `slot` now ("" when they may)."""
        for slot_id, (_, start, end) in self.held.items():
            if slot_id != slot.id and slot_id not in self.kept and start < slot.ends_at and slot.starts_at < end:
                return N_("You already have a booking at this time.")
        week = week_of(slot.starts_at)
        same_week = [
            s for s, (service, start, _) in self.held.items() if service == slot.service_id and week_of(start) == week
        ]
        if len(same_week) >= rules.per_week:
            return N_("You have reached this service's limit of bookings for that week.")
        if self.blocked_until(ctx, no_show_limit, no_show_days) is not None:
            return N_("After repeated no-shows you cannot book for a while; ask the committee if this is wrong.")
        return ""

    def blocked_until(self, ctx: Ctx, no_show_limit: int, no_show_days: int) -> date | None:
        """The day a no-show restriction ends, if one is in force."""
        recent = sorted(t for t in self.no_shows if t > ctx.now - timedelta(days=no_show_days))
        if not no_show_limit or len(recent) < no_show_limit:
            return None
        return (recent[-no_show_limit] + timedelta(days=no_show_days)).astimezone(LOCAL_ZONE).date()

    def hold(self, ctx: Ctx, slot: SlotTime) -> None:
        self.emit(
            self.Held, ctx, slot_id=slot.id, service_id=slot.service_id, starts_at=slot.starts_at, ends_at=slot.ends_at
        )

    def release(self, ctx: Ctx, slot: SlotTime) -> None:
        if slot.id in self.held:
            self.emit(self.Released, ctx, slot_id=slot.id)

    def keep(self, ctx: Ctx, slot: SlotTime, no_show: bool) -> None:
        self.emit(self.Kept, ctx, slot_id=slot.id, no_show=no_show)


keep_topics(TOPICS_MODULE, Diary)
