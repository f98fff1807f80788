"""A guardian's consent for a minor of their household to volunteer in one activity."""

from __future__ import annotations

from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics
from backend.volunteering.domain.activity import Activity
from backend.volunteering.domain.topics import TOPICS_MODULE

CONSENT_NAMESPACE = UUID("7e3c5a9b-2d4f-4b6a-8c1e-5f7a9b3d2c10")


class GuardianConsent(LinliAggregate):
    """A guardian's consent for a minor of their household to volunteer in one activity (个人信息保护法 Art 31)."""

    class Given(LinliAggregate.Created):
        activity_id: UUID
        minor_id: UUID
        guardian_id: UUID

    def __init__(self, activity_id: UUID, minor_id: UUID, guardian_id: UUID) -> None:
        self.activity_id = activity_id
        self.minor_id = minor_id
        self.guardian_id = guardian_id

    @classmethod
    def give(
        cls,
        ctx: Ctx,
        activity: Activity,
        minor_id: UUID,
        same_household: bool,
        minor_age: int | None,
        guardian_age: int | None,
        consent_age: int,
    ) -> GuardianConsent:
        guardian = ctx.actor_id
        if guardian is None or guardian == minor_id or not same_household:
            raise DomainError("Only a guardian in the same household gives consent.", status=403)
        if guardian_age is not None and guardian_age < 18:
            raise DomainError("Only an adult gives consent.", status=403)
        if minor_age is None or minor_age >= consent_age:
            raise DomainError("This resident does not need a guardian's consent.", status=409)
        if not activity.published:
            raise DomainError("This activity is not open for sign-up yet.", status=409)
        return cls.start(
            cls.Given,
            ctx,
            consent_id_for(activity.id, minor_id),
            activity_id=activity.id,
            minor_id=minor_id,
            guardian_id=guardian,
        )


keep_topics(TOPICS_MODULE, GuardianConsent)


def consent_id_for(activity_id: UUID, minor_id: UUID) -> UUID:
    return uuid5(CONSENT_NAMESPACE, f"{activity_id}|{minor_id}")
