"""A member's vote on a ballot (DESIGN 4.1: one resident, one vote), and what a vote needs to know of its ballot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics

VOTE_NAMESPACE = UUID("1c9e7f2a-4b3d-4e5f-8a6b-7c8d9e0f1a2b")


class Choice(StrEnum):
    YES = "yes"  # 赞成
    NO = "no"  # 反对
    ABSTAIN = "abstain"  # 弃权


CHOICES = frozenset(c.value for c in Choice)


def vote_id(ballot_id: UUID, resident_id: UUID) -> UUID:
    """One resident, one vote (DESIGN 4.1): a second first vote collides on the store's unique key."""
    return uuid5(VOTE_NAMESPACE, f"{ballot_id}|{resident_id}")


@dataclass(frozen=True)
class BallotState:
    """What a vote command needs to know of its ballot, read from the meeting at the time of the vote. Members are
    residents, or households when each household has one vote; an online ballot also closes at `closes_at`."""

    ballot_id: UUID
    is_open: bool
    members: frozenset[UUID]
    closes_at: datetime | None = None
    per_household: bool = False

    def open_at(self, now: datetime) -> bool:
        return self.is_open and (self.closes_at is None or now < self.closes_at)


def check_choice(choice: str) -> Choice:
    if choice not in CHOICES:
        raise DomainError("Please choose 赞成, 反对 or 弃权.", "choice")
    return Choice(choice)


class Vote(LinliAggregate):
    """A member's vote on a ballot: changed (the next version) until the ballot closes. A paper vote is entered by
    a clerk for the member and counts only once a second clerk confirms it. Whether a vote counts is decided by its
    place in the log against the ballot's close event, not by any clock."""

    class Cast(LinliAggregate.Created):
        ballot_id: UUID
        resident_id: UUID
        household_id: UUID | None  # the household whose one vote this is, on a ballot by household
        choice: str
        paper: bool

        def apply(self, vote: LinliAggregate) -> None:
            super().apply(vote)
            vote.entered_by = self.actor_id  # type: ignore[attr-defined]

    class Changed(LinliAggregate.Event):
        choice: str

        def apply(self, vote: Vote) -> None:
            vote.choice = Choice(self.choice)

    class Confirmed(LinliAggregate.Event):
        def apply(self, vote: Vote) -> None:
            vote.confirmed_by = self.actor_id

    def __init__(self, ballot_id: UUID, resident_id: UUID, household_id: UUID | None, choice: str, paper: bool) -> None:
        self.ballot_id = ballot_id
        self.resident_id = resident_id
        self.household_id = household_id
        self.choice = Choice(choice)
        self.paper = paper
        self.entered_by: UUID | None = None
        self.confirmed_by: UUID | None = None

    @property
    def counts(self) -> bool:
        return not self.paper or self.confirmed_by is not None

    @classmethod
    def cast(
        cls,
        ctx: Ctx,
        ballot: BallotState,
        resident_id: UUID,
        choice: str,
        paper: bool = False,
        household_id: UUID | None = None,
    ) -> Vote:
        check_choice(choice)
        if not ballot.open_at(ctx.now):
            raise DomainError("Voting has closed.", status=409)
        key = household_id if ballot.per_household else resident_id
        if key is None or key not in ballot.members:
            raise DomainError("Only members of this body vote on this ballot.", status=403)
        if paper and (ctx.actor_id is None or ctx.actor_id == resident_id):
            raise DomainError("A paper ballot is entered by a clerk for the member.", status=403)
        return cls.start(
            cls.Cast,
            ctx,
            vote_id(ballot.ballot_id, key),
            ballot_id=ballot.ballot_id,
            resident_id=resident_id,
            household_id=household_id if ballot.per_household else None,
            choice=choice,
            paper=paper,
        )

    def change(self, ctx: Ctx, ballot: BallotState, choice: str) -> None:
        check_choice(choice)
        if not ballot.open_at(ctx.now):
            raise DomainError("Voting has closed.", status=409)
        if self.household_id is not None and ctx.actor_id != self.resident_id:
            raise DomainError("Your household has already voted; one vote per household.", status=409)
        if self.paper:
            raise DomainError("This member voted on paper; the paper ballot stands.", status=409)
        if ctx.actor_id != self.resident_id:
            raise DomainError("Only the member changes their own vote.", status=403)
        if Choice(choice) != self.choice:
            self.emit(self.Changed, ctx, choice=choice)

    def confirm(self, ctx: Ctx) -> None:
        if not self.paper:
            raise DomainError("Only paper ballots are confirmed.", status=409)
        if self.confirmed_by is not None:
            raise DomainError("This paper ballot is already confirmed.", status=409)
        if ctx.actor_id is None or ctx.actor_id == self.entered_by:
            raise DomainError("A second clerk confirms a paper ballot.", status=403)
        self.emit(self.Confirmed, ctx)


keep_topics("backend.deliberation.procedure", Vote)
