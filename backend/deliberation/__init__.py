"""Deliberation: proposals and co-signs (民主提事, 附议), and the procedure of 四议两公开 they lead into — matters,
the sittings and ballots that decide their stages, and the notices that make them public. domain/ holds the
aggregates and rules, commands/ what changes them, rounds.py the ballots' timed close, web/ the pages."""
