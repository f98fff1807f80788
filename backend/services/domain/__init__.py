"""Service bookings (便民服务): the catalog of services and their providers, slots with seats and a waitlist, each
resident's diary of bookings, reminders and ratings. Pure: no I/O, no clock (the time comes with the command).

A slot is one aggregate holding its bookings and its waitlist, so concurrent bookings serialize on it and its
capacity is never exceeded (DESIGN 4.2). A resident's diary is one aggregate too, saved in the same transaction as
the slot: two bookings of one resident that overlap, or past the service's weekly limit, can never both land.

One module per aggregate (provider, service, slot, diary), the weekly schedule a provider publishes (schedule), and
the rules they share (rules: limits, statuses, ids, the booking rules of a service)."""
