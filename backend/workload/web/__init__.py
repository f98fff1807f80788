"""The workload context's pages, one module per part; routes.py lists them for the app factory."""
