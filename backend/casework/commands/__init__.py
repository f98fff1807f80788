"""Casework's commands (load, mutate, save; never a projection): the grid plan (grids), the street's departments,
matter list and calendar and the community's narrowing (street), a case from raising to rating (cases), its
whistles (whistles), care flags and visits (care), and what they share (common). docs/casework.md lists them."""
