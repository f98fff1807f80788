"""居务公开 (disclosure): the board, notices and their review, corrections, objections and answers, the finance book and
its monthly reports, exports and verification. domain/ holds the aggregates and the schedule's rules, commands.py
runs them, web/ serves them; their views are in projections/disclosure/ and the hash chain in projections/chain/."""
