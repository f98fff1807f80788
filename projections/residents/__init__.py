"""Residents and the household register as the interface needs them: tables.py, handlers.py (the projection),
queries.py (what pages read)."""
