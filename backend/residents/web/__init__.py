"""The residents' pages: sign-in (signin), the resident's own account (me), self-registration (registration),
the clerk's desk (desk, resident_page, households) and the street operator's overview (street); each route module
exposes `routes`. views.py builds what the pages show, forms.py reads the forms into command arguments."""
