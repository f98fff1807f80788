"""The home page (首页): what needs a resident now, the staff's queues, the board for a visitor (issue 23)."""
