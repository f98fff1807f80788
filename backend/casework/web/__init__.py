"""The web side of casework (诉求, 接诉即办, 网格化): a resident raises a case and follows it, a 楼长 or 网格员 raises
one for a neighbour, the grid worker's queue and a case's handling, a department's desk, the clerks' desk, grid plan
and matter list, the street's departments, matter list and dashboard, the public board's monthly digest; and the
grid worker's visits (走访) and care (关爱).

resident.py, assisted.py, handling.py, department.py, desk.py, plan.py, street.py, rates.py: the routes (by who uses
them; rates.py: a community's month by grid and by handler);
views.py and plan_views.py: the pages they render; labels.py: the words for the views' codes; forms.py: form fields
into command arguments; live.py: a case's page and the queue, live; notices.py: the texts of case notifications;
visits.py, care.py, visit_views.py, visit_forms.py: 走访 and 关爱."""
