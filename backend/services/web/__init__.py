"""The web side of service bookings: the catalog with each service's rates (public), a service's slots to book or wait
for, the resident's bookings (cancel, reschedule, calendar entry, rating), the provider's day and schedule, and the
clerk's catalog of providers and services.

bookings.py, provide.py, catalog.py: the routes (of residents, of providers, of the clerk); views.py: the pages they
render and the labels; forms.py: form fields into command arguments; live.py: the live seat counts; notices.py: the
texts of booking notifications."""
