"""The deliberation's pages. Routes, thin: proposals (the board, a proposal, submitting and co-signing), matters
(the procedure's matters and their forms), meetings (a sitting, its ballot, minutes and record), paper (paper
ballots and the clerks' desk), live (websocket tallies and co-sign counts). views.py builds what the pages show and
holds their label text; forms.py turns form fields into command arguments."""
