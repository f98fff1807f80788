"""The hash chain over the log (DESIGN 4.5): link(n) = sha256(link(n-1) || stored record n).

The projector extends it as the log grows (handlers.py); `verify` recomputes it from the stored events and names the
first position whose record no longer matches its link (queries.py).
"""
