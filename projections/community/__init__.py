"""Communities and their rulebooks: tables.py, handlers.py (the projection), queries.py (what pages read)."""
