"""一表通's read side: the counts of a period per community (SQL aggregates over the other contexts' views), the
log position and chain head they were computed at, and the committee's submissions."""
