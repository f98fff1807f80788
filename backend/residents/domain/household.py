"""The household register: one dwelling per household, identified by its address, with the members the register
lists (sealed). A household moves out (迁出: the dwelling is left vacant, its members no longer listed) and another
moves in (迁入: the vacant dwelling's new members listed), each on a day no later than today. Pure: no I/O, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.topics import keep_topics

HOUSEHOLD_NAMESPACE = UUID("7e4d2b1a-3c5f-4a6e-8b9d-0f1e2d3c4b5a")
ADDRESS_PART_MAX = 20


@dataclass(frozen=True)
class HouseholdRow:
    """One household as a register file or the clerk's form gives it (`line`: where the file has it, 0 for the form)."""

    line: int
    building: str
    unit: str
    room: str
    members: tuple[str, ...]


def address_parts(building: str, unit: str, room: str) -> tuple[str, str, str]:
    parts = tuple(" ".join(p.split()) for p in (building, unit, room))
    if not parts[0] or not parts[2]:
        raise DomainError("A household needs a building (or village group) and a room (or house number).", "room")
    if any(len(p) > ADDRESS_PART_MAX for p in parts):
        raise DomainError("Each part of the address has at most 20 characters.", "room")
    return parts  # type: ignore[return-value]


def household_id_for(community_id: UUID, building: str, unit: str, room: str) -> UUID:
    """The same address is the same household: importing a register twice adds nothing."""
    return uuid5(HOUSEHOLD_NAMESPACE, f"{community_id}|{building}|{unit}|{room}")


class Household(LinliAggregate):
    """One dwelling in the community's register, with the members the register lists (sealed)."""

    class Registered(LinliAggregate.Created):
        building: str
        unit: str
        room: str
        members_sealed: str

    class MembersListed(LinliAggregate.Event):
        members_sealed: str

        def apply(self, household: Household) -> None:
            household.members_sealed = self.members_sealed

    class MovedOut(LinliAggregate.Event):
        on: str  # ISO day the household left

        def apply(self, household: Household) -> None:
            household.members_sealed = ""
            household.vacant = True
            household.last_move = date.fromisoformat(self.on)

    class MovedIn(LinliAggregate.Event):
        on: str  # ISO day the new household came
        members_sealed: str

        def apply(self, household: Household) -> None:
            household.members_sealed = self.members_sealed
            household.vacant = False
            household.last_move = date.fromisoformat(self.on)

    def __init__(self, building: str, unit: str, room: str, members_sealed: str) -> None:
        self.building = building
        self.unit = unit
        self.room = room
        self.members_sealed = members_sealed
        self.vacant = False
        self.last_move: date | None = None  # the day of its last move in or out: the next is not before it

    @property
    def label(self) -> str:
        return household_label(self.building, self.unit, self.room)

    @classmethod
    def register(cls, ctx: Ctx, building: str, unit: str, room: str, members_sealed: str) -> Household:
        building, unit, room = address_parts(building, unit, room)
        household_id = household_id_for(ctx.community_id, building, unit, room)
        return cls.start(
            cls.Registered, ctx, household_id, building=building, unit=unit, room=room, members_sealed=members_sealed
        )

    def list_members(self, ctx: Ctx, members_sealed: str) -> None:
        """The register's members brought up to date; not at a vacant dwelling, whose new household is a move in
        with its day (an old register file listing the household that left must not bring it back)."""
        if self.vacant:
            raise DomainError("This dwelling is vacant: record the new household's moving in on its page.", status=409)
        self.emit(self.MembersListed, ctx, members_sealed=members_sealed)

    def move_out(self, ctx: Ctx, on: date) -> None:
        self._here(ctx)
        if self.vacant:
            raise DomainError("Nobody lives at this address now.", status=409)
        self.emit(self.MovedOut, ctx, on=self._after_last_move(moving_day(ctx, on)).isoformat())

    def move_in(self, ctx: Ctx, on: date, members_sealed: str) -> None:
        self._here(ctx)
        if not self.vacant:
            raise DomainError("A household lives here: record its moving out first.", status=409)
        if not members_sealed:
            raise DomainError("Name at least one member of the household moving in.", "members")
        on = self._after_last_move(moving_day(ctx, on))
        self.emit(self.MovedIn, ctx, on=on.isoformat(), members_sealed=members_sealed)

    def _after_last_move(self, on: date) -> date:
        if self.last_move is not None and on < self.last_move:
            raise DomainError("A move cannot be dated before this dwelling's last move.", "on")
        return on

    def _here(self, ctx: Ctx) -> None:
        if ctx.community_id != self.community_id:
            raise DomainError("No such household in the register.", "household", status=404)


MOVE_BACK_DAYS = 366  # how far back a move may be dated: a year of catching up the register, not rewriting history


def moving_day(ctx: Ctx, on: date) -> date:
    """The day of a move: not after today (the register records what happened), not more than a year back."""
    if on > ctx.today:
        raise DomainError("A move is recorded once it has happened: the day cannot be after today.", "on")
    if (ctx.today - on).days > MOVE_BACK_DAYS:
        raise DomainError("A move can be dated at most a year back.", "on")
    return on


def household_label(building: str, unit: str, room: str) -> str:
    return "".join(p for p in (building, unit, room) if p)


# The log names these events by the module the aggregate lived in before the architecture step split it.
keep_topics("backend.residents.domain", Household)
