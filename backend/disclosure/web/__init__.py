"""The interface of 居务公开: the public board (board.py, kept for anonymous readers by kept.py), each notice with its
objections and answers and its print view (notices.py), the verification of chain heads (verify.py), exports and
the open-data feed (exports.py), the board live (live.py); the clerk's desk (desk.py) and finance book (finance.py),
and the supervisors' review (review.py). routes.py gathers them for the app factory; views.py builds what the pages
show; forms.py reads the forms."""
