"""The workload context's aggregates and rules: pure, no I/O, no clock."""
