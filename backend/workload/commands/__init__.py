"""The workload context's commands, one module per part (certificates, admission)."""
