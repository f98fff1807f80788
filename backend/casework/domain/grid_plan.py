"""网格化: a community's grids, the buildings (or village groups) and places each covers, its 网格员, and the 楼长 of
each building — one aggregate per community, so that a building is never in two grids whatever two clerks do at
once. Every reassignment is an event; the history stays in the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from backend.casework.domain.rules import (
    BUILDING_MAX,
    NAME_MAX,
    TOPICS_MODULE,
    check_name,
    grid_id_for,
    grid_plan_id_for,
)
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text
from backend.kernel.topics import keep_topics

GRIDS_MAX = 200


@dataclass
class Grid:
    name: str
    buildings: set[str] = field(default_factory=set)
    worker_id: UUID | None = None


def check_building(building: str) -> str:
    return check_name(building, "building", "A building (or village group) has at most 20 characters.", BUILDING_MAX)


class GridPlan(LinliAggregate):
    """The community's grids. Invariants: a building or place is in at most one grid (moved only explicitly); a
    grid has at most one 网格员 (who may hold several grids); a building has at most one 楼长."""

    class Opened(LinliAggregate.Created):
        pass

    class GridDrawn(LinliAggregate.Event):
        grid_id: UUID
        name: str

        def apply(self, plan: GridPlan) -> None:
            plan.grids[self.grid_id] = Grid(self.name)

    class GridRenamed(LinliAggregate.Event):
        grid_id: UUID
        name: str

        def apply(self, plan: GridPlan) -> None:
            plan.grids[self.grid_id].name = self.name

    class BuildingAdded(LinliAggregate.Event):
        """A building (or village group) that was in no grid now is in this one."""

        grid_id: UUID
        building: str

        def apply(self, plan: GridPlan) -> None:
            plan.grids[self.grid_id].buildings.add(self.building)
            plan.building_grid[self.building] = self.grid_id

    class BuildingMoved(LinliAggregate.Event):
        building: str
        from_grid_id: UUID
        to_grid_id: UUID

        def apply(self, plan: GridPlan) -> None:
            plan.grids[self.from_grid_id].buildings.discard(self.building)
            plan.grids[self.to_grid_id].buildings.add(self.building)
            plan.building_grid[self.building] = self.to_grid_id

    class BuildingRemoved(LinliAggregate.Event):
        """The building leaves its grid (demolished, a typo): its cases then wait in the clerk's queue."""

        grid_id: UUID
        building: str

        def apply(self, plan: GridPlan) -> None:
            plan.grids[self.grid_id].buildings.discard(self.building)
            plan.building_grid.pop(self.building, None)

    class PlaceSet(LinliAggregate.Event):
        """A place of the community a case may name instead of a building (小区北门, 中心广场), in a grid or none."""

        name: str
        grid_id: UUID | None

        def apply(self, plan: GridPlan) -> None:
            plan.places[self.name] = self.grid_id

    class WorkerAssigned(LinliAggregate.Event):
        """The grid's 网格员 from now on (replacing `previous_id`, if any)."""

        grid_id: UUID
        worker_id: UUID
        previous_id: UUID | None

        def apply(self, plan: GridPlan) -> None:
            plan.grids[self.grid_id].worker_id = self.worker_id

    class WorkerUnassigned(LinliAggregate.Event):
        grid_id: UUID
        worker_id: UUID
        reason: str

        def apply(self, plan: GridPlan) -> None:
            plan.grids[self.grid_id].worker_id = None

    class HeadAssigned(LinliAggregate.Event):
        """The building's 楼长 from now on (replacing `previous_id`, if any)."""

        building: str
        resident_id: UUID
        previous_id: UUID | None

        def apply(self, plan: GridPlan) -> None:
            plan.heads[self.building] = self.resident_id

    class HeadUnassigned(LinliAggregate.Event):
        building: str
        resident_id: UUID
        reason: str

        def apply(self, plan: GridPlan) -> None:
            plan.heads.pop(self.building, None)

    def __init__(self) -> None:
        self.grids: dict[UUID, Grid] = {}
        self.building_grid: dict[str, UUID] = {}
        self.places: dict[str, UUID | None] = {}
        self.heads: dict[str, UUID] = {}

    @classmethod
    def open(cls, ctx: Ctx) -> GridPlan:
        return cls.start(cls.Opened, ctx, grid_plan_id_for(ctx.community_id))

    # -- reading --------------------------------------------------------------------------------------------------
    def grid_of(self, building: str = "", place: str = "") -> UUID | None:
        """The grid a case at this place (else this building) goes to; None: the clerk's queue."""
        if place:
            return self.places.get(place)
        return self.building_grid.get(building)

    def worker_of(self, grid_id: UUID | None) -> UUID | None:
        grid = self.grids.get(grid_id) if grid_id else None
        return grid.worker_id if grid else None

    def grids_of(self, worker_id: UUID | None) -> set[UUID]:
        return {grid_id for grid_id, grid in self.grids.items() if worker_id and grid.worker_id == worker_id}

    def serves(self, worker_id: UUID | None, building: str) -> bool:
        """Is `worker_id` the 网格员 of the grid this building is in?"""
        grid_id = self.building_grid.get(building)
        return grid_id is not None and self.worker_of(grid_id) == worker_id

    def _grid(self, grid_id: UUID) -> Grid:
        grid = self.grids.get(grid_id)
        if grid is None:
            raise DomainError("No such grid.", "grid_id", status=404)
        return grid

    # -- the clerk draws the grids ---------------------------------------------------------------------------------
    def draw(self, ctx: Ctx, name: str) -> UUID:
        name = check_name(name, "name", "A grid needs a name of at most 30 characters.")
        if any(g.name == name for g in self.grids.values()):
            raise DomainError("A grid of this name exists already.", "name", status=409)
        if len(self.grids) >= GRIDS_MAX:
            raise DomainError("A community has at most 200 grids.", "name", status=409)
        grid_id = grid_id_for(self.community_id, name)
        if grid_id in self.grids:  # renamed away from this name earlier: the id is taken
            raise DomainError("A grid had this name before; choose another.", "name", status=409)
        self.emit(self.GridDrawn, ctx, grid_id=grid_id, name=name)
        return grid_id

    def rename(self, ctx: Ctx, grid_id: UUID, name: str) -> None:
        grid = self._grid(grid_id)
        name = check_name(name, "name", "A grid needs a name of at most 30 characters.")
        if any(g.name == name for i, g in self.grids.items() if i != grid_id):
            raise DomainError("A grid of this name exists already.", "name", status=409)
        if grid.name != name:
            self.emit(self.GridRenamed, ctx, grid_id=grid_id, name=name)

    def add_building(self, ctx: Ctx, grid_id: UUID, building: str) -> None:
        self._grid(grid_id)
        building = check_building(building)
        held = self.building_grid.get(building)
        if held == grid_id:
            raise DomainError("This building is in this grid already.", "building", status=409)
        if held is not None:
            raise DomainError(
                "This building is in grid %(grid)s; move it from there.", "building", 409, grid=self.grids[held].name
            )
        self.emit(self.BuildingAdded, ctx, grid_id=grid_id, building=building)

    def move_building(self, ctx: Ctx, building: str, to_grid_id: UUID) -> None:
        self._grid(to_grid_id)
        building = check_building(building)
        held = self.building_grid.get(building)
        if held is None:
            raise DomainError("This building is in no grid yet; add it.", "building", status=409)
        if held == to_grid_id:
            raise DomainError("This building is in this grid already.", "building", status=409)
        self.emit(self.BuildingMoved, ctx, building=building, from_grid_id=held, to_grid_id=to_grid_id)

    def remove_building(self, ctx: Ctx, building: str) -> None:
        held = self.building_grid.get(building)
        if held is None:
            raise DomainError("This building is in no grid.", "building", status=409)
        self.emit(self.BuildingRemoved, ctx, grid_id=held, building=building)

    def set_place(self, ctx: Ctx, name: str, grid_id: UUID | None) -> None:
        name = check_name(name, "name", "A place needs a name of at most 30 characters.", NAME_MAX)
        if grid_id is not None:
            self._grid(grid_id)
        if name in self.places and self.places[name] == grid_id:
            raise DomainError("This place is set so already.", "name", status=409)
        self.emit(self.PlaceSet, ctx, name=name, grid_id=grid_id)

    # -- who holds them --------------------------------------------------------------------------------------------
    def assign_worker(self, ctx: Ctx, grid_id: UUID, worker_id: UUID, holds_role: bool) -> None:
        """`holds_role`: the resident holds the grid_worker role today (the command asks their aggregate)."""
        grid = self._grid(grid_id)
        if not holds_role:
            raise DomainError("Grant this resident the grid worker role first.", "resident_id", status=409)
        if grid.worker_id == worker_id:
            raise DomainError("This resident is this grid's worker already.", "resident_id", status=409)
        self.emit(self.WorkerAssigned, ctx, grid_id=grid_id, worker_id=worker_id, previous_id=grid.worker_id)

    def unassign_worker(self, ctx: Ctx, grid_id: UUID, reason: str) -> None:
        grid = self._grid(grid_id)
        if grid.worker_id is None:
            raise DomainError("This grid has no worker.", "grid_id", status=409)
        reason = check_text(reason, 500, "reason", "Say why (at most 500 characters).")
        self.emit(self.WorkerUnassigned, ctx, grid_id=grid_id, worker_id=grid.worker_id, reason=reason)

    def assign_head(self, ctx: Ctx, building: str, resident_id: UUID, holds_role: bool) -> None:
        """`holds_role`: the resident is verified and holds the building_head role today."""
        building = check_building(building)
        if building not in self.building_grid:
            raise DomainError("Add the building to a grid first.", "building", status=409)
        if not holds_role:
            raise DomainError("Grant this resident the building head role first.", "resident_id", status=409)
        previous = self.heads.get(building)
        if previous == resident_id:
            raise DomainError("This resident is this building's head already.", "resident_id", status=409)
        self.emit(self.HeadAssigned, ctx, building=building, resident_id=resident_id, previous_id=previous)

    def unassign_head(self, ctx: Ctx, building: str, reason: str) -> None:
        head = self.heads.get(building)
        if head is None:
            raise DomainError("This building has no head.", "building", status=409)
        reason = check_text(reason, 500, "reason", "Say why (at most 500 characters).")
        self.emit(self.HeadUnassigned, ctx, building=building, resident_id=head, reason=reason)


keep_topics(TOPICS_MODULE, GridPlan)
