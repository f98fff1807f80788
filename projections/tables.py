"""Every view table, for Piccolo's app registry and migrations: each projection's own, and the positions."""

from projections.registry import PROJECTIONS
from projections.runner import ProjectionPosition

ALL_TABLES = (ProjectionPosition, *(table for projection in PROJECTIONS for table in projection.tables))
