"""The casework views: tables.py, handlers.py (the projection), queries.py (cases, queues, grids, the rounds' rows),
dashboard.py (the rates, the street's dashboard, the board's digest); cases.py, plan.py and rates.py apply the
events (rates.py: how each case adds to the counters)."""
