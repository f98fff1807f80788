"""Service bookings views: providers, the catalog, slots with seat counts, each booking (and waitlist place) with its
status, response, completion and rating; the services' rates for the board.

tables.py: the view tables; handlers.py: the projection that keeps them (and the live seat counts it publishes);
queries.py: what pages, live updates and the reminders' round read."""
