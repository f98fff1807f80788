"""Routes of volunteering: activities to browse and sign up for (public to read), the leader's teams, activities
and shift rosters (check-in and check-out, hours), the volunteer's own page (shifts, hours, stars, corrections,
certificates), the certificate's print view and its public verification."""
