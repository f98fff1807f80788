"""服务方: a provider of services, and the residents who act for it."""

from __future__ import annotations

from uuid import UUID

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics
from backend.services.domain.rules import NAME_MAX, TEXT_MAX, TOPICS_MODULE


class Provider(LinliAggregate):
    """服务方: a clinic, a repair team, a lawyer; the residents holding the service provider role who act for it."""

    class Created(LinliAggregate.Created):
        name: str
        description: str

    class MemberAdded(LinliAggregate.Event):
        resident_id: UUID

        def apply(self, provider: Provider) -> None:
            provider.members.append(self.resident_id)

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description
        self.members: list[UUID] = []

    @classmethod
    def create(cls, ctx: Ctx, provider_id: UUID, name: str, description: str) -> Provider:
        name = check_text(name, NAME_MAX, "name", "A provider needs a name of at most 60 characters.")
        description = check_text(description, TEXT_MAX, "description", "The description is too long.", required=False)
        return cls.start(cls.Created, ctx, provider_id, name=name, description=description)

    def add_member(self, ctx: Ctx, resident_id: UUID, is_service_provider: bool) -> None:
        if not is_service_provider:
            raise DomainError("Grant this resident the service provider role first.", "resident_id")
        if resident_id in self.members:
            raise DomainError("This resident already acts for the provider.", "resident_id", status=409)
        self.emit(self.MemberAdded, ctx, resident_id=resident_id)

    def staffed_by(self, actor_id: UUID | None) -> bool:
        return actor_id is None or actor_id in self.members


keep_topics(TOPICS_MODULE, Provider)
