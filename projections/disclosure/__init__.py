"""居务公开 views: notices with their drafts and review, the board's published versions kept with the moment each was
published and superseded (so the board can be read as of any past moment), objections and answers, and the finance
book's entries. The deliberation's ⑤/⑥ notices appear on the board too.

tables.py: the view tables; handlers.py: the projection that keeps them; queries.py: what pages and exports read."""
