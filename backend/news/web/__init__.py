"""The interface of 社区动态: the public list and item pages with the 我已阅读 button (pages.py), the clerk's desk:
posting, editing, withdrawing, and who has not read an important notice (desk.py), the list live (live.py);
views.py builds what the pages show, forms.py describes the forms, routes.py gathers them for the app factory."""
