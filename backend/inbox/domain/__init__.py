"""The inbox context's domain: the resident's inbox (inbox.py)."""
