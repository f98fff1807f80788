"""The inbox's views: tables.py, handlers.py (the projection: notifications derived from other contexts' events),
queries.py (what pages and the push round read)."""
