"""便民服务 in the catalog: a service, its booking rules, and the schedules its provider publishes as slots."""

from __future__ import annotations

import itertools
from datetime import datetime
from uuid import UUID

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics
from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain.provider import Provider
from backend.services.domain.rules import CATEGORIES, NAME_MAX, TEXT_MAX, TOPICS_MODULE, BookingRules, slot_id_for
from backend.services.domain.schedule import Schedule
from backend.services.domain.slot import Slot


class Service(LinliAggregate):
    """便民服务 in the catalog: what it is, who provides it, its booking rules and the times of its slots."""

    class Created(LinliAggregate.Created):
        provider_id: UUID
        name: str
        category: str
        description: str
        min_notice_hours: int
        cancel_hours: int
        per_week: int
        confirm: bool

    class RulesChanged(LinliAggregate.Event):
        min_notice_hours: int
        cancel_hours: int
        per_week: int
        confirm: bool

        def apply(self, service: Service) -> None:
            service.rules = BookingRules(self.min_notice_hours, self.cancel_hours, self.per_week, self.confirm)

    class SlotsPublished(LinliAggregate.Event):
        slot_ids: list[UUID]
        times: list[list[datetime]]  # [starts_at, ends_at] of each

        def apply(self, service: Service) -> None:
            service.times.extend((start, end) for start, end in self.times)

    def __init__(
        self,
        provider_id: UUID,
        name: str,
        category: str,
        description: str,
        min_notice_hours: int,
        cancel_hours: int,
        per_week: int,
        confirm: bool,
    ) -> None:
        self.provider_id = provider_id
        self.name = name
        self.category = category
        self.description = description
        self.rules = BookingRules(min_notice_hours, cancel_hours, per_week, confirm)
        self.times: list[tuple[datetime, datetime]] = []

    @classmethod
    def create(
        cls,
        ctx: Ctx,
        service_id: UUID,
        provider: Provider,
        name: str,
        category: str,
        description: str,
        rules: BookingRules,
    ) -> Service:
        if category not in CATEGORIES:
            raise DomainError("Choose a category.", "category")
        name = check_text(name, NAME_MAX, "name", "A service needs a name of at most 60 characters.")
        description = check_text(
            description, TEXT_MAX, "description", "Describe the service (at most 1000 characters)."
        )
        rules = rules.checked()
        return cls.start(
            cls.Created,
            ctx,
            service_id,
            provider_id=provider.id,
            name=name,
            category=category,
            description=description,
            min_notice_hours=rules.min_notice_hours,
            cancel_hours=rules.cancel_hours,
            per_week=rules.per_week,
            confirm=rules.confirm,
        )

    def change_rules(self, ctx: Ctx, rules: BookingRules) -> None:
        rules = rules.checked()
        if rules == self.rules:
            raise DomainError("These are the rules already in force.", status=409)
        self.emit(self.RulesChanged, ctx, **rules.__dict__)

    def publish(self, ctx: Ctx, provider: Provider, schedule: Schedule) -> list[Slot]:
        """The schedule's slots, refused whole when any overlaps another (its own or one published before)."""
        if provider.id != self.provider_id or not provider.staffed_by(ctx.actor_id):
            raise DomainError("Only the service's provider publishes its schedule.", status=403)
        times = schedule.times()
        if not times:
            raise DomainError("This schedule yields no slots: check the weekdays and the skipped dates.", "weekdays")
        if times[0][0] <= ctx.now:
            raise DomainError("Slots must start in the future.", "first_day")
        taken = sorted([*self.times, *times])
        for (_, end), (start, _) in itertools.pairwise(taken):
            if start < end:
                clash = start.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
                raise DomainError(
                    "The slots overlap with others of this service (at %(when)s).", "starts_at", when=clash
                )
        ids = [slot_id_for(self.id, start) for start, _ in times]
        self.emit(self.SlotsPublished, ctx, slot_ids=ids, times=[[s, e] for s, e in times])
        return [Slot.publish(ctx, self, start, end, schedule.capacity, schedule.place) for start, end in times]


keep_topics(TOPICS_MODULE, Service)
