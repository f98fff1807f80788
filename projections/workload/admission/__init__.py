"""The admission list's views (准入清单): the street's edits, the tasks assigned from it, the attempts refused
(未准入) and the applications (申请准入)."""
