"""Volunteering (志愿服务): teams, activities, shifts with capacity and a waitlist, check-in and check-out, an hours
ledger and certificates. Pure: no I/O, no clock (the time comes with the command).

A shift is one aggregate holding its seats, its waitlist and its timed offers, so concurrent sign-ups serialize on
it and its capacity is never exceeded (DESIGN 4.2). Hours are a ledger (DESIGN 4.3): an hours record starts with
the entry the leader confirmed, and a correction is a new entry with a reason that refers to the original; the total
is always the sum of the entries. 谁组织谁记录、谁记录谁证明: the team that recorded the hours issues the
certificate."""
