"""Volunteering views: teams, activities and their shifts with seat counts, each shift's roster (seats, waitlist in
order, offers, check-in and check-out), the hours ledger and the certificates."""
