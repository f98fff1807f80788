"""The news item (item.py) and a resident's reading of an item or a board notice (reading.py)."""
