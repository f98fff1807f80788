"""Casework (诉求, 接诉即办, 网格化): a community's grids and who holds them (grid_plan), the street's departments
(department), matter list and its community narrowing (matters) and working calendar (calendar), the case from
raising to rating (case, case_steps: one owner at a time, always a next deadline), care flags and visits (care).
Working time (worktime) and a case's deadlines and their notices (deadlines) are pure functions. Pure: no I/O, no
clock (the time comes with the command). docs/casework.md is the reference."""

# The log names every event "backend.casework.domain:<Aggregate>.<Event>" (rules.TOPICS_MODULE): the aggregates are
# named here, so an event resolves from its topic whatever else has been imported.
from backend.casework.domain.calendar import WorkCalendar
from backend.casework.domain.care import CareRecipient, Visit
from backend.casework.domain.case import Case
from backend.casework.domain.department import Department
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.matters import CommunityMatters, MatterList

__all__ = ["CareRecipient", "Case", "CommunityMatters", "Department", "GridPlan", "MatterList", "Visit", "WorkCalendar"]
