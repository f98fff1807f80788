"""The deliberation's views: the public board of proposals with co-signs and history; matters with their timeline,
notices, objections and progress; meetings with attendance, results and each ballot's live tally.

tables.py: the view tables; handlers.py: the two projections that keep them (DeliberationProjection for proposals,
ProcedureProjection for matters, meetings and votes, with the live tallies it publishes); queries.py: what pages,
live updates and the ballots' timed pass read."""
