"""The inbox's pages (routes.py) and its live bell (live.py), each exposing `routes`."""
